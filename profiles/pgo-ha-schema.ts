/**
 * The `database.pgo` values for high availability and recovery: how PGO spreads its pods (anti-affinity), how many
 * may be taken down at once (the budgets PGO writes), the second pgBackRest repository in S3-compatible object
 * storage, and the two ways PGO restores (in place, or a new cluster seeded from another cluster's backups).
 */
import { z } from 'zod';
import { cidr } from './tenants-schema';

const nonNegativeInt = z.number().int().min(0);

/**
 * `preferred`: the scheduler spreads the pods over nodes when it can; `required`: never two on one node (a pod stays
 * Pending rather than share a node, so replicas must not exceed the nodes).
 */
export const antiAffinitySchema = z.enum(['preferred', 'required']);

/**
 * The budget PGO writes for a pod set (`minAvailable` of the instance set or of PgBouncer). Off leaves PGO's own
 * default: one pod kept once replicas > 1. `minAvailable: 0` with it on removes the budget.
 */
export const pgoPdbSchema = z.strictObject({ enabled: z.boolean(), minAvailable: nonNegativeInt });

/** The pgBackRest repository in S3-compatible object storage (`repo2`), next to the volume repository `repo1`. */
export const pgoS3Schema = z.strictObject({
  enabled: z.boolean(),
  bucket: z.string().regex(/^([a-z0-9][-a-z0-9.]{1,61}[a-z0-9])?$/, 'must be an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens) or empty'),
  /** Host (and port) of the S3 API, e.g. `s3.eu-west-1.amazonaws.com` or `minio.example.com:9000`. */
  endpoint: z.string().regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?)?$/, 'must be a host name with an optional :port, or empty'),
  region: z.string().regex(/^[a-z0-9-]*$/, "must be a region name (lower-case letters, digits and '-')"),
  /** `host` (virtual-hosted, AWS) or `path` (most S3-compatible stores, e.g. MinIO). */
  uriStyle: z.enum(['host', 'path']),
  /** Check the store's TLS certificate; off only for a store with a private CA not mounted into the pods. */
  verifyTls: z.boolean(),
  /**
   * The Secret (in the release namespace, created by you) with the key `s3.conf` holding the pgBackRest options
   * `repo2-s3-key` and `repo2-s3-key-secret` under `[global]`. PGO mounts it; its values never reach the output.
   */
  secretName: z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/, 'must be a Secret name (a DNS subdomain) or empty'),
  /** Full backups kept in the bucket. */
  retentionFull: z.number().int().min(1),
  /** Addresses of the S3 endpoint, for the NetworkPolicies: the only place the database pods may send backups. */
  cidrs: z.array(cidr),
  port: z.number().int().min(1).max(65535),
});

const repoName = z.enum(['repo1', 'repo2']);
/** pgBackRest restore options, e.g. `--type=time` and `--target=2026-01-31 12:00:00+00`. */
const restoreOptions = z.array(z.string().regex(/^--[a-z][-a-z0-9]*(=[^\n\r]*)?$/, 'must be a pgBackRest option such as --type=time'));

/** An in-place restore of the stack's own cluster (PGO's `backups.pgbackrest.restore`). */
export const pgoRestoreSchema = z.strictObject({
  enabled: z.boolean(),
  /**
   * A new value starts a restore (PGO restores when the cluster's `pgbackrest-restore` annotation changes): use a
   * timestamp, and change it for the next restore. Empty with `enabled` is refused.
   */
  id: z.string().regex(/^[-._a-zA-Z0-9]*$/, "must be letters, digits, '-', '_' and '.' (e.g. 20260131-1200)"),
  repoName,
  options: restoreOptions,
});

/** A new cluster seeded from the backups of another PostgresCluster in the namespace (PGO's `dataSource.postgresCluster`); read once, when the cluster is created. */
export const pgoDataSourceSchema = z.strictObject({
  /** The source PostgresCluster; empty: a fresh, empty database. */
  clusterName: z.union([z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a PostgresCluster name (a DNS label)').max(63), z.literal('')]),
  repoName,
  options: restoreOptions,
});

export const pgoHaDefaults = {
  antiAffinity: 'preferred' as const,
  pdb: { enabled: false, minAvailable: 1 },
  s3: {
    enabled: false,
    bucket: '',
    endpoint: '',
    region: '',
    uriStyle: 'host' as const,
    verifyTls: true,
    secretName: '',
    retentionFull: 4,
    cidrs: [],
    port: 443,
  },
  restore: { enabled: false, id: '', repoName: 'repo1' as const, options: [] },
  dataSource: { clusterName: '', repoName: 'repo1' as const, options: [] },
};
