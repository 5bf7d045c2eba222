/**
 * High availability where the profiles claim it: PGO instances and PgBouncer spread over nodes with budgets,
 * volume sizes that can grow but not shrink, pgBackRest to S3-compatible object storage, restores, and Redis as one
 * pod. Checked on the plain output, through the output gate (CRD schema, capacity placement, connection budget,
 * NetworkPolicies), through Helm 3 and Helm 4 against the plain synth, and refused at synth time when it cannot work.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { helmChartFiles } from '../lib/helm';
import { validateDocuments } from '../lib/gate';
import { gatePolicy } from '../lib/cli/gate';
import { renderProfile } from '../lib/cli/synth';
import { oneWayDoors } from '../lib/output/one-way-doors';
import { expectedSecrets } from '../lib/stack/secrets';
import { InputError } from '../profiles/errors';
import { loadValues } from '../profiles/loader';
import { find, synth, values } from './support';
import { byKey, HELM_NAMES, helm, helmTemplate, plain, requireHelm, writeChart } from './helm/support';

const MAIN = join(__dirname, '..', 'build', 'main.js');
const CLUSTER = 'postgres-operator.crunchydata.com/cluster';

const S3 = [
  'database.pgo.backups.s3.enabled=true',
  'database.pgo.backups.s3.bucket=mcp-backups',
  'database.pgo.backups.s3.endpoint=s3.eu-west-1.amazonaws.com',
  'database.pgo.backups.s3.region=eu-west-1',
  'database.pgo.backups.s3.secretName=pgbackrest-s3',
  'database.pgo.backups.s3.cidrs={52.95.0.0/16,3.5.0.0/16}',
];
const MINIO = ['database.pgo.backups.s3.endpoint=minio.storage.svc:9000', 'database.pgo.backups.s3.uriStyle=path', 'database.pgo.backups.s3.verifyTls=false', 'database.pgo.backups.s3.port=9000'];
const RESTORE = ['database.pgo.restore.enabled=true', 'database.pgo.restore.id=20260131-1200', 'database.pgo.restore.repoName=repo2', 'database.pgo.restore.options={--type=time,--target=2026-01-31 12:00:00+00}'];
/** The ocp option: two instances and two PgBouncers on separate nodes, sharing the server connections. */
const OCP_HA = [
  'database.pgo.instances.replicas=2',
  'database.pgo.instances.antiAffinity=required',
  'database.pgo.instances.pdb.enabled=true',
  'database.pgo.pgbouncer.replicas=2',
  'database.pgo.pgbouncer.antiAffinity=required',
  'database.pgo.pgbouncer.pdb.enabled=true',
  'database.pgo.pgbouncer.maxDbConnections=350',
];

const cluster = (o: any[]) => find(o, 'PostgresCluster', 'mcp-stack-pg');
function gateErrors(profile: string, sets: string[]) {
  const v = values(profile, sets);
  const docs = [...renderProfile(v)]
    .filter(([file]) => /\.ya?ml$/.test(file))
    .flatMap(([file, text]) => loadAll(text).filter((o) => o != null).map((object) => ({ file, object })));
  return validateDocuments(docs, { policy: gatePolicy(v) }).findings.filter((f) => f.severity === 'error');
}
function problems(profile: string, sets: string[]): string[] {
  try {
    loadValues({ profile, sets });
  } catch (e) {
    return (e as InputError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}
/** Egress rules of every NetworkPolicy that send to an address range, with the pods they apply to. */
const ipEgress = (o: any[]) =>
  o
    .filter((x) => x.kind === 'NetworkPolicy')
    .flatMap((np) => (np.spec.egress ?? []).filter((r: any) => r.to?.some((t: any) => t.ipBlock)).map((r: any) => ({ pods: np.spec.podSelector, rule: r })));

describe('production: Postgres and PgBouncer survive a node', () => {
  const o = synth('production');
  const spec = cluster(o).spec;

  test('two instances and two PgBouncers, never two of a kind on one node, one of each kept through a drain', () => {
    const [instances] = spec.instances;
    expect(instances).toMatchObject({ replicas: 2, minAvailable: 1 });
    expect(instances.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { [CLUSTER]: 'mcp-stack-pg', 'postgres-operator.crunchydata.com/instance-set': 'instance1' } } },
    ]);
    const bouncer = spec.proxy.pgBouncer;
    expect(bouncer).toMatchObject({ replicas: 2, minAvailable: 1 });
    expect(bouncer.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { [CLUSTER]: 'mcp-stack-pg', 'postgres-operator.crunchydata.com/role': 'pgbouncer' } } },
    ]);
  });

  test('volumes sized for use: 50Gi of data, 100Gi of backups', () => {
    expect(spec.instances[0].dataVolumeClaimSpec.resources.requests.storage).toBe('50Gi');
    expect(spec.backups.pgbackrest.repos[0].volume.volumeClaimSpec.resources.requests.storage).toBe('100Gi');
  });

  test('the gate passes it: CRD schema, placement on the 3 declared nodes, and the connection budget of two PgBouncers', () => {
    expect(gateErrors('production', [])).toEqual([]);
  });

  test("the budget counts every PgBouncer: each keeping one's 700 server connections is refused", () => {
    const errors = gateErrors('production', ['database.pgo.pgbouncer.maxDbConnections=700']);
    expect(errors.map((f) => f.rule)).toContain('invariant/pg-connection-budget');
    expect(errors.find((f) => f.rule === 'invariant/pg-connection-budget')?.message).toContain('PgBouncer 2 × min(max_db_connections 700');
  });

  test('shrinking a volume back is a one-way door, refused with the values to keep; growing is not', () => {
    const smaller = synth('production', ['database.pgo.instances.storage.size=20Gi', 'database.pgo.backups.storage.size=60Gi']);
    expect(oneWayDoors(o, smaller).map((p) => `${p.path}: ${p.message}`)).toEqual([
      expect.stringMatching(/^PostgresCluster\/mcp-stack-pg spec\.instances\[instance1\]\.dataVolumeClaimSpec\.resources\.requests\.storage: one-way door: a volume cannot shrink \(50Gi to 20Gi, database\.pgo\.instances\.storage\.size\)/),
      expect.stringMatching(/^PostgresCluster\/mcp-stack-pg spec\.backups.*repo1.*one-way door: a volume cannot shrink \(100Gi to 60Gi/),
    ]);
    expect(oneWayDoors(smaller, o)).toEqual([]);
  });
});

describe('ocp: one of each as benchmarked, HA as an option', () => {
  test('the default keeps one instance and one PgBouncer, spread when there is room, with realistic volumes', () => {
    const spec = cluster(synth('ocp')).spec;
    expect(spec.instances[0]).toMatchObject({ replicas: 1, dataVolumeClaimSpec: { storageClassName: 'nfs-client', resources: { requests: { storage: '10Gi' } } } });
    expect(spec.instances[0].minAvailable).toBeUndefined();
    expect(spec.proxy.pgBouncer.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight).toBe(100);
    expect(spec.backups.pgbackrest.repos[0].volume.volumeClaimSpec.resources.requests.storage).toBe('20Gi');
  });

  test('the option renders two of each on separate nodes and passes the gate', () => {
    const spec = cluster(synth('ocp', OCP_HA)).spec;
    expect(spec.instances[0]).toMatchObject({ replicas: 2, minAvailable: 1 });
    expect(spec.proxy.pgBouncer).toMatchObject({ replicas: 2, minAvailable: 1 });
    expect(spec.proxy.pgBouncer.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(gateErrors('ocp', OCP_HA)).toEqual([]);
  });

  test('more required replicas than nodes, or a budget that blocks every eviction, are refused naming the values', () => {
    expect(problems('ocp', [...OCP_HA, 'database.pgo.pgbouncer.replicas=4', 'database.pgo.instances.pdb.minAvailable=2'])).toEqual([
      "database.pgo.instances.pdb.minAvailable: must be below database.pgo.instances.replicas (2) or no Postgres pod could ever be evicted (a node drain would hang)",
      "database.pgo.pgbouncer.antiAffinity: 'required' keeps every PgBouncer pod on its own node: 4 replicas need as many nodes (cluster.nodes is 3); lower the replicas or use 'preferred'",
    ]);
  });
});

describe('pgBackRest to S3-compatible object storage', () => {
  const o = synth('production', S3);
  const pgbackrest = cluster(o).spec.backups.pgbackrest;

  test('a second repository in the bucket, on the same schedules, in a path of its own, with the credentials mounted from the user Secret', () => {
    expect(pgbackrest.repos[1]).toEqual({ name: 'repo2', s3: { bucket: 'mcp-backups', endpoint: 's3.eu-west-1.amazonaws.com', region: 'eu-west-1' }, schedules: pgbackrest.repos[0].schedules });
    expect(pgbackrest.repos[0].schedules.full).toBe('0 1 * * 0');
    expect(pgbackrest.configuration).toEqual([{ secret: { name: 'pgbackrest-s3' } }]);
    expect(pgbackrest.global).toMatchObject({ 'repo2-path': '/pgbackrest/mcp-stack/mcp-stack-pg/repo2', 'repo2-retention-full': '4', 'repo2-s3-uri-style': 'host' });
    expect(pgbackrest.global['repo2-storage-verify-tls']).toBeUndefined();
    // Credentials only by reference: no key name of the pgBackRest credential options appears in the output.
    expect(JSON.stringify(o)).not.toMatch(/s3-key/);
  });

  test('an S3-compatible store: path-style addressing, its own port, TLS check off when asked', () => {
    const g = cluster(synth('production', [...S3, ...MINIO])).spec.backups.pgbackrest.global;
    expect(g).toMatchObject({ 'repo2-s3-uri-style': 'path', 'repo2-storage-verify-tls': 'n' });
  });

  test("the cluster's pods may send to the declared addresses and port only, and the gate passes it", () => {
    const rules = ipEgress(o).filter(({ rule }) => rule.to.some((t: any) => t.ipBlock.cidr === '52.95.0.0/16'));
    expect(rules).toEqual([{ pods: { matchLabels: { [CLUSTER]: 'mcp-stack-pg' } }, rule: { to: [{ ipBlock: { cidr: '52.95.0.0/16' } }, { ipBlock: { cidr: '3.5.0.0/16' } }], ports: [{ port: 443, protocol: 'TCP' }] } }]);
    expect(ipEgress(synth('production')).some(({ rule }) => rule.to.some((t: any) => t.ipBlock.cidr === '52.95.0.0/16'))).toBe(false);
    expect(gateErrors('production', S3)).toEqual([]);
  });

  test('the secrets command and the chart notes say what the user must create', () => {
    const s = expectedSecrets(values('production', S3)).find((x) => x.name === 'pgbackrest-s3');
    expect(s).toMatchObject({ createdBy: 'storage-owner', keys: [{ key: 's3.conf', kind: 'fixed' }] });
    const r = spawnSync(process.execPath, [MAIN, 'secrets', '--profile', 'production', ...S3.flatMap((x) => ['--set', x])], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('pgbackrest-s3  (you create it with the access key pgBackRest uses: a file with [global], repo2-s3-key=<key id> and repo2-s3-key-secret=<secret>');
    expect(helmChartFiles().get('templates/NOTES.txt')).toContain('repo2-s3-key=<access key id> and repo2-s3-key-secret=<secret access key>');
  });

  test('incomplete settings are refused in one message, every problem named', () => {
    const r = spawnSync(process.execPath, [MAIN, 'synth', '--profile', 'production', '--stdout', '--set', 'database.pgo.backups.s3.enabled=true'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('invalid input: 5 problems');
    for (const key of ['bucket', 'endpoint', 'region']) expect(r.stderr).toContain(`database.pgo.backups.s3.${key}: must be set when the object storage repository is on`);
    expect(r.stderr).toContain('database.pgo.backups.s3.secretName: must name the Secret holding s3.conf');
    expect(r.stderr).toContain("database.pgo.backups.s3.cidrs: must list the object storage's addresses");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(problems('production', ['database.pgo.backups.s3.cidrs={52.95.0.0/16}'])).toEqual([
      'database.pgo.backups.s3.cidrs: opens the database pods to the object storage repository: needs database.pgo.backups.s3.enabled (clear it when turning the repository off)',
    ]);
  });
});

describe('restores', () => {
  test('in place: the restore section and the annotation whose change starts it', () => {
    const c = cluster(synth('production', [...S3, ...RESTORE]));
    expect(c.spec.backups.pgbackrest.restore).toEqual({ enabled: true, repoName: 'repo2', options: ['--type=time', '--target=2026-01-31 12:00:00+00'] });
    expect(c.metadata.annotations['postgres-operator.crunchydata.com/pgbackrest-restore']).toBe('20260131-1200');
    expect(gateErrors('production', [...S3, ...RESTORE])).toEqual([]);
    const plainCluster = cluster(synth('production'));
    expect(plainCluster.spec.backups.pgbackrest.restore).toBeUndefined();
    expect(plainCluster.metadata.annotations['postgres-operator.crunchydata.com/pgbackrest-restore']).toBeUndefined();
  });

  test('a new cluster seeded from the backups of another', () => {
    const spec = cluster(synth('ocp', ['database.pgo.dataSource.clusterName=old-pg', 'database.pgo.dataSource.options={--type=time,--target=2026-01-31 12:00:00+00}'])).spec;
    expect(spec.dataSource).toEqual({ postgresCluster: { clusterName: 'old-pg', repoName: 'repo1', options: ['--type=time', '--target=2026-01-31 12:00:00+00'] } });
    expect(cluster(synth('ocp')).spec.dataSource).toBeUndefined();
  });

  test('what cannot restore is refused: no id, the object storage repository while it is off, another mode, a malformed option', () => {
    expect(problems('production', ['database.pgo.restore.enabled=true', 'database.pgo.restore.repoName=repo2'])).toEqual([
      'database.pgo.restore.id: must be set when the restore is on: PGO restores when this value changes (use a timestamp, and a new one for the next restore)',
      "database.pgo.restore.repoName: 'repo2' is the object storage repository: needs database.pgo.backups.s3.enabled",
    ]);
    expect(problems('kind', ['database.pgo.restore.enabled=true', 'database.pgo.restore.id=r1', 'database.pgo.dataSource.clusterName=old-pg'])).toEqual([
      "database.pgo.dataSource.clusterName: seeds the stack's own PostgresCluster: needs database.mode pgo without database.pgo.existingCluster",
      "database.pgo.restore.enabled: restores the stack's own PostgresCluster: needs database.mode pgo without database.pgo.existingCluster",
    ]);
    expect(problems('production', ['database.pgo.restore.options={type=time}'])).toEqual([expect.stringMatching(/^database\.pgo\.restore\.options\.0: must be a pgBackRest option such as --type=time/)]);
  });
});

describe('Redis runs as one pod', () => {
  test('more replicas are refused at synth time with the reason, exit 2', () => {
    const r = spawnSync(process.execPath, [MAIN, 'synth', '--profile', 'production', '--stdout', '--set', 'redis.replicas=2'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('redis.replicas: must be 1: the gateway reaches Redis through one REDIS_URL with a plain client (no Sentinel or Cluster support)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.each(HELM_NAMES)('%s renders the HA options as the plain synth does', (h) => {
  let chart: string;
  beforeAll(() => {
    requireHelm();
    chart = writeChart(helmChartFiles());
  });
  const cases: [string, string[]][] = [
    ['production', []],
    ['production', [...S3, ...RESTORE]],
    ['production', [...S3, ...MINIO]],
    ['ocp', OCP_HA],
    ['ocp', ['database.pgo.dataSource.clusterName=old-pg', 'database.pgo.dataSource.repoName=repo2']],
  ];
  test.each(cases)('%s with %s', (profile, sets) => {
    const rendered = helmTemplate(h, chart, { valuesFiles: [join(chart, `values-${profile}.yaml`)], sets });
    expect(byKey(rendered)).toEqual(byKey(plain(profile, { sets })));
  });

  test('refuses Redis replicas and an incomplete object storage repository in the same words as the synth', () => {
    const sets = ['redis.replicas=2', 'database.pgo.backups.s3.enabled=true'];
    const expected = problems('production', sets);
    expect(expected).toHaveLength(6);
    const r = helm(h, ['template', 'r', chart, '-f', join(chart, 'values-production.yaml'), ...sets.flatMap((x) => ['--set', x])]);
    expect(r.code).not.toBe(0);
    for (const p of expected) expect(r.stderr).toContain(p);
  });
});
