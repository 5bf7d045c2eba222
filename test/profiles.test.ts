import { containers, find, mebibytes, milliCpu, podSpecs, synth } from './support';
import { CLUSTER_SCOPED_KINDS } from '../lib/gate/model';

const PROFILES = ['kind', 'ocp', 'production'];

/** Every string anywhere in an object, with its JSON path. */
function* strings(value: unknown, path = ''): Generator<[string, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, `${path}[${i}]`);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* strings(v, `${path}.${k}`);
}

describe.each(PROFILES)('every object and container of %s', (profile) => {
  const objects = synth(profile);

  test('carries the recommended labels', () => {
    for (const o of objects) {
      for (const key of ['name', 'instance', 'component', 'part-of', 'managed-by', 'version']) {
        expect({ object: `${o.kind}/${o.metadata.name}`, key, has: Boolean(o.metadata.labels?.[`app.kubernetes.io/${key}`]) }).toEqual({
          object: `${o.kind}/${o.metadata.name}`,
          key,
          has: true,
        });
      }
    }
  });

  test('cluster-scoped objects carry no namespace; namespaced ones carry the release namespace', () => {
    for (const o of objects) {
      if (CLUSTER_SCOPED_KINDS.has(o.kind)) expect([o.kind, o.metadata.namespace]).toEqual([o.kind, undefined]);
      else expect(o.metadata.namespace).toBe('mcp-stack');
    }
  });

  test('no two objects share kind, namespace and name', () => {
    const keys = objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('containers: requests and limits, non-root, no escalation, no capabilities, RuntimeDefault, read-only root', () => {
    for (const { owner, container } of containers(objects)) {
      expect({ owner, resources: container.resources }).toEqual({
        owner,
        resources: { requests: { cpu: expect.any(String), memory: expect.any(String) }, limits: { cpu: expect.any(String), memory: expect.any(String) } },
      });
      expect({ owner, sc: container.securityContext }).toEqual({
        owner,
        sc: expect.objectContaining({
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        }),
      });
    }
  });

  test('pods mount no service account token', () => {
    for (const { owner, spec } of podSpecs(objects)) expect({ owner, automount: spec.automountServiceAccountToken }).toEqual({ owner, automount: false });
  });

  test('long-running servers have readiness and liveness probes', () => {
    for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet')) {
      for (const c of o.spec.template.spec.containers) {
        expect({ c: `${o.metadata.name}/${c.name}`, probes: Boolean(c.readinessProbe && c.livenessProbe) }).toEqual({ c: `${o.metadata.name}/${c.name}`, probes: true });
      }
    }
  });

  test('no :latest or untagged image', () => {
    for (const { owner, container } of containers(objects)) {
      expect({ owner, image: container.image }).toEqual({ owner, image: expect.stringMatching(/^[^:@]+(:[0-9]+)?\/.+:(?!latest(@|$))[A-Za-z0-9_.-]+(@sha256:[a-f0-9]{64})?$/) });
    }
  });

  test('no Secret objects and no credential-looking literal anywhere', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const o of objects) {
      for (const [path, s] of strings(o)) {
        expect({ where: `${o.kind}/${o.metadata.name}${path}`, s }).not.toEqual({ where: expect.anything(), s: expect.stringMatching(/password\s*[:=]\s*\w|BEGIN [A-Z ]*PRIVATE KEY/i) });
      }
    }
  });
});

describe('kind fits a laptop', () => {
  const objects = synth('kind');

  test('total requests ≤ 4 CPU and 8 GiB (every replica and Job counted)', () => {
    let cpu = 0;
    let mem = 0;
    for (const o of objects.filter((x) => x.spec?.template?.spec)) {
      const replicas = o.kind === 'Job' ? 1 : (o.spec.replicas ?? 1);
      for (const c of o.spec.template.spec.containers) {
        cpu += replicas * milliCpu(c.resources.requests.cpu);
        mem += replicas * mebibytes(c.resources.requests.memory);
      }
    }
    expect(cpu).toBeLessThanOrEqual(4000);
    expect(mem).toBeLessThanOrEqual(8192);
  });

  test('images are pulled only if not present (kind load docker-image works)', () => {
    for (const { container } of containers(objects)) expect(container.imagePullPolicy).toBe('IfNotPresent');
  });

  test('Postgres is a StatefulSet with a volume claim, no operator needed', () => {
    const sts = find(objects, 'StatefulSet', 'mcp-stack-postgres');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('5Gi');
    expect(objects.some((o) => o.kind === 'PostgresCluster')).toBe(false);
    expect(sts.spec.template.spec.securityContext).toMatchObject({ runAsUser: 999, fsGroup: 999 });
  });

  test('one way in: an Ingress to NGINX', () => {
    const ingress = find(objects, 'Ingress', 'mcp-stack-gateway');
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'mcp-stack-nginx', port: { number: 80 } });
    expect(objects.some((o) => o.kind === 'Route')).toBe(false);
  });
});

describe('ocp reproduces the benchmarked seed configuration under restricted-v2', () => {
  const objects = synth('ocp');

  test('no runAsUser, runAsGroup or fsGroup anywhere', () => {
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/"runAsUser"|"runAsGroup"|"fsGroup"/);
  });

  test('3 gateway pods with 4/8 CPU and 4/8 Gi, 8 workers, HPA off; 3 NGINX with 32768 connections', () => {
    const gw = find(objects, 'Deployment', 'mcp-stack-gateway');
    expect(gw.spec.replicas).toBe(3);
    expect(gw.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '4', memory: '4Gi' }, limits: { cpu: '8', memory: '8Gi' } });
    expect(find(objects, 'ConfigMap', 'mcp-stack-gateway').data.GUNICORN_WORKERS).toBe('8');
    expect(objects.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
    expect(find(objects, 'Deployment', 'mcp-stack-nginx').spec.replicas).toBe(3);
    expect(find(objects, 'ConfigMap', 'mcp-stack-nginx').data['nginx.conf']).toContain('worker_connections 32768;');
  });

  test('Redis keeps its data on an nfs-client volume of its StatefulSet', () => {
    const redis = find(objects, 'StatefulSet', 'mcp-stack-redis');
    expect(redis.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'nfs-client', accessModes: ['ReadWriteOnce'] });
    expect(redis.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
  });

  test('a Route reencrypts to NGINX 8443 with a service-CA certificate, and nothing else exposes the stack', () => {
    const route = find(objects, 'Route', 'mcp-stack-gateway');
    expect(route.spec).toMatchObject({ to: { kind: 'Service', name: 'mcp-stack-nginx' }, port: { targetPort: 'https' }, tls: { termination: 'reencrypt' } });
    const svc = find(objects, 'Service', 'mcp-stack-nginx');
    expect(svc.metadata.annotations['service.beta.openshift.io/serving-cert-secret-name']).toBe('mcp-stack-nginx-tls');
    expect(svc.spec.ports).toContainEqual({ name: 'https', port: 443, targetPort: 'https' });
    expect(objects.some((o) => o.kind === 'Ingress')).toBe(false);
  });

  test('PGO PostgresCluster with PgBouncer in an explicit pool mode and the seed tuning', () => {
    const pc = find(objects, 'PostgresCluster', 'mcp-stack-pg');
    expect(pc.apiVersion).toBe('postgres-operator.crunchydata.com/v1beta1');
    expect(pc.spec.patroni.dynamicConfiguration.postgresql.parameters.max_connections).toBe(800);
    expect(pc.spec.proxy.pgBouncer.config.global).toMatchObject({ pool_mode: 'transaction', default_pool_size: '600', max_db_connections: '700' });
    expect(pc.spec.users).toEqual([{ name: 'mcp', databases: ['mcp'], password: { type: 'AlphaNumeric' } }]);
    expect(pc.spec.instances[0].dataVolumeClaimSpec.storageClassName).toBe('nfs-client');
    const init = find(objects, 'ConfigMap', pc.spec.databaseInitSQL.name).data['init.sql'];
    expect(init).toContain('GRANT CREATE, USAGE ON SCHEMA public TO "mcp";');
  });
});

describe('production: HA, pinned, isolated', () => {
  const objects = synth('production');

  test("every image is pinned by digest, but the gateway's until its digest is pinned for its new tag", () => {
    for (const { owner, container } of containers(objects)) {
      const image = container.image.startsWith('ghcr.io/ibm/mcp-context-forge:') ? /^ghcr\.io\/ibm\/mcp-context-forge:v[0-9.]+$/ : /@sha256:[a-f0-9]{64}$/;
      expect({ owner, image: container.image }).toEqual({ owner, image: expect.stringMatching(image) });
    }
  });

  test('the gateway autoscales and every multi-replica workload has a PDB', () => {
    expect(find(objects, 'HorizontalPodAutoscaler', 'mcp-stack-gateway').spec).toMatchObject({ minReplicas: 3, maxReplicas: 10 });
    const pdbSelectors = objects.filter((o) => o.kind === 'PodDisruptionBudget').map((p) => JSON.stringify(p.spec.selector.matchLabels));
    for (const w of objects.filter((o) => o.kind === 'Deployment' && (o.spec.replicas ?? 3) > 1)) {
      expect({ w: w.metadata.name, pdb: pdbSelectors.includes(JSON.stringify(w.spec.selector.matchLabels)) }).toEqual({ w: w.metadata.name, pdb: true });
    }
  });

  test('pods spread over zones and nodes', () => {
    const spec = find(objects, 'Deployment', 'mcp-stack-gateway').spec.template.spec;
    expect(spec.topologySpreadConstraints.map((t: any) => t.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
  });

  test('PGO with two instances, scheduled backups with retention, and monitoring', () => {
    const pc = find(objects, 'PostgresCluster', 'mcp-stack-pg');
    expect(pc.spec.instances[0].replicas).toBeGreaterThanOrEqual(2);
    expect(pc.spec.backups.pgbackrest.repos[0].schedules).toEqual({ full: '0 1 * * 0', differential: '0 1 * * 1-6' });
    expect(pc.spec.backups.pgbackrest.global['repo1-retention-full']).toBe('4');
    expect(pc.spec.monitoring).toEqual({ pgmonitor: { exporter: {} } });
  });

  test('a TLS Ingress, default-deny NetworkPolicies', () => {
    expect(find(objects, 'Ingress', 'mcp-stack-gateway').spec.tls).toEqual([{ hosts: ['mcp.example.com'], secretName: 'mcp-stack-tls' }]);
    expect(find(objects, 'NetworkPolicy', 'mcp-stack-default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });
});

describe('the database outlives the platform', () => {
  test('Helm and ArgoCD never delete or prune the PostgresCluster', () => {
    const pc = find(synth('ocp'), 'PostgresCluster', 'mcp-stack-pg');
    expect(pc.metadata.annotations).toMatchObject({ 'helm.sh/resource-policy': 'keep', 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' });
  });
});
