/**
 * The rules between values that JSON Schema cannot say, declared once: the synth evaluates them (the values
 * schema's refinement) and the chart's `_helpers.tpl` is compiled from them, with the same paths and messages.
 * A rule added here reaches both outputs, and the tests break each one in both through its `example`.
 */
import { URL_PART_KEYS } from './database-schema';
import { and, bool, empty, eq, ge, gt, hasKey, ifThen, int, item, list, lit, matches, ne, not, str, type CrossFieldRule, type Expr } from './rule-language';
import { OBSERVABILITY_SETTINGS } from './observability-schema';
import { PGO_HA_RULES } from './pgo-ha-rules';
import { secretsDefaults, SECRET_IDS } from './secrets-schema';
import { CREDENTIAL_NAME_PATTERN } from './tenants-checks';

/** Every values block with the escape hatches (profiles/pod-overrides-schema.ts). */
export const ESCAPE_HATCH_BLOCKS = ['gateway', 'nginx', 'redis', 'database.standalone', 'fastTimeServer', 'benchmark.master', 'benchmark.worker', 'migration', 'registration'] as const;

/** Settings whose value is a credential: never accepted as plain configuration. */
export const SECRET_SETTINGS = [
  'JWT_SECRET_KEY',
  'AUTH_ENCRYPTION_SECRET',
  'BASIC_AUTH_PASSWORD',
  'PLATFORM_ADMIN_PASSWORD',
  'DATABASE_URL',
  'REDIS_URL',
  'REDIS_PASSWORD',
  'POSTGRES_PASSWORD',
] as const;

/** Images and when each runs (the Postgres image only without PGO, which brings its own). */
export const IMAGE_IN_USE: readonly [name: string, runs: Expr][] = [
  ['gateway', lit(true)],
  ['redis', lit(true)],
  ['nginx', bool('nginx.enabled')],
  ['postgres', eq(str('database.mode'), 'standalone')],
  ['fastTimeServer', bool('fastTimeServer.enabled')],
  ['locust', bool('benchmark.enabled')],
];

/** Fewest gateway pods that will ever run: the HPA minimum when autoscaling, else the fixed replica count. */
const gatewayMinPods = ifThen(bool('gateway.hpa.enabled'), int('gateway.hpa.minReplicas'), int('gateway.replicas'));

export const CROSS_FIELD_RULES: readonly CrossFieldRule[] = [
  {
    path: 'platform',
    when: and(eq(str('profile'), 'ocp'), ne(str('platform'), 'openshift')),
    message: ["must be 'openshift' for the ocp profile"],
    example: { profile: 'ocp', sets: ['platform=kubernetes'] },
  },
  {
    path: 'exposure.type',
    when: and(eq(str('exposure.type'), 'route'), ne(str('platform'), 'openshift')),
    message: ["'route' needs platform 'openshift'"],
    example: { profile: 'kind', sets: ['exposure.type=route'] },
  },
  {
    path: 'exposure.type',
    when: and(eq(str('exposure.type'), 'route'), not(and(bool('nginx.enabled'), bool('nginx.tls')))),
    message: ["'route' reencrypts to NGINX's TLS port: needs nginx.enabled and nginx.tls"],
    example: { profile: 'ocp', sets: ['nginx.tls=false'] },
  },
  {
    path: 'nginx.tls',
    when: and(bool('nginx.tls'), ne(str('platform'), 'openshift')),
    message: ["needs platform 'openshift' (the serving certificate comes from the OpenShift service CA)"],
    example: { profile: 'kind', sets: ['nginx.tls=true'] },
  },
  {
    path: 'exposure.host',
    when: and(eq(str('exposure.type'), 'ingress'), eq(str('exposure.host'), '')),
    message: ['must be set for an Ingress'],
    example: { profile: 'kind', sets: ['exposure.host='] },
  },
  {
    path: 'gateway.hpa.minReplicas',
    when: and(bool('gateway.hpa.enabled'), gt(int('gateway.hpa.minReplicas'), int('gateway.hpa.maxReplicas'))),
    message: ['must be <= gateway.hpa.maxReplicas (', int('gateway.hpa.maxReplicas'), ')'],
    example: { profile: 'production', sets: ['gateway.hpa.minReplicas=11'] },
  },
  {
    path: 'gateway.pdb.minAvailable',
    when: and(bool('gateway.pdb.enabled'), ge(int('gateway.pdb.minAvailable'), gatewayMinPods)),
    message: ["must be below the gateway's minimum pod count (", gatewayMinPods, ') or no pod could ever be evicted'],
    example: { profile: 'ocp', sets: ['gateway.pdb.minAvailable=3'] },
  },
  {
    path: 'nginx.pdb.minAvailable',
    when: and(bool('nginx.enabled'), bool('nginx.pdb.enabled'), ge(int('nginx.pdb.minAvailable'), int('nginx.replicas'))),
    message: ['must be below nginx.replicas (', int('nginx.replicas'), ')'],
    example: { profile: 'ocp', sets: ['nginx.pdb.minAvailable=3'] },
  },
  {
    path: 'fastTimeServer.pdb.minAvailable',
    when: and(bool('fastTimeServer.enabled'), bool('fastTimeServer.pdb.enabled'), ge(int('fastTimeServer.pdb.minAvailable'), int('fastTimeServer.replicas'))),
    message: ['must be below fastTimeServer.replicas (', int('fastTimeServer.replicas'), ')'],
    example: { profile: 'kind', sets: ['fastTimeServer.pdb.enabled=true', 'fastTimeServer.pdb.minAvailable=2'] },
  },
  {
    path: 'database.pgo.pgbouncer.minPoolSize',
    when: and(eq(str('database.mode'), 'pgo'), gt(int('database.pgo.pgbouncer.minPoolSize'), int('database.pgo.pgbouncer.defaultPoolSize'))),
    message: ['must be <= defaultPoolSize (', int('database.pgo.pgbouncer.defaultPoolSize'), ')'],
    example: { profile: 'ocp', sets: ['database.pgo.pgbouncer.minPoolSize=601'] },
  },
  // The database modes: combinations that cannot work.
  {
    path: 'database.pgo.existingCluster',
    when: and(ne(str('database.mode'), 'pgo'), not(empty(str('database.pgo.existingCluster')))),
    message: ['is used only with database.mode pgo (database.mode is ', str('database.mode'), ')'],
    example: { profile: 'kind', sets: ['database.pgo.existingCluster=pg-main'] },
  },
  {
    path: 'database.external.secretName',
    when: and(eq(str('database.mode'), 'external'), empty(str('database.external.secretName'))),
    message: ['must name the Secret holding the database URL or its parts (database.mode is external)'],
    example: { profile: 'kind', sets: ['database.mode=external', 'database.external.cidrs={10.0.0.0/8}'] },
  },
  ...URL_PART_KEYS.map(
    (key): CrossFieldRule => ({
      path: `database.external.${key}`,
      when: and(eq(str('database.mode'), 'external'), empty(str('database.external.urlKey')), empty(str(`database.external.${key}`))),
      message: ['must be set when urlKey is empty (the URL is built from the parts)'],
      example: { profile: 'kind', sets: ['database.mode=external', 'database.external.secretName=db', 'database.external.cidrs={10.0.0.0/8}', `database.external.${key}=`] },
    }),
  ),
  {
    path: 'database.external.sslMode',
    when: and(eq(str('database.mode'), 'external'), not(empty(str('database.external.urlKey'))), not(empty(str('database.external.sslMode')))),
    message: ['applies to a URL built from parts only: with urlKey, put sslmode in the URL itself'],
    example: { profile: 'kind', sets: ['database.mode=external', 'database.external.secretName=db', 'database.external.cidrs={10.0.0.0/8}', 'database.external.urlKey=url', 'database.external.sslMode=require'] },
  },
  {
    path: 'database.external.cidrs',
    when: and(eq(str('database.mode'), 'external'), bool('networkPolicies.enabled'), empty(list('database.external.cidrs'))),
    message: ["must list the database's addresses: with networkPolicies.enabled the gateway and the migration may connect nowhere else"],
    example: { profile: 'kind', sets: ['database.mode=external', 'database.external.secretName=db', 'networkPolicies.enabled=true'] },
  },
  ...SECRET_SETTINGS.map(
    (key): CrossFieldRule => ({
      path: `gateway.extraConfig.${key}`,
      when: hasKey('gateway.extraConfig', key),
      message: ['is a credential: it belongs in the gateway Secret, not in the ConfigMap'],
      example: { profile: 'kind', sets: [`gateway.extraConfig.${key}=not-here`] },
    }),
  ),
  // A literal credential in an escape hatch would sit in plain text in the output, the chart's release and git.
  ...ESCAPE_HATCH_BLOCKS.map(
    (block): CrossFieldRule => ({
      path: `${block}.extraEnv.*.value`,
      when: and(matches(item('name'), CREDENTIAL_NAME_PATTERN), not(empty(item('value')))),
      message: [
        'a literal value for ',
        item('name'),
        ', whose name says it is a credential: take it from a Secret (valueFrom.secretKeyRef, or a secretRef in extraEnvFrom) instead',
      ],
      example: { profile: 'kind', sets: [], values: nest(block, { extraEnv: [{ name: 'HTTP_PROXY', value: 'http://proxy:3128' }, { name: 'api_key', value: 'not-here' }] }) },
    }),
  ),
  ...OBSERVABILITY_SETTINGS.map(
    ([key, owner]): CrossFieldRule => ({
      path: `gateway.extraConfig.${key}`,
      when: hasKey('gateway.extraConfig', key),
      message: [
        key === 'ENABLE_METRICS'
          ? 'is set by observability.metrics.enabled, which also renders the monitor and its NetworkPolicy flow: set that instead'
          : `is set by ${owner}: set that instead`,
      ],
      example: { profile: 'kind', sets: [`gateway.extraConfig.${key}=on`] },
    }),
  ),
  {
    path: 'observability.alerts.enabled',
    when: and(bool('observability.alerts.enabled'), not(and(bool('observability.metrics.enabled'), ne(str('observability.metrics.monitor'), 'none')))),
    message: ["needs observability.metrics.enabled with a monitor (ServiceMonitor or PodMonitor): the rules read the gateway's scraped metrics, and the Prometheus Operator that reads the monitor evaluates them"],
    example: { profile: 'kind', sets: ['observability.alerts.enabled=true'] },
  },
  {
    path: 'observability.metrics.postgresExporter',
    when: and(bool('observability.metrics.postgresExporter'), not(and(bool('observability.metrics.enabled'), ne(str('observability.metrics.monitor'), 'none'), eq(str('database.mode'), 'pgo'), bool('database.pgo.monitoring')))),
    message: ["needs database.mode 'pgo' with database.pgo.monitoring (the exporter) and observability.metrics.enabled with a monitor (the Prometheus Operator reads the PodMonitor)"],
    example: { profile: 'production', sets: ['observability.metrics.postgresExporter=true'] },
  },
  {
    path: 'observability.tracing.endpoint',
    when: and(bool('observability.tracing.enabled'), empty(str('observability.tracing.endpoint'))),
    message: ["must name the OpenTelemetry collector's OTLP URL (observability.tracing.enabled)"],
    example: { profile: 'kind', sets: ['observability.tracing.enabled=true'] },
  },
  {
    path: 'networkPolicies.gatewayEgress.otel.cidrs',
    when: and(bool('observability.tracing.enabled'), bool('networkPolicies.enabled'), empty(list('networkPolicies.gatewayEgress.otel.cidrs'))),
    message: ["must list the collector's addresses: with networkPolicies.enabled the gateway may send its traces nowhere else"],
    example: { profile: 'production', sets: ['observability.tracing.enabled=true', 'observability.tracing.endpoint=http://otel:4317'] },
  },
  {
    path: 'benchmark.expectWorkers',
    when: gt(int('benchmark.expectWorkers'), int('benchmark.workers')),
    message: ['must be <= benchmark.workers (', int('benchmark.workers'), ') or the run never starts'],
    example: { profile: 'kind', sets: ['benchmark.expectWorkers=4'] },
  },
  ...IMAGE_IN_USE.map(
    ([name, runs]): CrossFieldRule => ({
      path: `images.${name}.digest`,
      when: and(bool('images.requireDigests'), runs, empty(str(`images.${name}.digest`))),
      message: ['is required: this profile pins every image by digest (images.requireDigests)'],
      example: { profile: 'kind', sets: ['images.requireDigests=true', 'benchmark.enabled=true'] },
    }),
  ),
  ...SECRET_IDS.flatMap((id): CrossFieldRule[] => {
    const on = bool(`secrets.${id}.externalSecret.enabled`);
    const example = { profile: 'kind' as const, sets: [`secrets.${id}.externalSecret.enabled=true`] };
    return [
      {
        path: `secrets.${id}.externalSecret.secretStoreRef.name`,
        when: and(on, empty(str(`secrets.${id}.externalSecret.secretStoreRef.name`))),
        message: [`must name the SecretStore or ClusterSecretStore to read when secrets.${id}.externalSecret.enabled`],
        example,
      },
      ...Object.keys(secretsDefaults[id].externalSecret.remoteRefs).map(
        (ref): CrossFieldRule => ({
          path: `secrets.${id}.externalSecret.remoteRefs.${ref}.key`,
          when: and(on, empty(str(`secrets.${id}.externalSecret.remoteRefs.${ref}.key`))),
          message: [`must be set when secrets.${id}.externalSecret.enabled: the key of this value in the store`],
          example,
        }),
      ),
    ];
  }),
  {
    path: 'secrets.postgres.existingSecret',
    when: and(eq(str('database.mode'), 'pgo'), not(empty(str('secrets.postgres.existingSecret')))),
    message: ['applies to database.mode standalone only: with pgo the PGO operator writes the database Secret'],
    example: { profile: 'ocp', sets: ['secrets.postgres.existingSecret=my-db'] },
  },
  {
    path: 'secrets.postgres.externalSecret.enabled',
    when: and(eq(str('database.mode'), 'pgo'), bool('secrets.postgres.externalSecret.enabled')),
    message: ['applies to database.mode standalone only: with pgo the PGO operator writes the database Secret'],
    example: { profile: 'ocp', sets: ['secrets.postgres.externalSecret.enabled=true'] },
  },
  ...PGO_HA_RULES,
];

/** `{ a: { b: value } }` for the path `a.b`. */
function nest(path: string, value: Record<string, unknown>): Record<string, unknown> {
  return path.split('.').reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), value);
}
