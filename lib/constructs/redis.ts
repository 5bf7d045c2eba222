/**
 * Redis for the gateway's caches, session pool and rate limiter. The password comes from a Secret through env and
 * is written to a config file at start, so it appears neither in the pod spec nor in the process arguments.
 */
import { Construct } from 'constructs';
import { defaults } from '../../profiles/defaults';
import type { Image, Values } from '../../profiles/schema';
import { applyPodOverrides } from './core/pod-overrides';
import { k8s, StackContext } from './core/context';
import { redisSecretName, serviceHost } from './core/naming';

/** Redis's own settings (resources, persistence, maxClients, pod escape hatches), as under `redis` in the values. */
export type RedisSettings = Values['redis'];

/** Where a password lives: a Secret in the stack's namespace and the key holding it. */
export interface SecretKey {
  readonly secretName: string;
  readonly key: string;
}

/**
 * Every setting is optional and defaults to the built-in defaults (`redis` in `profiles/defaults.ts`): 1 pod without
 * persistence, 100m/128Mi requested, 1,000 clients.
 */
export interface RedisProps extends Partial<RedisSettings> {
  /** Release, namespace, platform and registry. @default StackContext.of(scope) */
  readonly context?: StackContext;
  /** @default the default Redis image (docker.io/library/redis, user 999) */
  readonly image?: Image;
  /** The Secret holding the password; the stack never writes it. @default `<release>-redis`, key `REDIS_PASSWORD` */
  readonly password?: SecretKey;
}

export class Redis extends Construct {
  readonly serviceName: string;
  readonly host: string;
  readonly port = 6379;
  readonly secretName: string;
  /** Key of the password in that Secret. */
  readonly passwordKey: string;

  constructor(scope: Construct, id: string, props: RedisProps = {}) {
    super(scope, id);
    const { context, image, password: passwordSecret, ...settings } = props;
    const ctx = context ?? StackContext.of(this);
    const v: RedisSettings = { ...defaults.redis, ...settings };
    const img = image ?? defaults.images.redis;
    this.serviceName = ctx.name('redis');
    this.host = serviceHost(this.serviceName, ctx.namespace);
    this.secretName = passwordSecret?.secretName ?? redisSecretName(ctx.release);
    this.passwordKey = passwordSecret?.key ?? defaults.secrets.redis.passwordKey;
    const meta = () => ctx.meta('redis', this.serviceName, { version: img.tag });

    new k8s.KubeService(this, 'Service', {
      metadata: meta(),
      spec: {
        selector: ctx.selector('redis'),
        ports: [{ name: 'redis', port: this.port, targetPort: k8s.IntOrString.fromString('redis') }],
      },
    });

    const persistence = v.persistence.enabled ? ' --appendonly yes --save "900 1 300 10 60 10000"' : ' --save ""';
    const start = [
      'set -eu',
      'umask 077',
      // Redis reads a double-quoted value with backslash escapes: escape `\` and `"` so any password is taken verbatim.
      `printf 'requirepass "%s"\\n' "$(printf '%s' "$REDIS_PASSWORD" | sed 's/[\\\\"]/\\\\&/g')" > /tmp/redis.conf`,
      `exec redis-server /tmp/redis.conf --dir /data --maxclients ${v.maxClients}${persistence}`,
    ].join('\n');
    const ping = { exec: { command: ['/bin/sh', '-c', 'redis-cli -h 127.0.0.1 ping | grep -q PONG'] } };
    const password = { secretKeyRef: { name: this.secretName, key: this.passwordKey } };

    // A StatefulSet: its one pod releases the ReadWriteOnce volume before its replacement starts.
    const statefulSet = new k8s.KubeStatefulSet(this, 'StatefulSet', {
      metadata: meta(),
      spec: {
        replicas: 1,
        serviceName: this.serviceName,
        selector: { matchLabels: ctx.selector('redis') },
        template: {
          metadata: { labels: ctx.labels('redis', img.tag) },
          spec: {
            serviceAccountName: ctx.name('workload'),
            automountServiceAccountToken: false,
            imagePullSecrets: ctx.imagePullSecrets(),
            securityContext: ctx.podSecurity(img, { fsGroup: true }),
            containers: [
              {
                name: 'redis',
                image: ctx.image(img),
                imagePullPolicy: ctx.pullPolicy,
                command: ['/bin/sh', '-c', start],
                env: [
                  { name: 'REDIS_PASSWORD', valueFrom: password },
                  // redis-cli reads the password from here for the probes.
                  { name: 'REDISCLI_AUTH', valueFrom: password },
                ],
                ports: [{ name: 'redis', containerPort: this.port }],
                resources: ctx.resources(v.resources),
                securityContext: ctx.containerSecurity(),
                readinessProbe: { ...ping, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
                livenessProbe: { ...ping, initialDelaySeconds: 10, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 8 },
                volumeMounts: [
                  { name: 'data', mountPath: '/data' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [...(v.persistence.enabled ? [] : [{ name: 'data', emptyDir: {} }]), { name: 'tmp', emptyDir: {} }],
          },
        },
        ...(v.persistence.enabled
          ? {
              // The volume holds caches only: it goes when the StatefulSet is deleted (uninstall), and stays
              // when the StatefulSet only scales.
              persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
              volumeClaimTemplates: [
                {
                  // No version label: a claim template never changes for the life of a release.
                  metadata: { name: 'data', labels: ctx.stableLabels('redis') },
                  spec: {
                    accessModes: ['ReadWriteOnce'],
                    ...(v.persistence.storage.storageClass ? { storageClassName: v.persistence.storage.storageClass } : {}),
                    resources: { requests: { storage: k8s.Quantity.fromString(v.persistence.storage.size) } },
                  },
                },
              ],
            }
          : {}),
      },
    });
    applyPodOverrides(statefulSet, v);
  }
}
