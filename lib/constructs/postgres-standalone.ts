/**
 * The standalone database: one Postgres pod in a StatefulSet, for laptops and CI (no operator needed). The user,
 * password and database name come from a Secret the app brings; the official image creates them on first start.
 */
import { Construct } from 'constructs';
import { defaults } from '../../profiles/defaults';
import type { Image, Values } from '../../profiles/schema';
import { applyPodOverrides } from './core/pod-overrides';
import { k8s, StackContext } from './core/context';
import { serviceHost, standalonePostgresSecretName } from './core/naming';
import { databaseUrl, fromSecret, type DatabaseConnection } from './database-connection';

/** The StatefulSet's settings (resources, storage, max_connections, pod escape hatches), as under `database.standalone`. */
export type StandaloneSettings = Values['database']['standalone'];

/** The Secret holding the database credentials and the key of each. */
export interface PostgresCredentials {
  readonly secretName: string;
  /** @default 'user' */
  readonly userKey?: string;
  /** @default 'password' */
  readonly passwordKey?: string;
  /** @default 'dbname' */
  readonly databaseKey?: string;
}

/**
 * Every setting is optional and defaults to `database.standalone` of `profiles/defaults.ts`: 250m/512Mi requested,
 * a 5Gi volume of the default storage class, 200 connections.
 */
export interface StandalonePostgresProps extends Partial<StandaloneSettings> {
  /** Release, namespace, platform and registry. @default StackContext.of(scope) */
  readonly context?: StackContext;
  /** @default the default Postgres image (docker.io/library/postgres, user 999) */
  readonly image?: Image;
  /** The credentials; the construct never writes them. @default `<release>-postgres`, keys `user`, `password`, `dbname` */
  readonly credentials?: PostgresCredentials;
}

/** Postgres in a StatefulSet with its headless Service, and the connection its clients use. */
export class StandalonePostgres extends Construct {
  readonly connection: DatabaseConnection;
  readonly serviceName: string;
  readonly host: string;
  readonly port = 5432;

  constructor(scope: Construct, id: string, props: StandalonePostgresProps = {}) {
    super(scope, id);
    const { context, image, credentials, ...settings } = props;
    const ctx = context ?? StackContext.of(this);
    const s: StandaloneSettings = { ...defaults.database.standalone, ...settings };
    const keys = defaults.secrets.postgres;
    const ref = {
      name: credentials?.secretName ?? standalonePostgresSecretName(ctx.release),
      userKey: credentials?.userKey ?? keys.userKey,
      passwordKey: credentials?.passwordKey ?? keys.passwordKey,
      databaseKey: credentials?.databaseKey ?? keys.databaseKey,
    };
    const name = ctx.name('postgres');
    this.serviceName = name;
    this.host = serviceHost(name, ctx.namespace);
    const secret = ref.name;
    const img = image ?? defaults.images.postgres;
    const labels = ctx.labels('postgres', img.tag);

    new k8s.KubeService(this, 'Service', {
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
    const statefulSet = new k8s.KubeStatefulSet(this, 'StatefulSet', {
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
                imagePullPolicy: ctx.pullPolicy,
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

    const host = this.host;
    this.connection = {
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
}
