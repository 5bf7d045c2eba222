/**
 * The one schema for every value the stack takes: profile files, `--values` files, `--set` and the Helm chart's
 * `values.schema.json` are all checked against it. Defaults are not declared here but in `defaults.ts`, as one
 * complete values object, so the schema stays strict (every key known, every key required) and a values file
 * can only override what exists.
 */
import { z } from 'zod';
import { databaseExternalSchema } from './database-schema';
import { antiAffinitySchema, pgoDataSourceSchema, pgoPdbSchema, pgoRestoreSchema, pgoS3Schema } from './pgo-ha-schema';
import { observabilitySchema } from './observability-schema';
import { networkPoliciesSchema } from './network-schema';
import { pluginSettingsSchema } from './plugin-settings-schema';
import { tenantsSchema } from './tenants-checks';
import { podOverrideFields } from './pod-overrides-schema';
import { secretsSchema } from './secrets-schema';
import { CROSS_FIELD_RULES, IMAGE_IN_USE } from './cross-field-rules';
import { evaluate, ruleProblems } from './rule-language';

/** Kubernetes resource quantity, e.g. `500m`, `2`, `768Mi`, `1.5Gi`; a bare number (`--set cpu=4`) counts as its string. */
export const quantity = z.preprocess(
  (v) => (typeof v === 'number' ? String(v) : v),
  z.string().regex(/^(\d+(\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, 'must be a Kubernetes quantity such as 500m, 2, 768Mi or 1Gi'),
);

/** An RFC 1123 label: lower-case alphanumerics and '-', at most 63 characters. */
export const dnsLabel = z
  .string()
  .max(63, 'must be at most 63 characters')
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1123 label (lower-case letters, digits and '-')");

const hostname = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'must be a DNS name such as mcp.example.com');

const positiveInt = z.number().int().min(1);
const nonNegativeInt = z.number().int().min(0);

export const imageSchema = z.strictObject({
  /** Registry and repository, e.g. `ghcr.io/ibm/mcp-context-forge`. */
  repository: z
    .string()
    .regex(
      /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
      'must be an image repository such as ghcr.io/org/name, without tag or digest',
    ),
  /** Image tag; `latest` is refused because it makes the output mean different things over time. */
  tag: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be an image tag')
    .refine((t) => t !== 'latest', { message: "must not be 'latest': pin a version" }),
  /** Optional content digest (`sha256:<64 hex>`); required on profiles with `images.requireDigests`. */
  digest: z
    .string()
    .regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256:<64 lower-case hex digits>')
    .optional(),
  /** The numeric user the image runs as; used on Kubernetes, never on OpenShift (which assigns one). */
  user: z.number().int().min(1).max(2147483647),
});

export const resourcesSchema = z.strictObject({
  requests: z.strictObject({ cpu: quantity, memory: quantity }),
  limits: z.strictObject({ cpu: quantity, memory: quantity }),
});

const storageSchema = z.strictObject({
  /** Size of the volume, e.g. `5Gi`. */
  size: quantity,
  /** StorageClass name; empty means the cluster default. */
  storageClass: z.string(),
});

export { SECRET_SETTINGS } from './cross-field-rules';

export const pluginModes = ['enforce', 'permissive', 'disabled'] as const;
/** The plugins the gateway release ships (its `plugins` extra); the real-stack tier checks each one loads. */
export const pluginNames = [
  'RateLimiterPlugin',
  'PIIFilterPlugin',
  'SecretsDetectionPlugin',
  'EncodedExfilDetectorPlugin',
  'RetryWithBackoffPlugin',
] as const;
export type PluginName = (typeof pluginNames)[number];

const pluginModesSchema = z.strictObject(
  Object.fromEntries(pluginNames.map((n) => [n, z.enum(pluginModes)])) as Record<PluginName, z.ZodEnum<{ [K in (typeof pluginModes)[number]]: K }>>,
);

const hpaSchema = z.strictObject({
  enabled: z.boolean(),
  minReplicas: positiveInt,
  maxReplicas: positiveInt,
  cpuUtilization: z.number().int().min(1).max(100),
  memoryUtilization: z.number().int().min(1).max(100),
});

const pdbSchema = z.strictObject({
  enabled: z.boolean(),
  /** Pods that must stay up during voluntary disruptions. */
  minAvailable: nonNegativeInt,
});

export const clusterSchema = z.strictObject({
  /** A name for messages, e.g. "OCP Large". */
  name: z.string(),
  nodes: positiveInt,
  /** Allocatable CPU per node. */
  cpu: quantity,
  /** Allocatable memory per node. */
  memory: quantity,
  /** CPU per node already taken by system pods. */
  reservedCpu: quantity,
  reservedMemory: quantity,
});

export const valuesSchema = z
  .strictObject({
    /** Profile the values were built from: decides the platform rules (`kind`, `ocp`, `production`). */
    profile: z.enum(['kind', 'ocp', 'production']),
    /** `openshift` drops fixed UIDs and fsGroups (restricted-v2 SCC assigns them) and enables Routes. */
    platform: z.enum(['kubernetes', 'openshift']),
    release: z.strictObject({
      /** Prefix of every object name, like a Helm release name. */
      name: dnsLabel.refine((n) => n.length <= 30, { message: 'must be at most 30 characters (object names add suffixes)' }),
      /** Namespace of the stack. */
      namespace: dnsLabel,
      /** Create the Namespace object (with Pod Security labels); off when the namespace is managed elsewhere. */
      createNamespace: z.boolean(),
    }),
    /** Settings every component shares, under the name Helm charts conventionally give them. */
    global: z.strictObject({
      /** Registry (and optional path) that replaces the registry of every image, for a mirror or an air-gapped cluster; empty keeps each image's own. */
      imageRegistry: z
        .string()
        .regex(
          /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*)?$/,
          'must be a registry host with an optional port and path, such as registry.example.com:5000/mirror, or empty',
        ),
    }),
    /** Existing Secrets to read instead of the stack's own (names and keys). */
    secrets: secretsSchema,
    images: z.strictObject({
      /** Refuse any image without a digest (production). */
      requireDigests: z.boolean(),
      pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']),
      /** Names of existing image pull Secrets. */
      pullSecrets: z.array(dnsLabel),
      /** ContextForge: used by the gateway, the migration Job and the registration Job alike. */
      gateway: imageSchema,
      nginx: imageSchema,
      redis: imageSchema,
      postgres: imageSchema,
      fastTimeServer: imageSchema,
      locust: imageSchema,
    }),
    gateway: z.strictObject({
      replicas: positiveInt,
      resources: resourcesSchema,
      /** Gunicorn worker processes per pod (each has its own database pool). */
      workers: positiveInt,
      /** Gunicorn request timeout in seconds. */
      timeoutSeconds: positiveInt,
      maxRequests: nonNegativeInt,
      maxRequestsJitter: nonNegativeInt,
      /** SQLAlchemy pool per worker. */
      dbPool: z.strictObject({
        size: positiveInt,
        maxOverflow: nonNegativeInt,
        timeoutSeconds: positiveInt,
        recycleSeconds: positiveInt,
      }),
      /** TTL of the registry and auth caches. */
      cacheTtlSeconds: positiveInt,
      /** SSRF guard: registering in-cluster MCP servers needs private networks or an explicit list. */
      ssrf: z.strictObject({
        allowPrivateNetworks: z.boolean(),
        allowedNetworks: z.array(z.string().regex(/^[0-9a-f.:]+\/\d{1,3}$/, 'must be a CIDR such as 10.96.0.0/12')),
      }),
      plugins: z.strictObject({ enabled: z.boolean(), modes: pluginModesSchema, settings: pluginSettingsSchema }),
      /** Platform admin login (not a secret; the password is in the gateway Secret). */
      platformAdminEmail: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must be an e-mail address'),
      logLevel: z.enum(['DEBUG', 'INFO', 'WARNING', 'ERROR']),
      /** Extra settings for the gateway ConfigMap (non-secret only). */
      extraConfig: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an UPPER_SNAKE setting name'), z.string()),
      hpa: hpaSchema,
      pdb: pdbSchema,
      ...podOverrideFields,
    }),
    migration: z.strictObject({
      resources: resourcesSchema,
      backoffLimit: nonNegativeInt,
      activeDeadlineSeconds: positiveInt,
      /** Escape hatches of the migration Job's pod; setting one gives the Job a new name (a Job's pod template is immutable). */
      ...podOverrideFields,
    }),
    registration: z.strictObject({
      enabled: z.boolean(),
      resources: resourcesSchema,
      /** Create the "Fast Time Server" virtual server over the registered tools. */
      virtualServer: z.boolean(),
      /** Escape hatches of the registration Jobs' pods (the fast-time-server's and the tenants'); setting one gives the Jobs new names. */
      ...podOverrideFields,
    }),
    nginx: z.strictObject({
      enabled: z.boolean(),
      replicas: positiveInt,
      resources: resourcesSchema,
      workerConnections: z.number().int().min(512).max(1048576),
      upstreamKeepalive: positiveInt,
      clientMaxBodySize: z.string().regex(/^\d+[km]?$/, 'must be an NGINX size such as 25m'),
      /** TLS listener on 8443 with an OpenShift service-CA serving certificate (Route reencrypt). */
      tls: z.boolean(),
      pdb: pdbSchema,
      ...podOverrideFields,
    }),
    database: z.strictObject({
      /**
       * `standalone`: a Postgres StatefulSet (laptops); `pgo`: a CrunchyData PostgresCluster (the stack's own, or an
       * existing one named by `database.pgo.existingCluster`); `external`: any Postgres, reached with the Secret named
       * by `database.external.secretName`.
       */
      mode: z.enum(['standalone', 'pgo', 'external']),
      name: dnsLabel,
      user: dnsLabel,
      standalone: z.strictObject({
        resources: resourcesSchema,
        storage: storageSchema,
        maxConnections: positiveInt,
        ...podOverrideFields,
      }),
      pgo: z.strictObject({
        /**
         * An existing PostgresCluster in the release namespace to use instead of the stack's own; empty renders the
         * stack's own cluster. The gateway reads the user Secret PGO wrote for it (`<cluster>-pguser-<database.user>`);
         * the other `database.pgo` values then describe nothing the stack renders, except `pgbouncer.enabled`.
         */
        existingCluster: z.union([dnsLabel, z.literal('')]),
        postgresVersion: z.number().int().min(11).max(18),
        instances: z.strictObject({ replicas: positiveInt, resources: resourcesSchema, storage: storageSchema, antiAffinity: antiAffinitySchema, pdb: pgoPdbSchema }),
        parameters: z.record(z.string().regex(/^[a-z_]+$/, 'must be a Postgres parameter name'), z.union([z.string(), z.number()])),
        pgbouncer: z.strictObject({
          /** Route the gateway through PgBouncer; off, the gateway connects to the primary (size max_connections for it). */
          enabled: z.boolean(),
          replicas: positiveInt,
          resources: resourcesSchema,
          antiAffinity: antiAffinitySchema,
          pdb: pgoPdbSchema,
          poolMode: z.enum(['session', 'transaction', 'statement']),
          defaultPoolSize: positiveInt,
          minPoolSize: nonNegativeInt,
          reservePoolSize: nonNegativeInt,
          reservePoolTimeoutSeconds: nonNegativeInt,
          maxClientConn: positiveInt,
          maxDbConnections: positiveInt,
        }),
        backups: z.strictObject({
          storage: storageSchema,
          /** Cron schedules; empty strings mean no schedule. */
          fullSchedule: z.string(),
          differentialSchedule: z.string(),
          retentionFull: nonNegativeInt,
          /** A second repository in S3-compatible object storage, backed up on the same schedules. */
          s3: pgoS3Schema,
        }),
        /** Restore the stack's own cluster in place from a backup (point in time with `--type=time`). */
        restore: pgoRestoreSchema,
        /** Create the cluster from another cluster's backups instead of empty. */
        dataSource: pgoDataSourceSchema,
        monitoring: z.boolean(),
      }),
      external: databaseExternalSchema,
    }),
    redis: z.strictObject({
      /**
       * One pod only (more are refused): the gateway connects to one REDIS_URL with a plain client, without Sentinel
       * or Cluster support, so more pods would be unrelated caches rather than a failover pair.
       */
      replicas: positiveInt,
      resources: resourcesSchema,
      persistence: z.strictObject({ enabled: z.boolean(), storage: storageSchema }),
      maxClients: positiveInt,
      ...podOverrideFields,
    }),
    fastTimeServer: z.strictObject({
      enabled: z.boolean(),
      replicas: positiveInt,
      resources: resourcesSchema,
      pdb: pdbSchema,
      ...podOverrideFields,
    }),
    exposure: z.strictObject({
      /** Exactly one way in: an OpenShift Route, an Ingress, or none (port-forward). */
      type: z.enum(['route', 'ingress', 'none']),
      /** Public host name; empty lets OpenShift generate one for a Route. */
      host: z.union([hostname, z.literal('')]),
      ingressClassName: z.string(),
      /** Ingress TLS Secret name (created by cert-manager or by hand); empty means no TLS. */
      tlsSecretName: z.string(),
    }),
    networkPolicies: networkPoliciesSchema,
    /** The gateway's metrics for the Prometheus Operator. */
    observability: observabilitySchema,
    topologySpread: z.strictObject({ enabled: z.boolean() }),
    /** The Locust MCP benchmark, off unless asked for (`--with-benchmark`). */
    benchmark: z.strictObject({
      enabled: z.boolean(),
      /** Load from the OCP seed: baseline 125 users at 30/s, heavy 500 at 50/s, max 750 at 75/s; `custom` uses users/spawnRate. */
      preset: z.enum(['baseline', 'heavy', 'max', 'custom']),
      users: positiveInt,
      spawnRate: positiveInt,
      runTime: z.string().regex(/^\d+[smh]$/, 'must be a duration such as 60s, 5m or 1h'),
      workers: positiveInt,
      /** The master starts the run once this many workers are connected. */
      expectWorkers: positiveInt,
      /** Virtual server to load; empty lets the locustfile pick the one with the most tools from /servers. */
      mcpServerId: z.string().regex(/^[A-Za-z0-9-]*$/, 'must be a server id (letters, digits, -)'),
      masterResources: resourcesSchema,
      workerResources: resourcesSchema,
      /** Escape hatches of the Locust master pod. */
      master: z.strictObject({ ...podOverrideFields }),
      /** Escape hatches of the Locust worker pods. */
      worker: z.strictObject({ ...podOverrideFields }),
    }),
    /** ArgoCD delivery of the committed output (`dist/<profile>/argocd/`). */
    gitops: z.strictObject({
      enabled: z.boolean(),
      /** Git repository ArgoCD reads the committed output from. */
      repoURL: z.string().regex(/^(https:\/\/|ssh:\/\/|git@)\S+$/, 'must be an https://, ssh:// or git@ repository URL'),
      targetRevision: z.string().min(1),
      /** Folder of the committed output in that repository; the profile's files are under <pathPrefix>/<profile>/. */
      pathPrefix: z
        .string()
        .regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/-]+$/, 'must be a relative path inside the repository such as dist (no leading / and no ..)'),
      /** Namespace ArgoCD runs in (Applications live there). */
      argocdNamespace: dnsLabel,
      /** ArgoCD project of the stack's Applications. */
      project: dnsLabel,
    }),
    /** Per-tenant MCP server namespaces. */
    tenants: tenantsSchema,
    /** The cluster the profile targets, for the capacity check of the output gate. */
    cluster: clusterSchema,
  })
  .superRefine((v, ctx) => {
    for (const p of ruleProblems(CROSS_FIELD_RULES, v)) ctx.addIssue({ code: 'custom', path: p.path.split('.'), message: p.message });
  });

/** The images the values actually run (the Postgres image only without PGO, which brings its own). */
export function imagesInUse(v: { images: Record<string, unknown>; nginx: { enabled: boolean }; database: { mode: string }; fastTimeServer: { enabled: boolean }; benchmark: { enabled: boolean } }) {
  return IMAGE_IN_USE.filter(([, runs]) => evaluate(runs, v)).map(([name]) => name as 'gateway' | 'nginx' | 'redis' | 'postgres' | 'fastTimeServer' | 'locust');
}

/** Fewest gateway pods that will ever run: the HPA minimum when autoscaling, else the fixed replica count. */
export function minPods(replicas: number, hpa: { enabled: boolean; minReplicas: number }): number {
  return hpa.enabled ? hpa.minReplicas : replicas;
}

/** Most gateway pods that can run at once: the HPA maximum when autoscaling, else the fixed replica count. */
export function maxPods(replicas: number, hpa: { enabled: boolean; maxReplicas: number }): number {
  return hpa.enabled ? hpa.maxReplicas : replicas;
}

export type Values = z.infer<typeof valuesSchema>;
export type ProfileName = Values['profile'];
export type Image = z.infer<typeof imageSchema>;
export type Resources = z.infer<typeof resourcesSchema>;
export type Storage = z.infer<typeof storageSchema>;

/** A deep partial of the values: what a profile or a values file may set. */
export type ValuesOverride<T = Values> = T extends (infer _U)[]
  ? T
  : T extends object
    ? { [K in keyof T]?: ValuesOverride<T[K]> }
    : T;

/** The values schema as JSON Schema (draft 2020-12): strict objects, every key required. */
export function valuesJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(valuesSchema, { unrepresentable: 'any' }) as Record<string, unknown>;
}
