/**
 * ExternalSecrets (External Secrets Operator, external-secrets.io/v1): with `secrets.<name>.externalSecret`, the
 * output holds an ExternalSecret that writes exactly the Secret and keys the pods read, in the plain synth and in the
 * chart on Helm 3 and 4; the output gate checks it against the vendored CRD; `secrets` stops asking the user for it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { helmChartFiles } from '../../lib/helm';
import { byKey, HELM_NAMES, helmTemplate, plain, requireHelm, ROOT, tempDir, writeChart } from './support';

const store = { enabled: true, secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' } };
const GATEWAY_AND_REDIS = {
  secrets: {
    gateway: {
      existingSecret: 'vault-gateway',
      externalSecret: {
        ...store,
        remoteRefs: {
          JWT_SECRET_KEY: { key: 'mcp/gateway', property: 'jwt' },
          AUTH_ENCRYPTION_SECRET: { key: 'mcp/gateway', property: 'auth' },
          BASIC_AUTH_PASSWORD: { key: 'mcp/gateway', property: 'basic' },
          PLATFORM_ADMIN_PASSWORD: { key: 'mcp/admin' },
        },
      },
    },
    redis: { passwordKey: 'pw', externalSecret: { ...store, refreshInterval: '15m', remoteRefs: { password: { key: 'mcp/redis', property: 'password' } } } },
  },
};
const WITH_POSTGRES = {
  secrets: {
    ...GATEWAY_AND_REDIS.secrets,
    postgres: {
      userKey: 'username',
      externalSecret: { ...store, remoteRefs: { user: { key: 'mcp/pg', property: 'user' }, password: { key: 'mcp/pg', property: 'password' }, database: { key: 'mcp/pg', property: 'db' } } },
    },
  },
};

/** Every Secret key the pod templates read, as `name/key`, and every Secret read whole, as `name`. */
function reads(objects: readonly any[]): Set<string> {
  const out = new Set<string>();
  const visit = (x: any): void => {
    if (Array.isArray(x)) return x.forEach(visit);
    if (!x || typeof x !== 'object') return;
    if (x.secretKeyRef) out.add(`${x.secretKeyRef.name}/${x.secretKeyRef.key}`);
    if (x.secretRef) out.add(x.secretRef.name);
    Object.values(x).forEach(visit);
  };
  for (const o of objects) visit(o.spec?.template ?? o.spec?.jobTemplate);
  return out;
}

let dir: string;
let chart: string;
let full: string;
let noPostgres: string;

beforeAll(() => {
  requireHelm();
  dir = tempDir('external-secrets');
  chart = writeChart(helmChartFiles());
  full = join(dir, 'full.yaml');
  noPostgres = join(dir, 'no-postgres.yaml');
  writeFileSync(full, dump(WITH_POSTGRES));
  writeFileSync(noPostgres, dump(GATEWAY_AND_REDIS));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(chart, '..'), { recursive: true, force: true });
});

describe('plain synth', () => {
  test('each ExternalSecret writes the Secret the pods read, with every key they read from it', () => {
    const objects = plain('kind', { valuesFiles: [full] });
    const externals = objects.filter((o) => o.kind === 'ExternalSecret');
    expect(externals.map((e) => e.metadata.name).sort()).toEqual(['mcp-stack-gateway', 'mcp-stack-postgres', 'mcp-stack-redis']);
    const written = new Set(externals.flatMap((e) => [e.spec.target.name, ...e.spec.data.map((d: any) => `${e.spec.target.name}/${d.secretKey}`)]));
    const read = reads(objects);
    expect(read.size).toBeGreaterThan(3);
    for (const r of read) expect(written).toContain(r);
    const gateway = externals.find((e) => e.metadata.name === 'mcp-stack-gateway');
    expect(gateway.apiVersion).toBe('external-secrets.io/v1');
    expect(gateway.spec.target).toEqual({ name: 'vault-gateway', creationPolicy: 'Owner' });
    expect(gateway.spec.secretStoreRef).toEqual({ name: 'vault', kind: 'ClusterSecretStore' });
    expect(gateway.spec.data).toContainEqual({ secretKey: 'PLATFORM_ADMIN_PASSWORD', remoteRef: { key: 'mcp/admin' } });
    const redis = externals.find((e) => e.metadata.name === 'mcp-stack-redis');
    expect(redis.spec).toMatchObject({ refreshInterval: '15m', target: { name: 'mcp-stack-redis' }, data: [{ secretKey: 'pw', remoteRef: { key: 'mcp/redis', property: 'password' } }] });
  });

  test('off by default: no ExternalSecret in any profile', () => {
    for (const profile of ['kind', 'ocp', 'production']) expect(plain(profile).filter((o) => o.kind === 'ExternalSecret')).toEqual([]);
  });

  test('`secrets` no longer generates the Secrets an ExternalSecret writes, and says who writes them', () => {
    const gen = spawnSync(process.execPath, [join(ROOT, 'build', 'main.js'), 'secrets', '--profile', 'kind', '--values', noPostgres], { encoding: 'utf8' });
    expect(gen.status).toBe(0);
    expect((loadAll(gen.stdout) as any[]).filter((o) => o?.kind === 'Secret').map((s) => s.metadata.name)).toEqual(['mcp-stack-postgres']);
    const list = spawnSync(process.execPath, [join(ROOT, 'build', 'main.js'), 'secrets', '--profile', 'production', '--values', noPostgres], { encoding: 'utf8' });
    expect(list.stdout).toContain('vault-gateway  (created by external-secrets');
    expect(list.stdout).toContain('mcp-stack-redis  (created by external-secrets');
  });

  test('the output gate checks an ExternalSecret against its CRD: a store kind the CRD does not know is refused', () => {
    const out = join(dir, 'bad');
    mkdirSync(out, { recursive: true });
    const bad = plain('kind', { valuesFiles: [noPostgres] }).filter((o) => o.kind === 'ExternalSecret');
    bad[0].spec.secretStoreRef.kind = 'VaultStore';
    writeFileSync(join(out, 'external.yaml'), bad.map((o) => dump(o)).join('---\n'));
    const r = spawnSync(process.execPath, [join(ROOT, 'build', 'main.js'), 'validate', '--profile', 'kind', out], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/ExternalSecret\/mcp-stack\/mcp-stack-gateway[\s\S]*secretStoreRef\.kind/);
  });
});

describe.each(HELM_NAMES)('%s', (h) => {
  test('values-kind.yaml with every ExternalSecret renders what the plain synth renders', () => {
    const o = { valuesFiles: [join(chart, 'values-kind.yaml'), full] };
    const objects = helmTemplate(h, chart, o);
    expect(objects.filter((x) => x.kind === 'ExternalSecret')).toHaveLength(3);
    expect(byKey(objects)).toEqual(byKey(plain('kind', o)));
  });

  test('values-production.yaml with the gateway and Redis ExternalSecrets renders what the plain synth renders', () => {
    const o = { valuesFiles: [join(chart, 'values-production.yaml'), noPostgres] };
    expect(byKey(helmTemplate(h, chart, o))).toEqual(byKey(plain('production', o)));
  });
});
