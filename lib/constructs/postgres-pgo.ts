/**
 * PGO modes of the database: the stack's own PostgresCluster, or an existing one in the release namespace named by
 * `database.pgo.existingCluster`. Either way the gateway reads the user Secret PGO writes
 * (`<cluster>-pguser-<user>`), through PgBouncer when `database.pgo.pgbouncer.enabled`, and the namespace's
 * NetworkPolicies admit the cluster's own traffic (the default deny covers its pods too).
 */
import { Construct, type IConstruct } from 'constructs';
import { PostgresClusterV1Beta1, PostgresClusterV1Beta1SpecUsersPasswordType, type PostgresClusterV1Beta1Spec } from '../../imports/postgres-operator.crunchydata.com';
import { defaults } from '../../profiles/defaults';
import { dnsLabel, type Resources } from '../../profiles/schema';
import { valuesChecksum } from './core/checksum';
import { k8s, StackContext, type Peer } from './core/context';
import { pgoClusterName, pgoUserSecretName } from './core/naming';
import { databaseUrl, fromSecret, type DatabaseConnection } from './database-connection';
import { propProblem, refuseProps } from './core/props-check';
import { allowObjectStorage, antiAffinity, dataSourceSpec, dataVolume, disruptionBudget, pgbackrestSpec, restoreAnnotations, type PgoSettings } from './postgres-pgo-ha';

/** The PGO settings (cluster, instances, parameters, PgBouncer, backups, monitoring), as under `database.pgo` in the values. */
export type { PgoSettings };

/**
 * Where PGO's own traffic comes from and goes to, for the flows the NetworkPolicies are built from (they apply only
 * where the app renders NetworkPolicies from the context's flows). Defaults are those of `networkPolicies` in the values.
 */
export interface PgoTraffic {
  /** Labels of the namespace the PGO operator runs in. @default { 'kubernetes.io/metadata.name': 'postgres-operator' } */
  readonly operatorNamespaceLabels?: Record<string, string>;
  /** Labels of the namespace of the Prometheus that scrapes the pgmonitor exporter (with `monitoring`). @default { 'kubernetes.io/metadata.name': 'monitoring' } */
  readonly monitoringNamespaceLabels?: Record<string, string>;
  /** The Kubernetes API's addresses, where Patroni keeps its leader lock. @default the private address ranges */
  readonly apiServerCidrs?: readonly string[];
}

/**
 * Every setting is optional and defaults to `database.pgo` of `profiles/defaults.ts`: the stack's own cluster
 * (Postgres 17, 1 instance of 2 CPU/4Gi on 2Gi, the benchmarked parameters), PgBouncer in transaction mode in front,
 * pgBackRest on a 2Gi volume keeping 2 full backups, no monitoring.
 */
export interface PgoPostgresProps extends Partial<PgoSettings>, PgoTraffic {
  /** Release, namespace and platform (`openshift` sets the cluster's `openshift` flag). @default StackContext.of(scope) */
  readonly context?: StackContext;
  /** The database the gateway uses, created by PGO. @default 'mcp' */
  readonly databaseName?: string;
  /** The user PGO creates, owner of the database's `public` schema objects; its Secret is `<cluster>-pguser-<user>`. @default 'mcp' */
  readonly user?: string;
}

/** A CrunchyData PGO PostgresCluster with PgBouncer (or an existing cluster), and the connection its clients use. */
export class PgoPostgres extends Construct {
  readonly connection: DatabaseConnection;
  /** Name of the PostgresCluster (the stack's own, `<release>-pg`, or the existing one). */
  readonly clusterName: string;

  constructor(scope: Construct, id: string, props: PgoPostgresProps = {}) {
    super(scope, id);
    const { context, databaseName, user, operatorNamespaceLabels, monitoringNamespaceLabels, apiServerCidrs, ...settings } = props;
    const ctx = context ?? StackContext.of(this);
    const pgo: PgoSettings = { ...defaults.database.pgo, ...settings };
    const db: DatabaseNames = { name: databaseName ?? defaults.database.name, user: user ?? defaults.database.user };
    refuseBadNames(this, db);
    const np = defaults.networkPolicies;
    const traffic: Required<PgoTraffic> = {
      operatorNamespaceLabels: operatorNamespaceLabels ?? np.pgoOperatorNamespaceLabels,
      monitoringNamespaceLabels: monitoringNamespaceLabels ?? np.monitoringNamespaceLabels,
      apiServerCidrs: apiServerCidrs ?? np.apiServer.cidrs,
    };
    const cluster = pgo.existingCluster || pgoClusterName(ctx.release);
    this.clusterName = cluster;
    const secret = pgoUserSecretName(cluster, db.user);
    const clusterLabel = { 'postgres-operator.crunchydata.com/cluster': cluster };
    const pooled = pgo.pgbouncer.enabled;
    if (!pgo.existingCluster) renderCluster(this, ctx, pgo, db, cluster, clusterLabel);

    const pgoPeer = (role: 'primary' | 'pgbouncer'): Peer =>
      role === 'pgbouncer'
        ? { podLabels: { ...clusterLabel, 'postgres-operator.crunchydata.com/role': 'pgbouncer' } }
        : { podLabels: { ...clusterLabel, 'postgres-operator.crunchydata.com/role': 'master' } };
    allowPgoInternal(ctx, clusterLabel, traffic, pgo.monitoring);
    if (!pgo.existingCluster) allowObjectStorage(ctx, { podLabels: clusterLabel }, pgo);
    const viaPooler = (direct: boolean) => pooled && !direct;
    this.connection = {
      secretName: secret,
      env: (direct) => [
        fromSecret('POSTGRES_HOST', secret, viaPooler(direct) ? 'pgbouncer-host' : 'host'),
        fromSecret('POSTGRES_PORT', secret, viaPooler(direct) ? 'pgbouncer-port' : 'port'),
        fromSecret('POSTGRES_DB', secret, 'dbname'),
        fromSecret('POSTGRES_USER', secret, 'user'),
        fromSecret('PGPASSWORD', secret, 'password'),
        databaseUrl,
      ],
      peer: (direct) => pgoPeer(viaPooler(direct) ? 'pgbouncer' : 'primary'),
      // PGO's Services listen on 5432 for both Postgres and PgBouncer.
      port: () => 5432,
    };
  }
}

/** The database and user names PGO creates. */
interface DatabaseNames {
  readonly name: string;
  readonly user: string;
}

/**
 * The user's name is part of its Secret's name and must match PGO's user name pattern; the database name follows the
 * same rule, as the values schema says: DNS labels only. Both may hold '-', so the init SQL quotes them.
 */
function refuseBadNames(scope: IConstruct, db: DatabaseNames): void {
  const problems = (
    [
      ['databaseName', db.name],
      ['user', db.user],
    ] as const
  )
    .filter(([, value]) => !dnsLabel.safeParse(value).success)
    .map(([prop, value]) => propProblem(prop, value, "must be a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)"));
  refuseProps(scope, 'PgoPostgres', problems);
}

/**
 * A name as a quoted SQL identifier: kept exactly (no folding to lower case) and free to hold '-'. psql reads the
 * argument of `\c` by the same rule, so one quoting serves both.
 */
function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The stack's own PostgresCluster and its init SQL. */
function renderCluster(scope: Construct, ctx: StackContext, pgo: PgoSettings, v: DatabaseNames, cluster: string, clusterLabel: Record<string, string>): void {
  const initName = ctx.name('pg-init');

  // Postgres 15+ no longer grants CREATE on `public`; granting it here replaces the manual psql step of the seed.
  const initSql = [
    '\\set ON_ERROR_STOP true',
    `\\c ${sqlIdentifier(v.name)}`,
    `GRANT CREATE, USAGE ON SCHEMA public TO ${sqlIdentifier(v.user)};`,
    '',
  ].join('\n');
  new k8s.KubeConfigMap(scope, 'InitSql', { metadata: ctx.meta('database', initName), data: { 'init.sql': initSql } });

  const b = pgo.pgbouncer;
  const instanceSet = 'instance1';
  const spec: PostgresClusterV1Beta1Spec = {
    postgresVersion: pgo.postgresVersion,
    ...(ctx.openshift ? { openshift: true } : {}),
    ...dataSourceSpec(pgo),
    instances: [
      {
        name: instanceSet,
        replicas: pgo.instances.replicas,
        ...disruptionBudget(pgo.instances.pdb),
        resources: plainResources(pgo.instances.resources),
        dataVolumeClaimSpec: dataVolume(pgo),
        // Always present, so the spec keeps its shape when the replica count changes.
        affinity: antiAffinity(pgo.instances.antiAffinity, { ...clusterLabel, 'postgres-operator.crunchydata.com/instance-set': instanceSet }),
      },
    ],
    users: [{ name: v.user, databases: [v.name], password: { type: PostgresClusterV1Beta1SpecUsersPasswordType.ALPHA_NUMERIC } }],
    databaseInitSql: { name: initName, key: 'init.sql' },
    patroni: { dynamicConfiguration: { postgresql: { parameters: pgo.parameters } } },
    backups: { pgbackrest: pgbackrestSpec(ctx, pgo, cluster) },
    ...(b.enabled ? { proxy: { pgBouncer: pgBouncerSpec(b, clusterLabel) } } : {}),
    ...(pgo.monitoring ? { monitoring: { pgmonitor: { exporter: {} } } } : {}),
  };
  new PostgresClusterV1Beta1(scope, 'Cluster', {
    metadata: {
      ...ctx.meta('database', cluster),
      annotations: {
        'checksum/init-sql': valuesChecksum(v.name, v.user),
        ...restoreAnnotations(pgo),
      },
    },
    spec,
  });
}

// CRD fields take plain quantity strings (the k8s.Quantity wrapper only resolves inside core objects).
const plainResources = (r: Resources) => ({ requests: { ...r.requests }, limits: { ...r.limits } });
const toStrings = (o: Record<string, string | number>) => Object.fromEntries(Object.entries(o).map(([k, val]) => [k, String(val)]));

type PgBouncerValues = PgoSettings['pgbouncer'];

function pgBouncerSpec(b: PgBouncerValues, clusterLabel: Record<string, string>) {
  return {
    replicas: b.replicas,
    ...disruptionBudget(b.pdb),
    resources: plainResources(b.resources),
    affinity: antiAffinity(b.antiAffinity, { ...clusterLabel, 'postgres-operator.crunchydata.com/role': 'pgbouncer' }),
    config: {
      global: toStrings({
        pool_mode: b.poolMode,
        default_pool_size: b.defaultPoolSize,
        min_pool_size: b.minPoolSize,
        reserve_pool_size: b.reservePoolSize,
        reserve_pool_timeout: b.reservePoolTimeoutSeconds,
        max_client_conn: b.maxClientConn,
        max_db_connections: b.maxDbConnections,
        server_lifetime: 3600,
        server_idle_timeout: 600,
        query_wait_timeout: 60,
        client_idle_timeout: 120,
        idle_transaction_timeout: 30,
      }),
    },
  };
}

/** The port of PGO's pgmonitor exporter sidecar (postgres_exporter). */
export const PGMONITOR_EXPORTER_PORT = 9187;

/** PGO's own traffic: replication and pgBackRest between its pods, the operator and the Kubernetes API (Patroni's DCS). */
function allowPgoInternal(ctx: StackContext, clusterLabel: Record<string, string>, traffic: Required<PgoTraffic>, monitoring: boolean): void {
  const pgoPods: Peer = { podLabels: clusterLabel };
  ctx.allow({ from: pgoPods, to: pgoPods, ports: [{ port: 5432 }, { port: 8008 }, { port: 8432 }, { port: 2022 }], reason: 'PGO replication, Patroni and pgBackRest' });
  ctx.allow({ from: { namespaceLabels: traffic.operatorNamespaceLabels }, to: pgoPods, ports: [{ port: 5432 }, { port: 8008 }, { port: 8432 }], reason: 'the PGO operator (in its own namespace) manages the cluster' });
  ctx.allow({ from: pgoPods, to: { cidrs: traffic.apiServerCidrs }, ports: [{ port: 443 }, { port: 6443 }], reason: 'Patroni keeps its leader lock in the Kubernetes API' });
  if (monitoring) {
    const instances: Peer = { podLabels: { ...clusterLabel, 'postgres-operator.crunchydata.com/data': 'postgres' } };
    ctx.allow({ from: { namespaceLabels: traffic.monitoringNamespaceLabels }, to: instances, ports: [{ port: PGMONITOR_EXPORTER_PORT }], reason: 'Prometheus scrapes the pgmonitor exporter' });
  }
}

