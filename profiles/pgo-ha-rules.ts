/**
 * Cross-field rules of high availability and recovery (PGO spreading, budgets, object storage, restores) and of
 * Redis, which runs as one pod. Part of CROSS_FIELD_RULES, so both the synth and the chart refuse them.
 */
import { and, bool, empty, eq, ge, gt, int, list, not, str, type CrossFieldRule } from './rule-language';

const pgoOwn = and(eq(str('database.mode'), 'pgo'), empty(str('database.pgo.existingCluster')));
const s3On = and(pgoOwn, bool('database.pgo.backups.s3.enabled'));
const S3_SETS = ['database.pgo.backups.s3.enabled=true', 'database.pgo.backups.s3.bucket=mcp-backups', 'database.pgo.backups.s3.endpoint=s3.eu-west-1.amazonaws.com', 'database.pgo.backups.s3.region=eu-west-1', 'database.pgo.backups.s3.secretName=pgbackrest-s3', 'database.pgo.backups.s3.cidrs={52.95.0.0/16}'];
const withoutSet = (key: string) => S3_SETS.filter((s) => !s.startsWith(`database.pgo.backups.s3.${key}=`));

/** Spreading and budgets, for the instances and for PgBouncer. */
const podSetRules = (set: 'instances' | 'pgbouncer', what: string, breakWith: string): CrossFieldRule[] => {
  const at = `database.pgo.${set}`;
  return [
    {
      path: `${at}.antiAffinity`,
      when: and(pgoOwn, eq(str(`${at}.antiAffinity`), 'required'), gt(int(`${at}.replicas`), int('cluster.nodes'))),
      message: ["'required' keeps every ", what, ' pod on its own node: ', int(`${at}.replicas`), ' replicas need as many nodes (cluster.nodes is ', int('cluster.nodes'), "); lower the replicas or use 'preferred'"],
      example: { profile: 'production', sets: [`${at}.replicas=${breakWith}`] },
    },
    {
      path: `${at}.pdb.minAvailable`,
      when: and(pgoOwn, bool(`${at}.pdb.enabled`), ge(int(`${at}.pdb.minAvailable`), int(`${at}.replicas`))),
      message: ['must be below ', at, '.replicas (', int(`${at}.replicas`), ') or no ', what, ' pod could ever be evicted (a node drain would hang)'],
      example: { profile: 'production', sets: [`${at}.pdb.minAvailable=2`] },
    },
  ];
};

export const PGO_HA_RULES: readonly CrossFieldRule[] = [
  {
    path: 'redis.replicas',
    when: gt(int('redis.replicas'), 1),
    message: [
      'must be 1: the gateway reaches Redis through one REDIS_URL with a plain client (no Sentinel or Cluster support), so more pods would be separate caches, not a failover pair; for Redis HA run a managed or Sentinel-fronted Redis outside the stack',
    ],
    example: { profile: 'production', sets: ['redis.replicas=3'] },
  },
  ...podSetRules('instances', 'Postgres', '4'),
  ...podSetRules('pgbouncer', 'PgBouncer', '4'),
  ...(['bucket', 'endpoint', 'region', 'secretName'] as const).map(
    (key): CrossFieldRule => ({
      path: `database.pgo.backups.s3.${key}`,
      when: and(s3On, empty(str(`database.pgo.backups.s3.${key}`))),
      message: [key === 'secretName' ? 'must name the Secret holding s3.conf (repo2-s3-key and repo2-s3-key-secret) when the object storage repository is on' : 'must be set when the object storage repository is on'],
      example: { profile: 'production', sets: withoutSet(key) },
    }),
  ),
  {
    path: 'database.pgo.backups.s3.cidrs',
    when: and(s3On, bool('networkPolicies.enabled'), empty(list('database.pgo.backups.s3.cidrs'))),
    message: ["must list the object storage's addresses: with networkPolicies.enabled the database pods may send backups nowhere else"],
    example: { profile: 'production', sets: withoutSet('cidrs') },
  },
  {
    path: 'database.pgo.backups.s3.cidrs',
    when: and(not(empty(list('database.pgo.backups.s3.cidrs'))), not(bool('database.pgo.backups.s3.enabled'))),
    message: ['opens the database pods to the object storage repository: needs database.pgo.backups.s3.enabled (clear it when turning the repository off)'],
    example: { profile: 'production', sets: ['database.pgo.backups.s3.cidrs={52.95.0.0/16}'] },
  },
  {
    path: 'database.pgo.backups.s3.enabled',
    when: and(bool('database.pgo.backups.s3.enabled'), not(pgoOwn)),
    message: ["configures the stack's own PostgresCluster: needs database.mode pgo without database.pgo.existingCluster"],
    example: { profile: 'kind', sets: ['database.pgo.backups.s3.enabled=true'] },
  },
  {
    path: 'database.pgo.restore.enabled',
    when: and(bool('database.pgo.restore.enabled'), not(pgoOwn)),
    message: ["restores the stack's own PostgresCluster: needs database.mode pgo without database.pgo.existingCluster"],
    example: { profile: 'kind', sets: ['database.pgo.restore.enabled=true', 'database.pgo.restore.id=r1'] },
  },
  {
    path: 'database.pgo.restore.id',
    when: and(pgoOwn, bool('database.pgo.restore.enabled'), empty(str('database.pgo.restore.id'))),
    message: ['must be set when the restore is on: PGO restores when this value changes (use a timestamp, and a new one for the next restore)'],
    example: { profile: 'production', sets: ['database.pgo.restore.enabled=true'] },
  },
  {
    path: 'database.pgo.restore.repoName',
    when: and(pgoOwn, bool('database.pgo.restore.enabled'), eq(str('database.pgo.restore.repoName'), 'repo2'), not(bool('database.pgo.backups.s3.enabled'))),
    message: ["'repo2' is the object storage repository: needs database.pgo.backups.s3.enabled"],
    example: { profile: 'production', sets: ['database.pgo.restore.enabled=true', 'database.pgo.restore.id=r1', 'database.pgo.restore.repoName=repo2'] },
  },
  {
    path: 'database.pgo.dataSource.clusterName',
    when: and(not(empty(str('database.pgo.dataSource.clusterName'))), not(pgoOwn)),
    message: ["seeds the stack's own PostgresCluster: needs database.mode pgo without database.pgo.existingCluster"],
    example: { profile: 'kind', sets: ['database.pgo.dataSource.clusterName=old-pg'] },
  },
];
