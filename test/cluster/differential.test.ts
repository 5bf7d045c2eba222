/**
 * The gate learns from the server: a corpus of broken objects that the real API server refuses (server-side dry
 * run: validation and admission, nothing stored) and that the output gate must refuse too, each with the rule that
 * names the problem. The first four were rejections the gate missed; they are now rules in
 * lib/gate/server-formats.ts. Immutable changes are covered by the upgrade matrix (upgrades.test.ts).
 */
import { dump } from 'js-yaml';
import { parseYamlStream, validateDocuments } from '../../lib/gate';
import { ControlPlane, describeCluster, suiteControlPlane } from './control-plane';

const NS = 'differential';
const QUOTA_NS = 'differential-quota';
const LIMITS_NS = 'differential-limits';
const LIMIT_RANGE = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits', namespace: LIMITS_NS }, spec: { limits: [{ type: 'Container', max: { memory: '256Mi' }, min: { cpu: '5m' } }] } };
const meta = (name: string, ns = NS) => ({ name, namespace: ns, labels: { app: 'x' } });

const container = (extra: Record<string, unknown> = {}) => ({
  name: 'c',
  image: 'docker.io/library/busybox:1.36',
  resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
  securityContext: { runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' }, readOnlyRootFilesystem: true },
  ...extra,
});

/** [case, the objects, the gate rule (or message fragment) that must name it] */
const CORPUS: [string, any[], RegExp][] = [
  ['ConfigMap over 1 MiB', [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('big'), data: { blob: 'x'.repeat(1024 * 1024 + 1) } }], /object\/too-large/],
  [
    'ingressClassName not a DNS subdomain',
    [{ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta('ing'), spec: { ingressClassName: 'Nginx_Public', defaultBackend: { service: { name: 'svc', port: { number: 80 } } } } }],
    /object\/name-format.*ingressClassName/,
  ],
  [
    'TLS secretName not a DNS subdomain',
    [{ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta('tls'), spec: { tls: [{ hosts: ['a.example.com'], secretName: 'My_Cert' }], defaultBackend: { service: { name: 'svc', port: { number: 80 } } } } }],
    /object\/name-format.*secretName/,
  ],
  [
    'ipBlock CIDR 999.10.0.0/16',
    [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('np'), spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '999.10.0.0/16' } }] }] } }],
    /object\/cidr/,
  ],
  [
    'PodSecurity restricted: privileged container',
    [{ apiVersion: 'v1', kind: 'Pod', metadata: meta('priv'), spec: { containers: [container({ securityContext: { privileged: true } })] } }],
    /privileged|restricted|securityContext/i,
  ],
  [
    'ResourceQuota: a container without limits in a namespace with a limits quota',
    [{ apiVersion: 'v1', kind: 'Pod', metadata: meta('nolimits', QUOTA_NS), spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [container({ resources: { requests: { cpu: '10m', memory: '16Mi' } } })] } }],
    /limit/i,
  ],
  [
    'LimitRange: a container above the namespace maximum (a rejection the gate missed: now policy/limit-range)',
    [LIMIT_RANGE, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('big', LIMITS_NS), spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [container({ resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '1Gi' } } })] } } } }],
    /policy\/limit-range.*memory 1Gi, above the maximum 256Mi of LimitRange 'limits'/,
  ],
  [
    'two volume mounts at one path in a container (an extra mount over a built-in one)',
    [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: meta('mounts'),
        spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [container({ volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, { name: 'extra', mountPath: '/tmp' }] })],
          volumes: [
            { name: 'tmp', emptyDir: {} },
            { name: 'extra', emptyDir: {} },
          ],
        },
      },
    ],
    /pod\/duplicate-mount-path .*mountPath mount path '\/tmp' is used twice in container 'c'/,
  ],
];

function gateErrors(objects: any[]): string[] {
  const docs = parseYamlStream(objects.map((o) => dump(o, { lineWidth: -1 })).join('---\n'), 'corpus.yaml');
  return validateDocuments(docs).findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.path} ${f.message}`);
}

describeCluster()('the gate refuses what the real API server refuses', () => {
  const controlPlane = suiteControlPlane();
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = controlPlane();
    cp.kubectlOk(['create', 'namespace', NS]);
    cp.kubectlOk(['label', 'namespace', NS, 'pod-security.kubernetes.io/enforce=restricted']);
    cp.kubectlOk(['create', 'namespace', QUOTA_NS]);
    cp.kubectlOk(['create', 'quota', 'q', '-n', QUOTA_NS, '--hard=limits.cpu=2,limits.memory=2Gi,requests.cpu=1,requests.memory=1Gi']);
    cp.kubectlOk(['create', 'namespace', LIMITS_NS]);
    cp.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify(LIMIT_RANGE));
  }, 120_000);

  it.each(CORPUS)('%s', (_name, objects, rule) => {
    // A Deployment's pods are admitted when its controller creates them: the server is asked about the pod itself.
    const asServer = objects.filter((o) => o.kind !== 'LimitRange').map((o) => (o.kind === 'Deployment' ? { apiVersion: 'v1', kind: 'Pod', metadata: o.metadata, spec: o.spec.template.spec } : o));
    const server = cp.kubectl(['apply', '--server-side', '--dry-run=server', '-f', '-'], asServer.map((o) => JSON.stringify(o)).join('\n'));
    expect(server.status).not.toBe(0);
    expect(server.stderr).toMatch(/invalid|forbidden|Forbidden|too long|exceeded|duplicate entries/i);
    const errors = gateErrors(objects);
    expect(errors.join('\n')).toMatch(rule);
  });

  it('accepts the same objects once fixed (the corpus is broken only where it says)', () => {
    const fixed = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('small'), data: { blob: 'x'.repeat(1024) } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('np-ok'), spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.10.0.0/16', except: ['10.10.1.0/24'] } }] }] } },
    ];
    const server = cp.kubectl(['apply', '--server-side', '--dry-run=server', '-f', '-'], fixed.map((o) => JSON.stringify(o)).join('\n'));
    expect(server.stderr).toBe('');
    expect(gateErrors(fixed).filter((e) => /too-large|cidr|name-format/.test(e))).toEqual([]);
  });
});
