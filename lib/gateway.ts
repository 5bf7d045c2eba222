/**
 * The ContextForge gateway: Deployment on 4444 behind a Service on 80, its settings and plugin ConfigMaps, HPA and
 * PDB. The schema belongs to the migration Job; gateway pods start only once the schema is at head.
 */
import { Construct } from 'constructs';
import { applyPodOverrides } from './core/pod-overrides';
import { withoutPodOverrides } from '../profiles/pod-overrides-schema';
import { valuesChecksum } from './core/checksum';
import { k8s, type StackContext } from './core/context';
import { gatewaySecretRef, serviceHost } from './core/naming';
import { podDisruptionBudget } from './core/disruption';
import { HOOKS } from './core/hooks';
import { gatewaySettings, pluginConfig, PLUGINS_DIR } from './gateway-config';
import type { DatabaseConnection } from './postgres';
import type { Redis } from './redis';

export interface GatewayProps {
  readonly ctx: StackContext;
  readonly database: DatabaseConnection;
  readonly redis: Redis;
}

export const GATEWAY_PORT = 4444;

/**
 * Shell lines that compose REDIS_URL from REDIS_PASSWORD. The gateway reads Redis only from a URL, and the kubelet's
 * `$(VAR)` expansion cannot percent-encode, so a password with `@`, `/`, `#`, `%`, `:`, `?` or a space would break a
 * URL composed in the pod spec. The image's Python encodes it instead; the password is never printed or passed as an
 * argument. The lines start with `set -eu`, so the script they begin stops at its first failing step.
 */
export function redisUrlPrologue(host: string, port: number): string {
  return [
    'set -eu',
    `encoded="$(python3 -c 'import os, urllib.parse; print(urllib.parse.quote(os.environ["REDIS_PASSWORD"], safe=""))')"`,
    `export REDIS_URL="redis://:\${encoded}@${host}:${port}/0"`,
    'unset encoded',
    '',
  ].join('\n');
}

export class Gateway extends Construct {
  readonly serviceName: string;
  readonly servicePort = 80;
  readonly configMapName: string;
  readonly secretName: string;
  /** Base URL of the gateway inside the cluster. */
  readonly url: string;
  /** Env every container that runs the gateway image needs: settings, secret, Redis. */
  readonly envFrom: k8s.EnvFromSource[];
  readonly redisEnv: k8s.EnvVar[];
  /** `[sh, -c, script]` for a container of the gateway image: the script runs with REDIS_URL composed (see below). */
  readonly withRedisUrl: (script: string) => string[];
  /** Image reference shared by the gateway, migration and registration: one source of truth. */
  readonly image: string;

  constructor(scope: Construct, id: string, props: GatewayProps) {
    super(scope, id);
    const { ctx, database, redis } = props;
    const v = ctx.values;
    const g = v.gateway;
    const img = v.images.gateway;
    this.image = ctx.image(img);
    this.serviceName = ctx.name('gateway');
    this.configMapName = ctx.name('gateway');
    this.secretName = gatewaySecretRef(v);
    this.url = `http://${serviceHost(this.serviceName, ctx.namespace)}`;
    const meta = (name: string) => ctx.meta('gateway', name, { version: img.tag });
    const configMeta = (name: string) => ctx.meta('gateway', name, { version: img.tag, annotations: HOOKS.config });

    const settings = gatewaySettings(v);
    new k8s.KubeConfigMap(this, 'Settings', { metadata: configMeta(this.configMapName), data: settings });
    const pluginsName = ctx.name('gateway-plugins');
    const plugins = g.plugins.enabled ? pluginConfig(v, redis.host, redis.port) : undefined;
    if (plugins) new k8s.KubeConfigMap(this, 'Plugins', { metadata: configMeta(pluginsName), data: { 'config.yaml': plugins } });

    this.envFrom = [{ configMapRef: { name: this.configMapName } }, { secretRef: { name: this.secretName } }];
    const redisPassword = { secretKeyRef: { name: redis.secretName, key: redis.passwordKey } };
    this.redisEnv = [{ name: 'REDIS_PASSWORD', valueFrom: redisPassword }];
    this.withRedisUrl = (script) => ['/bin/sh', '-c', `${redisUrlPrologue(redis.host, redis.port)}${script}`];

    new k8s.KubeService(this, 'Service', {
      metadata: meta(this.serviceName),
      spec: {
        selector: ctx.selector('gateway'),
        ports: [{ name: 'http', port: this.servicePort, targetPort: k8s.IntOrString.fromString('http') }],
      },
    });

    const replicas = g.hpa.enabled ? undefined : g.replicas;
    const http = (path: string) => ({ httpGet: { path, port: k8s.IntOrString.fromString('http') } });
    const volumes: k8s.Volume[] = [{ name: 'tmp', emptyDir: {} }];
    const mounts: k8s.VolumeMount[] = [{ name: 'tmp', mountPath: '/tmp' }];
    if (plugins) {
      volumes.push({ name: 'plugins', configMap: { name: pluginsName } });
      mounts.push({ name: 'plugins', mountPath: PLUGINS_DIR, readOnly: true });
    }
    const deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: meta(this.serviceName),
      spec: {
        ...(replicas !== undefined ? { replicas } : {}),
        selector: { matchLabels: ctx.selector('gateway') },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: {
            labels: ctx.labels('gateway', img.tag),
            annotations: { 'checksum/config': valuesChecksum(withoutPodOverrides(g), ctx.release, ctx.namespace) },
          },
          spec: {
            serviceAccountName: ctx.name('workload'),
            automountServiceAccountToken: false,
            imagePullSecrets: ctx.imagePullSecrets(),
            securityContext: ctx.podSecurity(img),
            ...ctx.spread('gateway'),
            containers: [
              {
                name: 'gateway',
                image: this.image,
                imagePullPolicy: v.images.pullPolicy,
                ports: [{ name: 'http', containerPort: GATEWAY_PORT }],
                // The image's own start (its CMD), after the Redis URL is composed.
                command: this.withRedisUrl('exec ./docker-entrypoint.sh'),
                envFrom: this.envFrom,
                env: [...database.env(false), ...this.redisEnv],
                resources: ctx.resources(g.resources),
                securityContext: ctx.containerSecurity(),
                // Waits (up to 5 minutes) for the migration Job to bring the schema to head before serving.
                startupProbe: {
                  exec: { command: ['python3', '-m', 'mcpgateway.utils.check_schema_at_head'] },
                  periodSeconds: 5,
                  timeoutSeconds: 15,
                  failureThreshold: 60,
                },
                readinessProbe: { ...http('/ready'), periodSeconds: 15, timeoutSeconds: 10, failureThreshold: 8 },
                livenessProbe: { ...http('/health'), periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 10 },
                volumeMounts: mounts,
              },
            ],
            volumes,
          },
        },
      },
    });

    applyPodOverrides(deployment, g);

    if (g.hpa.enabled) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata: meta(this.serviceName),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.name },
          minReplicas: g.hpa.minReplicas,
          maxReplicas: g.hpa.maxReplicas,
          metrics: [
            { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: g.hpa.cpuUtilization } } },
            { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: g.hpa.memoryUtilization } } },
          ],
        },
      });
    }
    if (g.pdb.enabled) podDisruptionBudget(this, ctx, 'gateway', this.serviceName, g.pdb.minAvailable, img.tag);

    ctx.allow({ from: { component: 'gateway' }, to: database.peer(false), ports: [{ port: database.port(false) }], reason: 'the gateway reads and writes its database through the pooler' });
    ctx.allow({ from: { component: 'gateway' }, to: { component: 'redis' }, ports: [{ port: redis.port }], reason: 'caches, session pool and rate limiter' });
  }
}
