/**
 * The ContextForge gateway: Deployment on 4444 behind a Service on 80, its settings and plugin ConfigMaps, HPA and
 * PDB, and a ServiceMonitor or PodMonitor when its metrics are on. The schema belongs to the migration Job; gateway pods start only
 * once the schema is at head.
 */
import { Construct } from 'constructs';
import { defaults } from '../../profiles/defaults';
import type { Image } from '../../profiles/schema';
import type { GatewayMetrics, GatewayTracing } from '../../profiles/observability-schema';
import { applyPodOverrides } from './core/pod-overrides';
import { withoutPodOverrides } from '../../profiles/pod-overrides-schema';
import { revisionOf, saltedValuesChecksum } from './core/checksum';
import { k8s, StackContext, type Peer } from './core/context';
import { gatewayMetricsSecretName, gatewaySecretName, serviceHost } from './core/naming';
import { podDisruptionBudget } from './core/disruption';
import { HOOKS } from './core/hooks';
import { gatewaySettings, pluginConfig, PLUGINS_DIR, type GatewaySettings } from './gateway-config';
import type { DatabaseConnection } from './database-connection';
import { propProblem, refuseProps, wholeNumberProblem } from './core/props-check';
import { gatewayMonitor, scrapeJob } from './monitoring';

export type { GatewaySettings } from './gateway-config';

/** Where the gateway finds Redis, and the Secret and key holding its password. The `Redis` construct is one. */
export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
  readonly secretName: string;
  readonly passwordKey: string;
  /** The pods serving it, for the NetworkPolicies. @default the stack's `redis` component */
  readonly peer?: Peer;
}

/**
 * Every setting is optional and defaults to the built-in defaults (`gateway` in `profiles/defaults.ts`): 2 replicas of
 * 2 workers, no autoscaler, a PDB keeping 1, all plugins on in permissive mode. The database and Redis are required.
 */
export interface GatewayProps extends Partial<GatewaySettings> {
  /** Release, namespace, platform and registry. @default StackContext.of(scope) */
  readonly context?: StackContext;
  /** The ContextForge image, shared with the Jobs that run it. @default the default gateway image (ghcr.io/ibm/mcp-context-forge, user 10001) */
  readonly image?: Image;
  /**
   * The Secret with the gateway's keys (`GATEWAY_SECRET_KEYS`: JWT signing key, auth encryption secret, basic-auth
   * and admin passwords); the stack never writes it. @default `<release>-gateway`
   */
  readonly secretName?: string;
  /** The database the gateway reads and writes (through the pooler when it has one). */
  readonly database: DatabaseConnection;
  /** Redis for caches, the session pool and the rate limiter. */
  readonly redis: RedisEndpoint;
  /**
   * Prometheus metrics: `ENABLE_METRICS` on the container (so turning them on or off rolls the pods) and the
   * `monitor` (ServiceMonitor, PodMonitor or none) sending the token from `tokenSecretName` (default `<release>-gateway-metrics`).
   * @default off (`observability.metrics` of the defaults)
   */
  readonly metrics?: Partial<GatewayMetrics>;
  /**
   * OpenTelemetry traces over OTLP, as container env (switching rolls the pods); the headers only from a Secret.
   * Egress to the collector is declared by the caller (`allowGatewayEgress`). @default off
   */
  readonly tracing?: Partial<GatewayTracing>;
  /** Namespaces of the Prometheus that scrapes the metrics. @default `networkPolicies.monitoringNamespaceLabels` of the defaults */
  readonly monitoringNamespaceLabels?: Record<string, string>;
}

/** Where the gateway serves Prometheus metrics (behind its authentication) when `ENABLE_METRICS` is true. */
export const GATEWAY_METRICS_PATH = '/metrics/prometheus';
/**
 * The gateway's Gunicorn workers are separate processes, each counting only what it served: without a shared folder
 * (`PROMETHEUS_MULTIPROC_DIR`, an emptyDir) a scrape reads whichever worker answers it, and the rates the alerts
 * compute jump between workers. With it, every scrape sums all of them.
 */
export const METRICS_MULTIPROC_DIR = '/prometheus-multiproc';

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
  /** The image as given (repository, tag, user): its tag labels and its user runs every pod of the image. */
  readonly imageSpec: Image;
  /** The Secret with the token Prometheus sends to the metrics endpoint. */
  readonly metricsTokenSecret: string;
  /** The Prometheus Operator's `job` label of the gateway's targets, when a monitor finds them. */
  readonly scrapeJob?: string;

  constructor(scope: Construct, id: string, props: GatewayProps) {
    super(scope, id);
    const { context, image, secretName, database, redis, metrics: metricsProps, tracing: tracingProps, monitoringNamespaceLabels, ...settings } = props;
    const metrics: GatewayMetrics = { ...defaults.observability.metrics, ...metricsProps };
    const tracing: GatewayTracing = { ...defaults.observability.tracing, ...tracingProps };
    const ctx = context ?? StackContext.of(this);
    const g: GatewaySettings = { ...defaults.gateway, ...settings };
    refuseProps(this, 'Gateway', settingsProblems(g));
    const img = image ?? defaults.images.gateway;
    this.imageSpec = img;
    this.image = ctx.image(img);
    this.serviceName = ctx.name('gateway');
    this.configMapName = ctx.name('gateway');
    this.secretName = secretName ?? gatewaySecretName(ctx.release);
    this.url = `http://${serviceHost(this.serviceName, ctx.namespace)}`;
    this.metricsTokenSecret = metrics.tokenSecretName || gatewayMetricsSecretName(ctx.release);
    const meta = (name: string) => ctx.meta('gateway', name, { version: img.tag });
    const configMeta = (name: string) => ctx.meta('gateway', name, { version: img.tag, annotations: HOOKS.config });

    new k8s.KubeConfigMap(this, 'Settings', { metadata: configMeta(this.configMapName), data: gatewaySettings(g, ctx) });
    const pluginsName = ctx.name('gateway-plugins');
    const plugins = g.plugins.enabled ? pluginConfig(g.plugins, redis.host, redis.port) : undefined;
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
    if (metrics.enabled) {
      volumes.push({ name: 'prometheus-multiproc', emptyDir: {} });
      mounts.push({ name: 'prometheus-multiproc', mountPath: METRICS_MULTIPROC_DIR });
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
            annotations: { 'checksum/config': saltedValuesChecksum([withoutPodOverrides(g), ctx.release, ctx.namespace], gatewayConfigRevision()) },
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
                imagePullPolicy: ctx.pullPolicy,
                ports: [{ name: 'http', containerPort: GATEWAY_PORT }],
                // The image's own start (its CMD), after the Redis URL is composed.
                command: this.withRedisUrl('exec ./docker-entrypoint.sh'),
                envFrom: this.envFrom,
                env: [...database.env(false), ...this.redisEnv, ...(metrics.enabled ? [{ name: 'ENABLE_METRICS', value: 'true' }, { name: 'PROMETHEUS_MULTIPROC_DIR', value: METRICS_MULTIPROC_DIR }] : []), ...tracingEnv(tracing)],
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

    if (metrics.enabled) {
      if (metrics.monitor !== 'none') {
        const token = { name: this.metricsTokenSecret, key: metrics.tokenKey };
        gatewayMonitor(this, { context: ctx, kind: metrics.monitor, name: this.serviceName, version: img.tag, path: GATEWAY_METRICS_PATH, interval: metrics.interval, token });
        this.scrapeJob = scrapeJob(metrics.monitor, ctx.namespace, this.serviceName, this.serviceName);
      }
      const scrapers = monitoringNamespaceLabels ?? defaults.networkPolicies.monitoringNamespaceLabels;
      ctx.allow({ from: { namespaceLabels: scrapers }, to: { component: 'gateway' }, ports: [{ port: GATEWAY_PORT }], reason: 'Prometheus scrapes the gateway metrics' });
    }

    ctx.allow({ from: { component: 'gateway' }, to: database.peer(false), ports: [{ port: database.port(false) }], reason: 'the gateway reads and writes its database through the pooler' });
    ctx.allow({ from: { component: 'gateway' }, to: redis.peer ?? { component: 'redis' }, ports: [{ port: redis.port }], reason: 'caches, session pool and rate limiter' });
  }
}

/** What a user's props can get wrong on their own (the values schema checks the same for the stack). */
function settingsProblems(g: GatewaySettings): (string | undefined)[] {
  const count = (n: number) => Number.isInteger(n) && n >= 1;
  const hpaOk = !g.hpa.enabled || (count(g.hpa.minReplicas) && count(g.hpa.maxReplicas) && g.hpa.minReplicas <= g.hpa.maxReplicas);
  return [
    wholeNumberProblem('replicas', g.replicas, 1),
    hpaOk ? undefined : propProblem('hpa', { minReplicas: g.hpa.minReplicas, maxReplicas: g.hpa.maxReplicas }, 'must be whole numbers with 1 <= minReplicas <= maxReplicas'),
  ];
}

/** The OTLP trace settings the gateway reads; none when tracing is off. */
export function tracingEnv(t: GatewayTracing): k8s.EnvVar[] {
  if (!t.enabled) return [];
  return [
    { name: 'OTEL_ENABLE_OBSERVABILITY', value: 'true' },
    { name: 'OTEL_TRACES_EXPORTER', value: 'otlp' },
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: t.endpoint },
    { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: t.protocol },
    { name: 'OTEL_EXPORTER_OTLP_INSECURE', value: String(t.insecure) },
    { name: 'OTEL_SERVICE_NAME', value: t.serviceName },
    ...(t.headersSecretName ? [{ name: 'OTEL_EXPORTER_OTLP_HEADERS', valueFrom: { secretKeyRef: { name: t.headersSecretName, key: t.headersKey } } }] : []),
  ];
}

let configRevision: string | undefined;

/**
 * What this code makes of the built-in gateway settings (the settings ConfigMap with plugins on and off, and the
 * plugin file), as 16 hex digits. It salts the gateway pods' `checksum/config`: the values there cover what a user
 * changes, this covers a release of the tool that derives different settings from the same values (a new
 * environment variable, a changed constant), which then rolls the pods instead of leaving them on the settings they
 * started with.
 */
export function gatewayConfigRevision(): string {
  const g = defaults.gateway;
  const release = { release: defaults.release.name, namespace: defaults.release.namespace };
  configRevision ??= revisionOf([
    JSON.stringify(gatewaySettings(g, release)),
    JSON.stringify(gatewaySettings({ ...g, plugins: { ...g.plugins, enabled: false } }, release)),
    pluginConfig(g.plugins, 'redis', 6379),
  ]);
  return configRevision;
}
