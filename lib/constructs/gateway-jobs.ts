/**
 * The two Jobs that run the gateway image next to the gateway: the schema migration (before the gateway serves)
 * and the registration of the fast-time-server (after it serves). Both use `Gateway.image`, so the migration can
 * never bring the schema to a different head than the gateway expects.
 */
import { Construct } from 'constructs';
import { defaults } from '../../profiles/defaults';
import type { Values } from '../../profiles/schema';
import { asset } from './core/assets';
import { HOOKS } from './core/hooks';
import { sha256, valuesNameHash } from './core/checksum';
import { k8s, StackContext, type Peer } from './core/context';
import type { DatabaseConnection } from './database-connection';
import { GATEWAY_PORT, type Gateway } from './gateway';
import { applyPodOverrides } from './core/pod-overrides';
import { POD_OVERRIDE_KEYS, withSetPodOverridesOnly, type PodOverrides } from '../../profiles/pod-overrides-schema';

/** The migration Job's own settings (resources, retries, deadline), as under `migration` in the values. */
export type MigrationSettings = Values['migration'];
/** The registration Job's own settings (resources, whether it makes a virtual server), as under `registration`. */
export type RegistrationSettings = Values['registration'];

/** The gateway whose image, settings and Secrets a Job runs with. */
export type GatewayForJobs = Pick<Gateway, 'image' | 'imageSpec' | 'envFrom' | 'redisEnv' | 'withRedisUrl' | 'url'>;

/**
 * Settings default to the built-in defaults (`migration` in `profiles/defaults.ts`): 250m/512Mi requested, 3 retries,
 * 10 minutes.
 */
export interface MigrationJobProps extends Partial<MigrationSettings> {
  /** Release, namespace, platform and registry. @default StackContext.of(scope) */
  readonly context?: StackContext;
  readonly gateway: GatewayForJobs;
  /** The database it migrates, reached directly (not through a pooler). */
  readonly database: DatabaseConnection;
  /**
   * The Job's name. A Job's pod template cannot change, so the name must change with anything the Job is built
   * from. @default `<release>-migrate-<hash>`, the hash (8 hex digits) covering the image, pull settings, platform,
   * the Secrets and env it reads and its own settings: the same props give the same name.
   */
  readonly jobName?: string;
}

export class MigrationJob extends Construct {
  readonly jobName: string;

  constructor(scope: Construct, id: string, props: MigrationJobProps) {
    super(scope, id);
    const { context, gateway, database, jobName, ...settings } = props;
    const ctx = context ?? StackContext.of(this);
    const m: MigrationSettings = { ...defaults.migration, ...settings };
    // Runs after `Gateway.withRedisUrl`'s lines, which start with `set -eu`.
    const script = [
      'python3 /app/mcpgateway/utils/db_isready.py --max-tries 30 --interval 2 --timeout 5',
      'exec python3 -m mcpgateway.bootstrap_db',
    ].join('\n');
    // Straight to Postgres, not through PgBouncer: Alembic takes advisory locks that a transaction pooler breaks.
    const env = [...database.env(true), { name: 'MCPGATEWAY_SKIP_MIGRATIONS', value: 'false' }, { name: 'LOG_LEVEL', value: 'INFO' }];
    // A Job's template is immutable: the name follows everything the Job is built from, so any change is a new Job.
    this.jobName = jobName ?? ctx.name(`migrate-${jobInputsHash(ctx, gateway, [env, withSetPodOverridesOnly(m)])}`);
    gatewayImageJob(this, ctx, gateway, {
      component: 'migration',
      name: this.jobName,
      annotations: HOOKS.migration,
      command: gateway.withRedisUrl(script),
      env,
      resources: m.resources,
      backoffLimit: m.backoffLimit,
      activeDeadlineSeconds: m.activeDeadlineSeconds,
      overrides: m,
    });
    ctx.allow({ from: { component: 'migration' }, to: database.peer(true), ports: [{ port: database.port(true) }], reason: 'migrations run against the primary directly' });
  }
}

/** An MCP server the registration Job registers: its streamable-HTTP URL, its health URL and its pods' port. */
export interface RegisteredServer {
  readonly mcpUrl: string;
  readonly healthUrl: string;
  readonly containerPort: number;
  /** Its pods, for the NetworkPolicies. @default the stack's `fast-time-server` component */
  readonly peer?: Peer;
}

/**
 * Settings default to the built-in defaults (`registration` in `profiles/defaults.ts`): 100m/256Mi requested, with a
 * "Fast Time Server" virtual server. `enabled` is the stack's switch and is not read here.
 */
export interface RegistrationJobProps extends Partial<RegistrationSettings> {
  /** Release, namespace, platform and registry. @default StackContext.of(scope) */
  readonly context?: StackContext;
  /** The gateway it registers the server with (through its REST API). */
  readonly gateway: GatewayForJobs;
  /** The MCP server it registers (the `FastTimeServer` construct is one). */
  readonly fastTime: RegisteredServer;
  /**
   * The Job's name; must change with anything the Job is built from (see `MigrationJobProps.jobName`).
   * @default `<release>-register-<hash>`, the hash covering the image, pull settings, platform, the Secrets and env
   * it reads, its own settings and the registration scripts
   */
  readonly jobName?: string;
}

export class RegistrationJob extends Construct {
  readonly jobName: string;

  constructor(scope: Construct, id: string, props: RegistrationJobProps) {
    super(scope, id);
    const { context, gateway, fastTime, jobName, ...settings } = props;
    const ctx = context ?? StackContext.of(this);
    const r: RegistrationSettings = { ...defaults.registration, ...settings };
    const scripts = { 'register.sh': asset('registration/register.sh'), 'register.py': asset('registration/register.py') };
    const scriptsName = ctx.name('registration');
    new k8s.KubeConfigMap(this, 'Scripts', { metadata: ctx.meta('registration', scriptsName), data: scripts });
    const env: k8s.EnvVar[] = [
      { name: 'GATEWAY_URL', value: gateway.url },
      { name: 'TARGET_NAME', value: 'fast_time' },
      { name: 'TARGET_URL', value: fastTime.mcpUrl },
      { name: 'TARGET_HEALTH_URL', value: fastTime.healthUrl },
      { name: 'VIRTUAL_SERVER_NAME', value: r.virtualServer ? 'Fast Time Server' : '' },
    ];
    const hatches = setHatches(r);
    this.jobName = jobName ?? ctx.name(`register-${jobInputsHash(ctx, gateway, [env, r.resources, ...(hatches ? [hatches] : [])], registrationScriptsDigest())}`);
    gatewayImageJob(this, ctx, gateway, {
      component: 'registration',
      name: this.jobName,
      annotations: HOOKS.registration,
      command: gateway.withRedisUrl('exec /bin/sh /scripts/register.sh'),
      env,
      resources: r.resources,
      backoffLimit: 2,
      activeDeadlineSeconds: 600,
      mounts: [{ name: 'scripts', mountPath: '/scripts', volume: { configMap: { name: scriptsName } } }],
      overrides: r,
    });
    ctx.allow({ from: { component: 'registration' }, to: { component: 'gateway' }, ports: [{ port: GATEWAY_PORT }], reason: 'registers MCP servers through the REST API' });
    ctx.allow({ from: { component: 'registration' }, to: fastTime.peer ?? { component: 'fast-time-server' }, ports: [{ port: fastTime.containerPort }], reason: 'waits for the server to be healthy' });
  }
}

/** The registration scripts' digest: constant for a release of this project, so it is a literal in the chart. */
export function registrationScriptsDigest(): string {
  return sha256(asset('registration/register.sh') + asset('registration/register.py'));
}

/** The escape hatches that are set, or undefined when none is (so a name without any stays what it was). */
export function setHatches(o: PodOverrides): Partial<PodOverrides> | undefined {
  const set = withSetPodOverridesOnly(Object.fromEntries(POD_OVERRIDE_KEYS.map((k) => [k, o[k]])) as PodOverrides);
  return Object.keys(set).length ? set : undefined;
}

/**
 * The default name suffix of a Job made outside the stack: what its template is built from in the context, the
 * gateway (image, settings and Secret names, Redis password reference) and the Job's own parts.
 */
function jobInputsHash(ctx: StackContext, gateway: GatewayForJobs, own: readonly unknown[], salt?: string): string {
  const context = [ctx.release, ctx.namespace, ctx.openshift, ctx.imageRegistry, ctx.pullPolicy, ctx.pullSecrets];
  return valuesNameHash([context, gateway.imageSpec, gateway.image, gateway.envFrom, gateway.redisEnv, ...own], salt);
}

/**
 * Suffix of a Job input path: the block without its empty escape hatches (`withSetPodOverridesOnly`), so setting one
 * renames the Job and leaving them all empty keeps the name it had before the block had escape hatches.
 */
export const WITH_SET_POD_OVERRIDES_ONLY = '~set';

/**
 * The stack's Job names (`jobName` at the stack's call sites, and the Helm chart's templates) hash the values a
 * gateway-image Job is built from: its image and pull settings, the platform (pod security) and the
 * Secrets it reads (by name and key). Redis and the gateway Service add only names derived from the release.
 */
const GATEWAY_IMAGE_JOB_INPUTS = ['images.gateway', 'global.imageRegistry', 'images.pullPolicy', 'images.pullSecrets', 'platform', 'secrets.gateway.existingSecret', 'secrets.redis.existingSecret', 'secrets.redis.passwordKey'];
const STANDALONE_SECRET_INPUTS = ['secrets.postgres.existingSecret', 'secrets.postgres.userKey', 'secrets.postgres.passwordKey', 'secrets.postgres.databaseKey'];
/** Database modes: each reads its own block (and the standalone one its Secret's keys). */
const DATABASE_MODES = ['standalone', 'pgo', 'external'];

/** Plus the database it migrates (the block of the mode in use) and its own settings. */
export function migrationJobInputs(mode: string): string[] {
  return [...GATEWAY_IMAGE_JOB_INPUTS, 'database.mode', 'database.name', 'database.user', `database.${mode}`, ...(mode === 'standalone' ? STANDALONE_SECRET_INPUTS : []), `migration${WITH_SET_POD_OVERRIDES_ONLY}`];
}
/** Every list `migrationJobInputs` can give. */
export const MIGRATION_JOB_INPUT_LISTS: readonly string[][] = DATABASE_MODES.map(migrationJobInputs);
/** Plus its own settings (the server it registers has a name derived from the release). */
export const REGISTRATION_JOB_INPUTS: readonly string[] = [...GATEWAY_IMAGE_JOB_INPUTS, `registration${WITH_SET_POD_OVERRIDES_ONLY}`];

/**
 * The name suffix of a Job: changes with any of the values it is built from (and a constant such as its scripts'
 * digest), because the API server refuses any change to an existing Job's template.
 */
export function jobHash(values: unknown, inputs: readonly string[], salt?: string): string {
  return valuesNameHash(inputs.map((path) => jobInputValue(values, path)), salt);
}

/** The value an input path names (with `WITH_SET_POD_OVERRIDES_ONLY`, the block without its empty escape hatches). */
export function jobInputValue(values: unknown, path: string): unknown {
  const set = path.endsWith(WITH_SET_POD_OVERRIDES_ONLY);
  const value = (set ? path.slice(0, -WITH_SET_POD_OVERRIDES_ONLY.length) : path).split('.').reduce<any>((o, k) => o?.[k], values);
  return set && value && typeof value === 'object' ? withSetPodOverridesOnly(value) : value;
}

/** How long a finished Job (and its pod's logs) stays before the TTL controller removes it. */
export const JOB_TTL_SECONDS = 600;

export interface GatewayImageJobSpec {
  readonly component: string;
  readonly name: string;
  readonly annotations: Record<string, string>;
  readonly command: string[];
  readonly env: k8s.EnvVar[];
  readonly resources: MigrationSettings['resources'];
  readonly backoffLimit: number;
  readonly activeDeadlineSeconds: number;
  /** The escape hatches of the Job's pod (`migration` or `registration` in the values). @default none */
  readonly overrides?: PodOverrides;
  /** Read-only volumes besides /tmp, e.g. a scripts ConfigMap. */
  readonly mounts?: readonly { name: string; mountPath: string; volume: Omit<k8s.Volume, 'name'> }[];
}

/**
 * A Job running the gateway image with the gateway's settings and Secret (required, so it never runs on
 * placeholders) and the Redis password, from which its command composes REDIS_URL (`Gateway.withRedisUrl`).
 */
export function gatewayImageJob(scope: Construct, ctx: StackContext, gateway: Pick<Gateway, 'image' | 'imageSpec' | 'envFrom' | 'redisEnv'>, job: GatewayImageJobSpec): void {
  const img = gateway.imageSpec;
  const volumes: k8s.Volume[] = [{ name: 'tmp', emptyDir: {} }];
  const mounts: k8s.VolumeMount[] = [{ name: 'tmp', mountPath: '/tmp' }];
  for (const m of job.mounts ?? []) {
    volumes.push({ name: m.name, ...m.volume });
    mounts.push({ name: m.name, mountPath: m.mountPath, readOnly: true });
  }
  const kubeJob = new k8s.KubeJob(scope, 'Job', {
    metadata: ctx.meta(job.component, job.name, { annotations: job.annotations, version: img.tag }),
    spec: {
      backoffLimit: job.backoffLimit,
      activeDeadlineSeconds: job.activeDeadlineSeconds,
      // A finished Job removes itself, so finished Jobs never pile up (a changed Job has a new name; Helm and
      // ArgoCD replace their hooks anyway).
      ttlSecondsAfterFinished: JOB_TTL_SECONDS,
      template: {
        metadata: { labels: ctx.labels(job.component, img.tag) },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: ctx.name('workload'),
          automountServiceAccountToken: false,
          imagePullSecrets: ctx.imagePullSecrets(),
          securityContext: ctx.podSecurity(img),
          containers: [
            {
              name: job.component,
              image: gateway.image,
              imagePullPolicy: ctx.pullPolicy,
              command: job.command,
              envFrom: gateway.envFrom,
              env: [...job.env, ...gateway.redisEnv],
              resources: ctx.resources(job.resources),
              securityContext: ctx.containerSecurity(),
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  });
  if (job.overrides) applyPodOverrides(kubeJob, job.overrides);
}
