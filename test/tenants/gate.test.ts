import { loadAll } from 'js-yaml';
import { tenantExternalSecrets, tenantFiles } from '../../lib/constructs/tenants';
import { validateDocuments, type GatePolicy } from '../../lib/gate';
import { DIGEST, server, tenant, tenantValues } from './fixtures';

const POLICY: GatePolicy = { profile: 'production', forbidFixedUids: false, requireDigests: true, requireNetworkPolicies: true, requirePdb: false };

// Internal servers: a stdio one, one with Secrets and custom resources, two using the Kubernetes API (view, edit).
const items = [
  tenant('acme', [server('fetch', { transport: 'stdio', image: { repository: 'docker.io/mcp/fetch', tag: '2025.4.7', digest: DIGEST } })]),
  tenant('globex', [
    server('gitea', {
      args: ['-t', 'http'],
      env: [{ name: 'GITEA_HOST', value: 'https://gitea.example' }],
      secrets: [{ name: 'gitea-token', key: 'token', targetEnvName: 'GITEA_ACCESS_TOKEN' }],
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
    }),
    server('time', { transport: 'sse', kubernetesApi: 'edit' }),
  ]),
  tenant('initech', [server('kube', { kubernetesApi: 'view', transport: 'sse' })]),
];

function documents(filter: (file: string) => boolean, profile: 'production' | 'ocp' = 'production') {
  const v = tenantValues(profile, items);
  const docs = [...tenantFiles(v).entries()].filter(([file]) => filter(file)).flatMap(([file, text]) => (loadAll(text) as any[]).map((object) => ({ file, object })));
  return { v, docs };
}

function errors(report: ReturnType<typeof validateDocuments>): string[] {
  return report.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.file} ${f.object} ${f.path}: ${f.message}`);
}

describe('the output gate passes on tenant output', () => {
  test('guardrails and workloads of three tenants, production policy', () => {
    const { v, docs } = documents((file) => !file.endsWith('20-argocd.yaml'));
    expect(docs.length).toBeGreaterThan(40);
    const report = validateDocuments(docs, { policy: { ...POLICY, externalRefs: tenantExternalSecrets(v) } });
    expect(errors(report)).toEqual([]);
  });

  test('the same on OpenShift with fixed UIDs forbidden', () => {
    const { v, docs } = documents((file) => !file.endsWith('20-argocd.yaml'), 'ocp');
    const report = validateDocuments(docs, { policy: { ...POLICY, profile: 'ocp', forbidFixedUids: true, requireDigests: false, externalRefs: tenantExternalSecrets(v) } });
    expect(errors(report)).toEqual([]);
  });

  test("the ArgoCD objects, which live in ArgoCD's namespace (the platform's, so no tenant NetworkPolicy there)", () => {
    const { docs } = documents((file) => file.endsWith('20-argocd.yaml'));
    expect(docs.map((d) => d.object.kind)).toEqual(['AppProject', 'Application', 'AppProject', 'Application', 'Application', 'AppProject', 'Application']);
    expect(errors(validateDocuments(docs, { policy: { ...POLICY, requireNetworkPolicies: false } }))).toEqual([]);
  });

  test('tenant Secrets are declared external by name and namespace', () => {
    const v = tenantValues('production', [...items, tenant('hooli', [server('web', { exposure: 'ingress', secrets: [{ name: 'a', key: 'k', targetEnvName: 'A' }] })])]);
    expect(tenantExternalSecrets(v)).toEqual([
      { kind: 'Secret', namespace: 'mcp-gitea-globex', name: 'gitea-token' },
      { kind: 'Secret', namespace: 'mcp-web-hooli', name: 'a' },
      { kind: 'Secret', namespace: 'mcp-web-hooli', name: 'mcp-web-tls' },
    ]);
  });
});
