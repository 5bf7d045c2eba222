/**
 * The database: a CrunchyData PGO PostgresCluster with PgBouncer (ocp, production), or a standalone Postgres
 * StatefulSet (kind, so a laptop needs no operator). Both hand the consumers a `DatabaseConnection`: the same env
 * var names whichever mode, with the gateway going through the pooler and the migration straight to Postgres.
 */
import { Construct } from 'constructs';
import { applyPodOverrides } from './core/pod-overrides';
import { PostgresClusterV1Beta1, PostgresClusterV1Beta1SpecUsersPasswordType, type PostgresClusterV1Beta1Spec } from '../imports/postgres-operator.crunchydata.com';
import type { Resources } from '../profiles/schema';
import { valuesChecksum } from './core/checksum';
import { k8s, type Peer, type StackContext } from './core/context';
import {
  pgoClusterName,
  pgoUserSecretName,
  serviceHost,
  standalonePostgresSecretRef,
} from './core/naming';

/** How a pod reaches the database. Env names match what ContextForge and its migration expect. */
export interface DatabaseConnection {
  /** Secret holding `user`, `password`, `dbname` (and, for PGO, `host`, `port`, `pgbouncer-host`, `pgbouncer-port`). */
  readonly secretName: string;
  /** Env vars `POSTGRES_{HOST,PORT,DB,USER}`, `PGPASSWORD` and the composed `DATABASE_URL`; `direct` bypasses the pooler. */
  env(direct: boolean): k8s.EnvVar[];
  /** Pods that accept the connection, for NetworkPolicies. */
  peer(direct: boolean): Peer;
  port(direct: boolean): number;
  /** `max_connections` of the server, for the connection budget. */
  readonly maxConnections: number;
}

const fromSecret = (name: string, secret: string, key: string): k8s.EnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
});

/**
 * `DATABASE_URL` composed by the kubelet from the other env vars, without the password: the kubelet cannot
 * percent-encode, so a password with `@`, `/`, `#`, `%`, `:`, `?` or a space would break the URL. The gateway's driver
 * (psycopg on libpq) takes the password from `PGPASSWORD` when the URL has none, so it may hold any character.
 * User and database names come from the values (DNS labels), safe in a URL as they are.
 */
const databaseUrl: k8s.EnvVar = {
  name: 'DATABASE_URL',
  value: 'postgresql+psycopg://$(POSTGRES_USER)@$(POSTGRES_HOST):$(POSTGRES_PORT)/$(POSTGRES_DB)',
};

export interface PostgresProps {
  readonly ctx: StackContext;
}

/** The database of the stack, in whichever mode the values select. */
export class Postgres extends Construct {
  readonly connection: DatabaseConnection;

  constructor(scope: Construct, id: string, props: PostgresProps) {
    super(scope, id);
    this.connection =
      props.ctx.values.database.mode === 'pgo' ? renderPgo(this, props.ctx) : renderStandalone(this, props.ctx);
  }
}

function renderPgo(scope: Construct, ctx: StackContext): DatabaseConnection {
  const v = ctx.values.database;
  const pgo = v.pgo;
  const cluster = pgoClusterName(ctx.release);
  const secret = pgoUserSecretName(cluster, v.user);
  const clusterLabel = { 'postgres-operator.crunchydata.com/cluster': cluster };
  const initName = ctx.name('pg-init');

  // Postgres 15+ no longer grants CREATE on `public`; granting it here replaces the manual psql step of the seed.
  const initSql = [
    '\\set ON_ERROR_STOP true',
    `\\c ${v.name}`,
    `GRANT CREATE, USAGE ON SCHEMA public TO ${v.user};`,
    '',
  ].join('\n');
  new k8s.KubeConfigMap(scope, 'InitSql', { metadata: ctx.meta('database', initName), data: { 'init.sql': initSql } });

  const claim = (size: string, storageClass: string) => ({
    accessModes: ['ReadWriteOnce'],
    ...(storageClass ? { storageClassName: storageClass } : {}),
    resources: { requests: { storage: size } },
  });
  // CRD fields take plain quantity strings (the k8s.Quantity wrapper only resolves inside core objects).
  const plainResources = (r: Resources) => ({ requests: { ...r.requests }, limits: { ...r.limits } });
  const toStrings = (o: Record<string, string | number>) =>
    Object.fromEntries(Object.entries(o).map(([k, val]) => [k, String(val)]));
  const b = pgo.pgbouncer;
  const schedules: Record<string, string> = {};
  if (pgo.backups.fullSchedule) schedules.full = pgo.backups.fullSchedule;
  if (pgo.backups.differentialSchedule) schedules.differential = pgo.backups.differentialSchedule;
  // Always present, so the spec keeps its shape when the replica count changes.
  const instanceAntiAffinity = {
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              topologyKey: 'kubernetes.io/hostname',
              labelSelector: { matchLabels: { ...clusterLabel, 'postgres-operator.crunchydata.com/instance-set': 'instance1' } },
            },
          },
        ],
      },
    },
  };
  const spec: PostgresClusterV1Beta1Spec = {
    postgresVersion: pgo.postgresVersion,
    ...(ctx.openshift ? { openshift: true } : {}),
    instances: [
      {
        name: 'instance1',
        replicas: pgo.instances.replicas,
        resources: plainResources(pgo.instances.resources),
        dataVolumeClaimSpec: claim(pgo.instances.storage.size, pgo.instances.storage.storageClass),
        ...instanceAntiAffinity,
      },
    ],
    users: [{ name: v.user, databases: [v.name], password: { type: PostgresClusterV1Beta1SpecUsersPasswordType.ALPHA_NUMERIC } }],
    databaseInitSql: { name: initName, key: 'init.sql' },
    patroni: { dynamicConfiguration: { postgresql: { parameters: pgo.parameters } } },
    backups: {
      pgbackrest: {
        global: { 'repo1-retention-full': String(pgo.backups.retentionFull), 'repo1-retention-full-type': 'count' },
        repos: [
          {
            name: 'repo1',
            volume: { volumeClaimSpec: claim(pgo.backups.storage.size, pgo.backups.storage.storageClass) },
            ...(Object.keys(schedules).length ? { schedules } : {}),
          },
        ],
      },
    },
    proxy: {
      pgBouncer: {
        replicas: b.replicas,
        resources: plainResources(b.resources),
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
      },
    },
    ...(pgo.monitoring ? { monitoring: { pgmonitor: { exporter: {} } } } : {}),
  };
  new PostgresClusterV1Beta1(scope, 'Cluster', {
    metadata: {
      ...ctx.meta('database', cluster),
      annotations: {
        'checksum/init-sql': valuesChecksum(v.name, v.user),
      },
    },
    spec,
  });

  const pgoPeer = (role: 'primary' | 'pgbouncer'): Peer =>
    role === 'pgbouncer'
      ? { podLabels: { ...clusterLabel, 'postgres-operator.crunchydata.com/role': 'pgbouncer' } }
      : { podLabels: { ...clusterLabel, 'postgres-operator.crunchydata.com/role': 'master' } };
  allowPgoInternal(ctx, clusterLabel);
  return {
    secretName: secret,
    maxConnections: Number(pgo.parameters.max_connections ?? 100),
    env: (direct) => [
      fromSecret('POSTGRES_HOST', secret, direct ? 'host' : 'pgbouncer-host'),
      fromSecret('POSTGRES_PORT', secret, direct ? 'port' : 'pgbouncer-port'),
      fromSecret('POSTGRES_DB', secret, 'dbname'),
      fromSecret('POSTGRES_USER', secret, 'user'),
      fromSecret('PGPASSWORD', secret, 'password'),
      databaseUrl,
    ],
    peer: (direct) => pgoPeer(direct ? 'primary' : 'pgbouncer'),
    // PGO's Services listen on 5432 for both Postgres and PgBouncer.
    port: () => 5432,
  };
}

/** PGO's own traffic: replication and pgBackRest between its pods, the operator and the Kubernetes API (Patroni's DCS). */
/** The port of PGO's pgmonitor exporter sidecar (postgres_exporter). */
export const PGMONITOR_EXPORTER_PORT = 9187;

function allowPgoInternal(ctx: StackContext, clusterLabel: Record<string, string>): void {
  const pgoPods: Peer = { podLabels: clusterLabel };
  ctx.allow({ from: pgoPods, to: pgoPods, ports: [{ port: 5432 }, { port: 8008 }, { port: 8432 }, { port: 2022 }], reason: 'PGO replication, Patroni and pgBackRest' });
  const np = ctx.values.networkPolicies;
  ctx.allow({ from: { namespaceLabels: np.pgoOperatorNamespaceLabels }, to: pgoPods, ports: [{ port: 5432 }, { port: 8008 }, { port: 8432 }], reason: 'the PGO operator (in its own namespace) manages the cluster' });
  ctx.allow({ from: pgoPods, to: { cidrs: np.apiServer.cidrs }, ports: [{ port: 443 }, { port: 6443 }], reason: 'Patroni keeps its leader lock in the Kubernetes API' });
  if (ctx.values.database.pgo.monitoring) {
    const instances: Peer = { podLabels: { ...clusterLabel, 'postgres-operator.crunchydata.com/data': 'postgres' } };
    ctx.allow({ from: { namespaceLabels: np.monitoringNamespaceLabels }, to: instances, ports: [{ port: PGMONITOR_EXPORTER_PORT }], reason: 'Prometheus scrapes the pgmonitor exporter' });
  }
}

function renderStandalone(scope: Construct, ctx: StackContext): DatabaseConnection {
  const v = ctx.values.database;
  const s = v.standalone;
  const name = ctx.name('postgres');
  const ref = standalonePostgresSecretRef(ctx.values);
  const secret = ref.name;
  const img = ctx.values.images.postgres;
  const labels = ctx.labels('postgres', img.tag);

  new k8s.KubeService(scope, 'Service', {
    metadata: ctx.meta('postgres', name, { version: img.tag }),
    spec: {
      clusterIp: 'None',
      selector: ctx.selector('postgres'),
      ports: [{ name: 'postgres', port: 5432, targetPort: k8s.IntOrString.fromString('postgres') }],
    },
  });

  const pgEnv: k8s.EnvVar[] = [
    fromSecret('POSTGRES_USER', secret, ref.userKey),
    fromSecret('POSTGRES_PASSWORD', secret, ref.passwordKey),
    fromSecret('POSTGRES_DB', secret, ref.databaseKey),
    { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
  ];
  const ready = ['/bin/sh', '-c', 'exec pg_isready -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"'];
  const statefulSet = new k8s.KubeStatefulSet(scope, 'StatefulSet', {
    metadata: ctx.meta('postgres', name, { version: img.tag }),
    spec: {
      serviceName: name,
      replicas: 1,
      selector: { matchLabels: ctx.selector('postgres') },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: ctx.name('workload'),
          automountServiceAccountToken: false,
          imagePullSecrets: ctx.imagePullSecrets(),
          securityContext: ctx.podSecurity(img, { fsGroup: true }),
          terminationGracePeriodSeconds: 120,
          containers: [
            {
              name: 'postgres',
              image: ctx.image(img),
              imagePullPolicy: ctx.values.images.pullPolicy,
              args: ['-c', `max_connections=${s.maxConnections}`],
              env: pgEnv,
              ports: [{ name: 'postgres', containerPort: 5432 }],
              resources: ctx.resources(s.resources),
              securityContext: ctx.containerSecurity(),
              startupProbe: { exec: { command: ready }, periodSeconds: 5, failureThreshold: 60, timeoutSeconds: 5 },
              readinessProbe: { exec: { command: ready }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
              livenessProbe: { exec: { command: ready }, periodSeconds: 20, timeoutSeconds: 10, failureThreshold: 8 },
              lifecycle: { preStop: { exec: { command: ['/bin/sh', '-c', 'pg_ctl -D "$PGDATA" -m fast -w stop'] } } },
              volumeMounts: [
                { name: 'data', mountPath: '/var/lib/postgresql/data' },
                { name: 'run', mountPath: '/var/run/postgresql' },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'run', emptyDir: {} },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data', labels: ctx.stableLabels('postgres') },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(s.storage.storageClass ? { storageClassName: s.storage.storageClass } : {}),
            resources: { requests: { storage: k8s.Quantity.fromString(s.storage.size) } },
          },
        },
      ],
    },
  });
  applyPodOverrides(statefulSet, s);

  const host = serviceHost(name, ctx.namespace);
  return {
    secretName: secret,
    maxConnections: s.maxConnections,
    env: () => [
      { name: 'POSTGRES_HOST', value: host },
      { name: 'POSTGRES_PORT', value: '5432' },
      fromSecret('POSTGRES_DB', secret, ref.databaseKey),
      fromSecret('POSTGRES_USER', secret, ref.userKey),
      fromSecret('PGPASSWORD', secret, ref.passwordKey),
      databaseUrl,
    ],
    peer: () => ({ component: 'postgres' }),
    port: () => 5432,
  };
}
