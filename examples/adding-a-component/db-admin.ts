/**
 * A database admin UI (Adminer) on the stack's database: a Deployment and a Service, reached by port-forward only.
 * The example component of "Adding a component" (README): this file goes to lib/constructs/db-admin.ts.
 */
import { Construct } from 'constructs';
import { defaults } from '../../profiles/defaults';
import type { Image, Values } from '../../profiles/schema';
import { applyPodOverrides } from './core/pod-overrides';
import { k8s, StackContext } from './core/context';
import type { DatabaseConnection } from './database-connection';
import { refuseProps, wholeNumberProblem } from './core/props-check';

/** Its settings as under `dbAdmin` in the values. */
export type DbAdminSettings = Omit<Values['dbAdmin'], 'enabled'>;

export interface DbAdminProps extends Partial<DbAdminSettings> {
  /** Release, namespace, platform and registry. @default StackContext.of(scope) */
  readonly context?: StackContext;
  /** @default the default dbAdmin image */
  readonly image?: Image;
  /** The database it administers: its address is the UI's default server, and the only place it may connect to. */
  readonly database: DatabaseConnection;
}

export class DbAdmin extends Construct {
  readonly serviceName: string;
  readonly containerPort = 8080;

  constructor(scope: Construct, id: string, props: DbAdminProps) {
    super(scope, id);
    const { context, image, database, ...settings } = props;
    const ctx = context ?? StackContext.of(this);
    const { enabled: _enabled, ...defaultSettings } = defaults.dbAdmin;
    const v: DbAdminSettings = { ...defaultSettings, ...settings };
    const img = image ?? defaults.images.dbAdmin;
    refuseProps(this, 'DbAdmin', [wholeNumberProblem('replicas', v.replicas, 1)]);
    this.serviceName = ctx.name('db-admin');
    const meta = () => ctx.meta('db-admin', this.serviceName, { version: img.tag });

    new k8s.KubeService(this, 'Service', {
      metadata: meta(),
      spec: { selector: ctx.selector('db-admin'), ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromString('http') }] },
    });
    const probe = { httpGet: { path: '/', port: k8s.IntOrString.fromString('http') }, periodSeconds: 20, timeoutSeconds: 5 };
    const deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: meta(),
      spec: {
        replicas: v.replicas,
        selector: { matchLabels: ctx.selector('db-admin') },
        template: {
          metadata: { labels: ctx.labels('db-admin', img.tag) },
          spec: {
            serviceAccountName: ctx.name('workload'),
            automountServiceAccountToken: false,
            imagePullSecrets: ctx.imagePullSecrets(),
            securityContext: ctx.podSecurity(img),
            containers: [
              {
                name: 'db-admin',
                image: ctx.image(img),
                imagePullPolicy: ctx.pullPolicy,
                ports: [{ name: 'http', containerPort: this.containerPort }],
                // The login form's default server; the user still signs in with the database's own credentials.
                env: [...database.env(false).filter((e) => e.name === 'POSTGRES_HOST'), { name: 'ADMINER_DEFAULT_SERVER', value: '$(POSTGRES_HOST)' }],
                resources: ctx.resources(v.resources),
                securityContext: ctx.containerSecurity(),
                readinessProbe: probe,
                livenessProbe: probe,
                // Sessions are files under /tmp; the root filesystem stays read-only.
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: {} }],
          },
        },
      },
    });
    applyPodOverrides(deployment, v);
    ctx.allow({ from: { component: 'db-admin' }, to: database.peer(false), ports: [{ port: database.port(false) }], reason: 'the admin UI connects to the database' });
  }
}
