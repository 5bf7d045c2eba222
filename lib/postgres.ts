/**
 * The database: a CrunchyData PGO PostgresCluster (ocp, production: the stack's own or an existing one), a
 * standalone Postgres StatefulSet (kind, so a laptop needs no operator), or any Postgres given by a Secret. Each
 * hands the consumers a `DatabaseConnection`: the same env var names whichever mode, with the gateway going through
 * the pooler when there is one and the migration straight to Postgres.
 */
import { Construct } from 'constructs';
import { applyPodOverrides } from './core/pod-overrides';
import { k8s, type StackContext } from './core/context';
import { serviceHost, standalonePostgresSecretRef } from './core/naming';
import { databaseUrl, fromSecret, type DatabaseConnection } from './database-connection';
import { externalConnection } from './postgres-external';
import { renderPgo } from './postgres-pgo';

export { PGMONITOR_EXPORTER_PORT } from './postgres-pgo';

export type { DatabaseConnection } from './database-connection';

export interface PostgresProps {
  readonly ctx: StackContext;
}

/** The database of the stack, in whichever mode the values select. */
export class Postgres extends Construct {
  readonly connection: DatabaseConnection;

  constructor(scope: Construct, id: string, props: PostgresProps) {
    super(scope, id);
    const mode = props.ctx.values.database.mode;
    this.connection =
      mode === 'pgo' ? renderPgo(this, props.ctx) : mode === 'external' ? externalConnection(props.ctx) : renderStandalone(this, props.ctx);
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
