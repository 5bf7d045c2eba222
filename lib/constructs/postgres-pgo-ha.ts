/**
 * High availability and recovery parts of the stack's own PostgresCluster: pod spreading and budgets for the
 * instances and PgBouncer, the pgBackRest repositories (a volume, and optionally S3-compatible object storage),
 * in-place restore and seeding from another cluster, and the egress the object storage needs.
 */
import type { StackContext, Peer } from './core/context';
import type { Values } from '../../profiles/schema';

/** The `database.pgo` values block (postgres-pgo.ts, which imports these parts, exports it too). */
export type PgoSettings = Values['database']['pgo'];
type AntiAffinity = PgoSettings['instances']['antiAffinity'];
type Pdb = PgoSettings['instances']['pdb'];

/** The volume repository is always `repo1`; object storage, when on, is `repo2`. */
export const VOLUME_REPO = 'repo1';
export const S3_REPO = 'repo2';
/** The key of the user's Secret that PGO mounts as a pgBackRest configuration file. */
export const S3_CONF_KEY = 's3.conf';
/** The annotation whose change makes PGO run the restore described in `backups.pgbackrest.restore`. */
export const RESTORE_ANNOTATION = 'postgres-operator.crunchydata.com/pgbackrest-restore';

/**
 * Keep pods of one set off the same node: preferred (spread when there is room) or required (a pod stays Pending
 * rather than share a node with its sibling, so one node failure never takes both).
 */
export function antiAffinity(mode: AntiAffinity, podLabels: Record<string, string>) {
  const term = { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: podLabels } };
  return {
    podAntiAffinity:
      mode === 'required'
        ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
        : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
  };
}

/** PGO writes the PodDisruptionBudget itself from `minAvailable`; unset, its default keeps one pod once replicas > 1. */
export const disruptionBudget = (pdb: Pdb) => (pdb.enabled ? { minAvailable: pdb.minAvailable } : {});

const claim = (size: string, storageClass: string) => ({
  accessModes: ['ReadWriteOnce'],
  ...(storageClass ? { storageClassName: storageClass } : {}),
  resources: { requests: { storage: size } },
});

/** The data volume of the instances. */
export const dataVolume = (pgo: PgoSettings) => claim(pgo.instances.storage.size, pgo.instances.storage.storageClass);

/** `spec.backups.pgbackrest`: the volume repository, the object storage one when on, and the in-place restore. */
export function pgbackrestSpec(ctx: StackContext, pgo: PgoSettings, cluster: string) {
  const b = pgo.backups;
  const s3 = b.s3;
  const schedules: Record<string, string> = {};
  if (b.fullSchedule) schedules.full = b.fullSchedule;
  if (b.differentialSchedule) schedules.differential = b.differentialSchedule;
  const withSchedules = Object.keys(schedules).length ? { schedules } : {};
  const global: Record<string, string> = { 'repo1-retention-full': String(b.retentionFull), 'repo1-retention-full-type': 'count' };
  if (s3.enabled) {
    // One bucket can hold the backups of many clusters: each gets its own path.
    global[`${S3_REPO}-path`] = `/pgbackrest/${ctx.namespace}/${cluster}/${S3_REPO}`;
    global[`${S3_REPO}-retention-full`] = String(s3.retentionFull);
    global[`${S3_REPO}-retention-full-type`] = 'count';
    global[`${S3_REPO}-s3-uri-style`] = s3.uriStyle;
    if (!s3.verifyTls) global[`${S3_REPO}-storage-verify-tls`] = 'n';
  }
  const restore = pgo.restore;
  return {
    ...(s3.enabled ? { configuration: [{ secret: { name: s3.secretName } }] } : {}),
    global,
    repos: [
      { name: VOLUME_REPO, volume: { volumeClaimSpec: claim(b.storage.size, b.storage.storageClass) }, ...withSchedules },
      ...(s3.enabled ? [{ name: S3_REPO, s3: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region }, ...withSchedules }] : []),
    ],
    ...(restore.enabled ? { restore: { enabled: true, repoName: restore.repoName, options: [...restore.options] } } : {}),
  };
}

/** `spec.dataSource`: seed a new cluster from another cluster's backups (PGO reads it only when it creates the cluster). */
export function dataSourceSpec(pgo: PgoSettings) {
  const d = pgo.dataSource;
  if (!d.clusterName) return {};
  return { dataSource: { postgresCluster: { clusterName: d.clusterName, repoName: d.repoName, options: [...d.options] } } };
}

/** The cluster's annotations for recovery: the restore trigger when a restore is asked for. */
export const restoreAnnotations = (pgo: PgoSettings): Record<string, string> => (pgo.restore.enabled ? { [RESTORE_ANNOTATION]: pgo.restore.id } : {});

/**
 * The cluster's pods send WAL (the instances) and backups (the repository host and backup Jobs) to the object
 * storage: only to its declared addresses and port. Declared addresses alone open it (the values refuse them while
 * the repository is off), as for the gateway's outside destinations.
 */
export function allowObjectStorage(ctx: StackContext, pgoPods: Peer, pgo: PgoSettings): void {
  const s3 = pgo.backups.s3;
  if (!s3.cidrs.length) return;
  ctx.allow({ from: pgoPods, to: { cidrs: s3.cidrs }, ports: [{ port: s3.port }], reason: 'pgBackRest sends WAL and backups to the object storage repository' });
}
