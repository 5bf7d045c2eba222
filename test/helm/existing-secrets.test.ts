/**
 * Bring-your-own Secrets (`secrets.<name>.existingSecret` and key names): every reference of the plain synth and of
 * the chart (Helm 3 and 4) reads the user's Secret and keys, none reads the stack's own name, and the `secrets`
 * command and the chart's notes tell the user that same name.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { helmChartFiles } from '../../lib/helm';
import { byKey, HELM_NAMES, helm, helmTemplate, plain, requireHelm, ROOT, tempDir, writeChart } from './support';

const MINE = {
  secrets: {
    gateway: { existingSecret: 'vault-gateway' },
    redis: { existingSecret: 'vault-redis', passwordKey: 'redis-password' },
    postgres: { existingSecret: 'vault-postgres', userKey: 'username', passwordKey: 'pw', databaseKey: 'db' },
  },
  benchmark: { enabled: true },
};
/** With PGO the database Secret is the operator's: naming one is refused (a cross-field rule), so these leave it out. */
const MINE_PGO = { ...MINE, secrets: { gateway: MINE.secrets.gateway, redis: MINE.secrets.redis } };

/** Every Secret a pod template reads: `name` for whole Secrets (envFrom), `name/key` for single keys. */
function secretReads(objects: readonly any[]): Set<string> {
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
let mine: string;
let minePgo: string;

beforeAll(() => {
  requireHelm();
  dir = tempDir('existing-secrets');
  chart = writeChart(helmChartFiles());
  mine = join(dir, 'mine.yaml');
  writeFileSync(mine, dump(MINE));
  minePgo = join(dir, 'mine-pgo.yaml');
  writeFileSync(minePgo, dump(MINE_PGO));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(chart, '..'), { recursive: true, force: true });
});

describe('plain synth', () => {
  test('standalone (kind): every credential is read from the named Secrets and keys, none from the stack names', () => {
    const reads = [...secretReads(plain('kind', { valuesFiles: [mine] }))].sort();
    expect(reads).toEqual(['vault-gateway', 'vault-postgres/db', 'vault-postgres/pw', 'vault-postgres/username', 'vault-redis/redis-password']);
  });

  test('PGO (production): the gateway and Redis Secrets are the user\'s; the database Secret stays the one PGO writes', () => {
    const reads = [...secretReads(plain('production', { valuesFiles: [minePgo] }))];
    expect(reads).toEqual(expect.arrayContaining(['vault-gateway', 'vault-redis/redis-password', 'mcp-stack-pg-pguser-mcp/password']));
    expect(reads.filter((r) => /^mcp-stack-(gateway|redis|postgres)\b/.test(r))).toEqual([]);
    expect(reads.filter((r) => r.startsWith('vault-postgres'))).toEqual([]);
  });

  test('unset, the stack reads its own Secrets under their usual keys', () => {
    expect([...secretReads(plain('kind'))].sort()).toEqual([
      'mcp-stack-gateway',
      'mcp-stack-postgres/dbname',
      'mcp-stack-postgres/password',
      'mcp-stack-postgres/user',
      'mcp-stack-redis/REDIS_PASSWORD',
    ]);
  });

  test('`secrets` lists the named Secrets with the named keys, and generates them so on kind', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'build', 'main.js'), 'secrets', '--profile', 'kind', '--values', mine], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const secrets = (loadAll(r.stdout) as any[]).filter((o) => o?.kind === 'Secret');
    const keys = Object.fromEntries(secrets.map((s) => [s.metadata.name, Object.keys(s.stringData ?? s.data).sort()]));
    expect(keys).toEqual({
      'vault-gateway': ['AUTH_ENCRYPTION_SECRET', 'BASIC_AUTH_PASSWORD', 'JWT_SECRET_KEY', 'PLATFORM_ADMIN_PASSWORD'],
      'vault-postgres': ['db', 'pw', 'username'],
      'vault-redis': ['redis-password'],
    });
  });

  test('a name or key that is not one is refused with its path', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, dump({ secrets: { redis: { existingSecret: 'Vault_Redis', passwordKey: 'a/b' } } }));
    expect(() => plain('kind', { valuesFiles: [bad] })).toThrow(/secrets\.redis\.existingSecret[\s\S]*secrets\.redis\.passwordKey/);
  });
});

describe.each(HELM_NAMES)('%s', (h) => {
  test.each(['kind', 'ocp', 'production'])('values-%s.yaml with existing Secrets renders what the plain synth renders', (profile) => {
    const o = { valuesFiles: [join(chart, `values-${profile}.yaml`), profile === 'kind' ? mine : minePgo] };
    const objects = helmTemplate(h, chart, o);
    expect(byKey(objects)).toEqual(byKey(plain(profile, o)));
    expect(secretReads(objects)).toContain('vault-gateway');
  });

  test('--set reaches them', () => {
    const o = { sets: ['secrets.redis.existingSecret=corp-redis', 'secrets.redis.passwordKey=pass'] };
    expect(byKey(helmTemplate(h, chart, o))).toEqual(byKey(plain('kind', o)));
  });
});

// Helm 3 needs a cluster for `install --dry-run`; Helm 4 renders the notes offline.
test('the notes name the user\'s Secrets and keys, and the stack\'s own when none is named', () => {
  const notes = (sets: string[]) => {
    const r = helm('helm4', ['install', 'mcp-stack', chart, '-n', 'mcp-stack', '--dry-run=client', ...sets.flatMap((s) => ['--set', s])]);
    expect(r.code).toBe(0);
    return r.stdout.slice(r.stdout.indexOf('NOTES:'));
  };
  const mineNotes = notes(['secrets.redis.existingSecret=corp-redis', 'secrets.redis.passwordKey=pass', 'secrets.gateway.existingSecret=corp-gw']);
  expect(mineNotes).toContain('corp-redis: pass');
  expect(mineNotes).toContain('create secret generic corp-gw');
  expect(mineNotes).toContain('from Secret corp-gw.');
  expect(mineNotes).not.toContain('mcp-stack-redis');
  const own = notes([]);
  expect(own).toContain('mcp-stack-redis: REDIS_PASSWORD');
  expect(own).toContain('mcp-stack-postgres: dbname (= mcp), password, user (= mcp)');
});
