/**
 * The database modes: the stack's own PGO cluster, an existing PGO cluster, any Postgres given by a Secret, PgBouncer
 * on or off. Each is checked on the plain output (wiring, NetworkPolicies, the Secrets listed), through the output
 * gate, through Helm 3 and Helm 4 against the plain synth, and refused at synth time when it cannot work.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { helmChartFiles } from '../lib/helm';
import { expectedSecrets } from '../lib/stack/secrets';
import { validateDocuments } from '../lib/gate';
import { loadAll } from 'js-yaml';
import { gatePolicy } from '../lib/cli/gate';
import { renderProfile } from '../lib/cli/synth';
import { InputError } from '../profiles/errors';
import { loadValues } from '../profiles/loader';
import { find, synth, values } from './support';
import { byKey, HELM_NAMES, helm, helmTemplate, plain, requireHelm, writeChart } from './helm/support';

const ROOT = join(__dirname, '..');
const MAIN = join(ROOT, 'build', 'main.js');

const EXTERNAL = ['database.mode=external', 'database.external.secretName=app-db', 'database.external.cidrs={10.20.0.0/24}', 'database.external.port=6432'];
const EXISTING = ['database.pgo.existingCluster=shared-pg'];
/** Without PgBouncer every gateway connection reaches Postgres: max_connections must hold the production HPA maximum. */
const NO_BOUNCER = ['database.pgo.pgbouncer.enabled=false', 'database.pgo.parameters.max_connections=1300'];

const env = (c: any, name: string) => c.env.find((e: any) => e.name === name);
const gatewayContainer = (o: any[]) => find(o, 'Deployment', 'mcp-stack-gateway').spec.template.spec.containers[0];
const migrationContainer = (o: any[]) => o.find((x) => x.kind === 'Job' && x.metadata.labels['app.kubernetes.io/component'] === 'migration').spec.template.spec.containers[0];
const policy = (o: any[], name: string) => find(o, 'NetworkPolicy', name).spec;
/** Errors of the output gate as synth runs it (with the profile's policy: its Secrets are created elsewhere). */
function gateErrors(profile: string, sets: string[]) {
  const v = values(profile, sets);
  const docs = [...renderProfile(v)]
    .filter(([file]) => /\.ya?ml$/.test(file))
    .flatMap(([file, text]) => loadAll(text).filter((o) => o != null).map((object) => ({ file, object })));
  return validateDocuments(docs, { policy: gatePolicy(v) }).findings.filter((f) => f.severity === 'error');
}

describe('PgBouncer off (the stack\'s own PGO cluster)', () => {
  const o = synth('production', NO_BOUNCER);

  test('the PostgresCluster has no proxy, and the gateway connects to the primary like the migration', () => {
    expect(find(o, 'PostgresCluster', 'mcp-stack-pg').spec.proxy).toBeUndefined();
    expect(env(gatewayContainer(o), 'POSTGRES_HOST').valueFrom.secretKeyRef).toEqual({ name: 'mcp-stack-pg-pguser-mcp', key: 'host' });
    expect(env(gatewayContainer(o), 'POSTGRES_PORT').valueFrom.secretKeyRef).toEqual({ name: 'mcp-stack-pg-pguser-mcp', key: 'port' });
    expect(env(migrationContainer(o), 'POSTGRES_HOST').valueFrom.secretKeyRef.key).toBe('host');
  });

  test('the NetworkPolicies send the gateway to the primary, and no policy is left for PgBouncer', () => {
    const gw = policy(o, 'mcp-stack-allow-gateway');
    expect(gw.egress).toContainEqual({
      to: [{ podSelector: { matchLabels: { 'postgres-operator.crunchydata.com/cluster': 'mcp-stack-pg', 'postgres-operator.crunchydata.com/role': 'master' } } }],
      ports: [{ port: 5432, protocol: 'TCP' }],
    });
    expect(o.some((x) => x.kind === 'NetworkPolicy' && x.metadata.name === 'mcp-stack-allow-postgres-pgbouncer')).toBe(false);
    expect(gateErrors('production', NO_BOUNCER)).toEqual([]);
  });

  test('the PGO Secret is listed without the PgBouncer keys', () => {
    const s = expectedSecrets(values('production', NO_BOUNCER)).find((x) => x.name === 'mcp-stack-pg-pguser-mcp')!;
    expect(s.keys.map((k) => k.key)).toEqual(['dbname', 'host', 'password', 'port', 'user']);
  });

  test('the gate refuses it when max_connections cannot hold the gateway pools without a pooler', () => {
    const errors = gateErrors('production', ['database.pgo.pgbouncer.enabled=false']);
    expect(errors.map((e) => e.rule)).toEqual(['invariant/pg-connection-budget']);
    expect(errors[0].message).toContain('direct 10 pods × 4 workers × (15 pool + 10 overflow)');
  });
});

describe('an existing PGO cluster', () => {
  const o = synth('production', EXISTING);

  test('renders no PostgresCluster and no init SQL, and reads the user Secret PGO wrote for that cluster', () => {
    expect(o.some((x) => x.kind === 'PostgresCluster')).toBe(false);
    expect(o.some((x) => x.kind === 'ConfigMap' && x.metadata.name === 'mcp-stack-pg-init')).toBe(false);
    expect(env(gatewayContainer(o), 'POSTGRES_HOST').valueFrom.secretKeyRef).toEqual({ name: 'shared-pg-pguser-mcp', key: 'pgbouncer-host' });
    expect(env(migrationContainer(o), 'POSTGRES_HOST').valueFrom.secretKeyRef).toEqual({ name: 'shared-pg-pguser-mcp', key: 'host' });
    const s = expectedSecrets(values('production', EXISTING)).find((x) => x.name === 'shared-pg-pguser-mcp')!;
    expect(s.createdBy).toBe('pgo');
    expect(s.purpose).toContain('PostgresCluster shared-pg');
  });

  test("the NetworkPolicies select that cluster's pods (the namespace's default deny covers them too)", () => {
    const gw = policy(o, 'mcp-stack-allow-gateway');
    expect(gw.egress).toContainEqual({
      to: [{ podSelector: { matchLabels: { 'postgres-operator.crunchydata.com/cluster': 'shared-pg', 'postgres-operator.crunchydata.com/role': 'pgbouncer' } } }],
      ports: [{ port: 5432, protocol: 'TCP' }],
    });
    expect(policy(o, 'mcp-stack-allow-postgres-cluster').podSelector).toEqual({ matchLabels: { 'postgres-operator.crunchydata.com/cluster': 'shared-pg' } });
    expect(gateErrors('production', EXISTING)).toEqual([]);
  });

  test('with PgBouncer off, the gateway uses the host key of that Secret', () => {
    const p = synth('production', [...EXISTING, ...NO_BOUNCER]);
    expect(env(gatewayContainer(p), 'POSTGRES_HOST').valueFrom.secretKeyRef).toEqual({ name: 'shared-pg-pguser-mcp', key: 'host' });
  });
});

describe('any Postgres given by a Secret', () => {
  test('from parts: each env var from its key, the URL composed by the kubelet with the sslmode', () => {
    const sets = [...EXTERNAL, 'database.external.sslMode=verify-full', 'database.external.databaseKey=db'];
    const o = synth('production', sets);
    expect(o.some((x) => x.kind === 'PostgresCluster' || (x.kind === 'StatefulSet' && x.metadata.name.endsWith('postgres')))).toBe(false);
    for (const c of [gatewayContainer(o), migrationContainer(o)]) {
      expect(env(c, 'POSTGRES_HOST').valueFrom.secretKeyRef).toEqual({ name: 'app-db', key: 'host' });
      expect(env(c, 'POSTGRES_DB').valueFrom.secretKeyRef).toEqual({ name: 'app-db', key: 'db' });
      // The password stays out of the URL (the kubelet cannot percent-encode it); libpq reads it from PGPASSWORD.
      expect(env(c, 'PGPASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'app-db', key: 'password' });
      expect(env(c, 'DATABASE_URL').value).toBe('postgresql+psycopg://$(POSTGRES_USER)@$(POSTGRES_HOST):$(POSTGRES_PORT)/$(POSTGRES_DB)?sslmode=verify-full');
    }
    expect(gateErrors('production', sets)).toEqual([]);
  });

  test('from one URL key: only DATABASE_URL, read from the Secret', () => {
    const o = synth('kind', ['database.mode=external', 'database.external.secretName=app-db', 'database.external.urlKey=uri']);
    const c = gatewayContainer(o);
    expect(env(c, 'DATABASE_URL')).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'app-db', key: 'uri' } } });
    expect(c.env.some((e: any) => e.name.startsWith('POSTGRES_'))).toBe(false);
    const s = expectedSecrets(values('kind', ['database.mode=external', 'database.external.secretName=app-db', 'database.external.urlKey=uri'])).find((x) => x.name === 'app-db')!;
    expect(s).toMatchObject({ createdBy: 'database-owner', keys: [{ key: 'uri', kind: 'fixed' }] });
  });

  test('the gateway and the migration may reach the declared addresses on the declared port, and no database pod policy exists', () => {
    const o = synth('production', EXTERNAL);
    for (const name of ['mcp-stack-allow-gateway', 'mcp-stack-allow-migration']) {
      expect(policy(o, name).egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.20.0.0/24' } }], ports: [{ port: 6432, protocol: 'TCP' }] });
    }
    expect(o.filter((x) => x.kind === 'NetworkPolicy' && x.metadata.name.includes('postgres'))).toEqual([]);
  });

  test('the secrets command names the Secret and its keys and generates nothing for it', () => {
    const r = spawnSync(process.execPath, [MAIN, 'secrets', '--profile', 'production', ...EXTERNAL.flatMap((s) => ['--set', s])], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("app-db  (you create it with the database's credentials: connection to the external database)");
    for (const k of ['host', 'port', 'dbname', 'user', 'password']) expect(r.stdout).toContain(`    - ${k}\n`);
  });
});

describe('combinations that cannot work are refused at synth time', () => {
  const problems = (profile: string, sets: string[]) => {
    try {
      loadValues({ profile, sets });
    } catch (e) {
      return (e as InputError).problems.map((p) => `${p.path}: ${p.message}`);
    }
    return [];
  };

  test('external without a Secret, with NetworkPolicies and no address: exit 2, one message naming both, nothing written', () => {
    const r = spawnSync(process.execPath, [MAIN, 'synth', '--profile', 'production', '--stdout', '--set', 'database.mode=external'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('invalid input: 2 problems');
    expect(r.stderr).toContain('database.external.secretName: must name the Secret holding the database URL or its parts (database.mode is external)');
    expect(r.stderr).toContain("database.external.cidrs: must list the database's addresses: with networkPolicies.enabled the gateway and the migration may connect nowhere else (received [])");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('parts missing when there is no URL key; sslMode beside a URL; an existing cluster outside the pgo mode', () => {
    expect(problems('kind', ['database.mode=external', 'database.external.secretName=db', 'database.external.hostKey=', 'database.external.passwordKey='])).toEqual([
      'database.external.hostKey: must be set when urlKey is empty (the URL is built from the parts)',
      'database.external.passwordKey: must be set when urlKey is empty (the URL is built from the parts)',
    ]);
    expect(problems('kind', ['database.mode=external', 'database.external.secretName=db', 'database.external.urlKey=uri', 'database.external.sslMode=require'])).toEqual([
      'database.external.sslMode: applies to a URL built from parts only: with urlKey, put sslmode in the URL itself',
    ]);
    expect(problems('kind', ['database.pgo.existingCluster=shared-pg'])).toEqual(['database.pgo.existingCluster: is used only with database.mode pgo (database.mode is standalone)']);
  });
});

describe.each(HELM_NAMES)('%s renders the database modes as the plain synth does', (h) => {
  let chart: string;
  beforeAll(() => {
    requireHelm();
    chart = writeChart(helmChartFiles());
  });
  const cases: [string, string[]][] = [
    ['production', NO_BOUNCER],
    ['ocp', ['database.pgo.pgbouncer.enabled=false']],
    ['production', EXISTING],
    ['production', [...EXISTING, ...NO_BOUNCER]],
    ['production', [...EXTERNAL, 'database.external.sslMode=require']],
    ['kind', ['database.mode=external', 'database.external.secretName=app-db', 'database.external.urlKey=uri']],
    ['kind', ['database.mode=external', 'database.external.secretName=app-db', 'networkPolicies.enabled=true', 'database.external.cidrs={10.1.2.3/32}']],
  ];
  test.each(cases)('%s with %s', (profile, sets) => {
    const rendered = helmTemplate(h, chart, { valuesFiles: [join(chart, `values-${profile}.yaml`)], sets });
    expect(byKey(rendered)).toEqual(byKey(plain(profile, { sets })));
  });

  test.each([
    ['production', ['database.mode=external']],
    ['kind', ['database.mode=external', 'database.external.secretName=db', 'database.external.hostKey=', 'database.external.userKey=']],
    ['kind', ['database.mode=external', 'database.external.secretName=db', 'database.external.urlKey=uri', 'database.external.sslMode=require']],
    ['ocp', ['database.mode=standalone', 'database.pgo.existingCluster=shared-pg']],
  ])('refuses %s with %s in the same words as the synth', (profile, sets) => {
    let problems: string[] = [];
    try {
      loadValues({ profile, sets });
    } catch (e) {
      problems = (e as InputError).problems.map((p) => `${p.path}: ${p.message}`);
    }
    expect(problems.length).toBeGreaterThan(0);
    const r = helm(h, ['template', 'r', chart, '-f', join(chart, `values-${profile}.yaml`), ...sets.flatMap((x) => ['--set', x])]);
    expect(r.code).not.toBe(0);
    for (const p of problems) expect(r.stderr).toContain(p);
  });
});
