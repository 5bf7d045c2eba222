/**
 * Bring-your-own Secrets on a real API server: the user's Secrets (their own names and keys) exist first, then the
 * plain output and `helm template` on Helm 3 and 4, all with `secrets.*.existingSecret` and key names, apply, and
 * the pods the controller-manager creates read exactly those Secrets and keys, none of the stack's own.
 * ExternalSecrets apply against the vendored External Secrets CRD (installed with the others) and name as targets
 * the Secrets and keys the pods read. The operator itself does not run here (no store to read from), so the test
 * stops at what the API server accepts and what the pods ask for.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { ControlPlane, describeCluster, suiteControlPlane } from './control-plane';
import { CHART, eventually, failedCreates, helmOk, podCount, serverSideApply, synthStream, tempDir, type HelmName } from './support';

const VALUES = {
  secrets: {
    gateway: { existingSecret: 'vault-gateway' },
    redis: { existingSecret: 'vault-redis', passwordKey: 'redis-password' },
    postgres: { existingSecret: 'vault-postgres', userKey: 'username', passwordKey: 'pw', databaseKey: 'db' },
  },
};

/** The user's Secrets, as their secret manager would write them (values are throwaway, the API server never reads them). */
function userSecrets(namespace: string): string {
  const secret = (name: string, keys: string[]) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'Opaque',
    stringData: Object.fromEntries(keys.map((k) => [k, `${k}-value-for-the-test-only`])),
  });
  return [
    secret('vault-gateway', ['JWT_SECRET_KEY', 'AUTH_ENCRYPTION_SECRET', 'BASIC_AUTH_PASSWORD', 'PLATFORM_ADMIN_PASSWORD']),
    secret('vault-redis', ['redis-password']),
    secret('vault-postgres', ['username', 'pw', 'db']),
  ]
    .map((s) => dump(s))
    .join('---\n');
}

/** Every Secret (and key) the pods in a namespace read. */
function podSecretReads(cp: ControlPlane, namespace: string): string[] {
  const pods = JSON.parse(cp.kubectlOk(['get', 'pods', '-n', namespace, '-o', 'json'])).items as any[];
  const out = new Set<string>();
  for (const pod of pods) {
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) out.add(`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`);
      for (const f of c.envFrom ?? []) if (f.secretRef) out.add(f.secretRef.name);
    }
  }
  return [...out].sort();
}

describeCluster()('existing Secrets on a real API server', () => {
  const controlPlane = suiteControlPlane();
  let cp: ControlPlane;
  let work: string;
  let valuesFile: string;
  beforeAll(async () => {
    cp = controlPlane();
    work = tempDir('existing-secrets');
    valuesFile = join(work, 'mine.yaml');
    writeFileSync(valuesFile, dump(VALUES));
  }, 120_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  async function applyWithUserSecrets(stream: string, ns: string): Promise<void> {
    cp.kubectlOk(['create', 'namespace', ns]);
    serverSideApply(cp, userSecrets(ns), 'secret-manager');
    serverSideApply(cp, stream);
    const workloads = JSON.parse(cp.kubectlOk(['get', 'deployments,statefulsets', '-n', ns, '-o', 'json'])).items;
    expect(await eventually(() => podCount(cp, ns) >= workloads.length || failedCreates(cp, ns).length > 0)).toBe(true);
    expect(failedCreates(cp, ns)).toEqual([]);
    expect(podSecretReads(cp, ns)).toEqual(['vault-gateway', 'vault-postgres/db', 'vault-postgres/pw', 'vault-postgres/username', 'vault-redis/redis-password']);
  }

  it('plain output (kind, with the benchmark)', async () => {
    const ns = 'byo-plain';
    const stream = synthStream(['--values', valuesFile, '--with-benchmark', '--set', `release.name=${ns}`, '--set', `release.namespace=${ns}`, '--set', 'release.createNamespace=false']);
    await applyWithUserSecrets(stream, ns);
  }, 90_000);

  const store = { enabled: true, secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' } };
  const external = {
    secrets: {
      gateway: {
        existingSecret: 'vault-gateway',
        externalSecret: {
          ...store,
          remoteRefs: Object.fromEntries(['JWT_SECRET_KEY', 'AUTH_ENCRYPTION_SECRET', 'BASIC_AUTH_PASSWORD', 'PLATFORM_ADMIN_PASSWORD'].map((k) => [k, { key: 'mcp/gateway', property: k.toLowerCase() }])),
        },
      },
      redis: { passwordKey: 'pw', externalSecret: { ...store, remoteRefs: { password: { key: 'mcp/redis', property: 'password' } } } },
      postgres: { externalSecret: { ...store, remoteRefs: { user: { key: 'mcp/pg', property: 'user' }, password: { key: 'mcp/pg', property: 'password' }, database: { key: 'mcp/pg', property: 'db' } } } },
    },
  };

  it.each(['plain', 'helm3', 'helm4'])('ExternalSecrets (%s) apply and write what the pods read', async (how) => {
    const ns = `eso-${how}`;
    const file = join(work, 'external.yaml');
    writeFileSync(file, dump(external));
    const stream =
      how === 'plain'
        ? synthStream(['--values', file, '--set', `release.name=${ns}`, '--set', `release.namespace=${ns}`])
        : // The chart leaves the namespace to Helm (`--create-namespace`); this test applies the rendered stream, so it asks for the Namespace object.
          helmOk(cp, how as HelmName, ['template', ns, CHART, '--skip-tests', '-n', ns, '-f', file, '--set', 'release.createNamespace=true']);
    serverSideApply(cp, stream);
    const externals = JSON.parse(cp.kubectlOk(['get', 'externalsecrets.external-secrets.io', '-n', ns, '-o', 'json'])).items as any[];
    const written = new Set(externals.flatMap((e) => [e.spec.target.name, ...e.spec.data.map((d: any) => `${e.spec.target.name}/${d.secretKey}`)]));
    expect(written.size).toBe(11);
    const workloads = JSON.parse(cp.kubectlOk(['get', 'deployments,statefulsets', '-n', ns, '-o', 'json'])).items;
    expect(await eventually(() => podCount(cp, ns) >= workloads.length)).toBe(true);
    const read = podSecretReads(cp, ns);
    expect(read).toEqual(['vault-gateway', `${ns}-postgres/dbname`, `${ns}-postgres/password`, `${ns}-postgres/user`, `${ns}-redis/pw`].sort());
    for (const r of read) expect(written).toContain(r);
  }, 90_000);

  it.each<HelmName>(['helm3', 'helm4'])('helm template on %s', async (h) => {
    const ns = `byo-${h}`;
    const stream = helmOk(cp, h, ['template', ns, CHART, '--skip-tests', '-n', ns, '-f', valuesFile, '--set', 'benchmark.enabled=true', '--set', 'release.createNamespace=false']);
    await applyWithUserSecrets(stream, ns);
  }, 90_000);
});
