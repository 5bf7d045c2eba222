/**
 * `templates/NOTES.txt`: what to do after `helm install`. Secret names, keys and object names come from the same
 * functions the constructs use (called with the release name as a template expression), so the notes cannot name
 * a Secret the pods do not read.
 */
import type { Values } from '../../profiles/schema';
import { gatewayMetricsSecretName, gatewaySecretName, redisSecretName, stackName, standalonePostgresSecretName } from '../constructs/core/naming';
import { pullSecretCommand } from '../stack/pull-secrets';
import { expectedSecrets, type SecretKeyKind } from '../stack/secrets';
import { S3_CONF_KEY } from '../constructs/postgres-pgo-ha';
import { cloneJson } from './knobs';

const RELEASE = '{{ .Release.Name }}';
const NS = '{{ .Release.Namespace }}';

/** A Secret's name in the notes: the user's existing Secret when the values name one, else the stack's. */
const chosen = (secret: 'gateway' | 'redis' | 'postgres', own: string) =>
  `{{ if .Values.secrets.${secret}.existingSecret }}{{ .Values.secrets.${secret}.existingSecret }}{{ else }}${own}{{ end }}`;
const GATEWAY_SECRET = chosen('gateway', gatewaySecretName(RELEASE));

/** Values whose Secret names and keys are the release's own template expressions. */
function templated(values: Values): Values {
  const v = cloneJson(values);
  v.release.name = RELEASE;
  v.secrets = {
    gateway: { ...v.secrets.gateway, existingSecret: GATEWAY_SECRET },
    redis: { ...v.secrets.redis, existingSecret: chosen('redis', redisSecretName(RELEASE)), passwordKey: '{{ .Values.secrets.redis.passwordKey }}' },
    postgres: {
      ...v.secrets.postgres,
      existingSecret: chosen('postgres', standalonePostgresSecretName(RELEASE)),
      userKey: '{{ .Values.secrets.postgres.userKey }}',
      passwordKey: '{{ .Values.secrets.postgres.passwordKey }}',
      databaseKey: '{{ .Values.secrets.postgres.databaseKey }}',
    },
  };
  return v;
}

/** The Secrets a user creates for a database mode, with their keys, as note lines. */
function userSecrets(values: Values, mode: Values['database']['mode']): string[] {
  const v = templated(values);
  v.database.mode = mode;
  v.database.name = '{{ .Values.database.name }}';
  v.database.user = '{{ .Values.database.user }}';
  const lines: string[] = [];
  for (const s of expectedSecrets(v)) {
    if (s.createdBy !== 'user') continue;
    const keys = s.keys.map((k) => (k.value ? `${k.key} (= ${k.value})` : k.key)).join(', ');
    if (s.id) lines.push(`{{- if .Values.secrets.${s.id}.externalSecret.enabled }}`, `     ${s.name}: written by the ExternalSecret ${stackName(RELEASE, s.id)} from {{ .Values.secrets.${s.id}.externalSecret.secretStoreRef.kind }} {{ .Values.secrets.${s.id}.externalSecret.secretStoreRef.name }}`, '{{- else }}');
    lines.push(`     ${s.name}: ${keys}`, `       (${s.purpose})`);
    if (s.id) lines.push('{{- end }}');
  }
  return lines;
}

function createdElsewhere(values: Values): string[] {
  const v = cloneJson(values);
  v.release.name = RELEASE;
  v.database.mode = 'pgo';
  v.database.user = '{{ .Values.database.user }}';
  // The stack's own cluster is `<release>-pg`; an existing one is named in the values.
  v.database.pgo.existingCluster = `{{ .Values.database.pgo.existingCluster | default (printf "%s-pg" .Release.Name) }}`;
  return expectedSecrets(v)
    .filter((s) => s.createdBy === 'pgo')
    .map((s) => `     ${s.name} is written by the PGO operator (keys ${s.keys.map((k) => k.key).join(', ')}).`);
}

/** `values` supplies the shape only; every name in the notes is a template of the release's own values. */
export function notesTxt(values: Values, frontPorts: { nginx: number; gateway: number }): string {
  // Base64 holds no character the gateway counts as special, and about once in 1,500 draws no digit: then the gateway
  // calls a password weak. A trailing `#` (special to the gateway, literal in the shell's double quotes) settles it.
  const example = (secret: string, keys: readonly { key: string; kind: SecretKeyKind }[]) =>
    [
      `       kubectl -n ${NS} create secret generic ${secret} \\`,
      ...keys.map(({ key, kind }, i) => `         --from-literal=${key}="$(openssl rand -base64 32)${kind === 'admin-password' ? '#' : ''}"${i < keys.length - 1 ? ' \\' : ''}`),
    ];
  const gatewaySecret = expectedSecrets(templated(values)).find((s) => s.name === GATEWAY_SECRET);
  return [
    `mcp-stack {{ .Chart.Version }} (ContextForge {{ .Chart.AppVersion }}) is installed as release ${RELEASE} in namespace ${NS}.`,
    '',
    '1. Secrets. The chart never holds credentials: create these Secrets in the namespace (the migration Job and',
    '   the pods wait until they exist).',
    '{{- if eq .Values.database.mode "standalone" }}',
    ...userSecrets(values, 'standalone'),
    '{{- else if eq .Values.database.mode "external" }}',
    ...userSecrets(values, 'external'),
    '{{- $e := .Values.database.external }}',
    '     {{ $e.secretName }}: the external database, with the key {{ if $e.urlKey }}{{ $e.urlKey }}',
    '       (the whole URL, postgresql+psycopg://<user>:<password>@<host>:<port>/<db>){{ else }}s {{ $e.hostKey }}, {{ $e.portKey }},',
    '       {{ $e.databaseKey }}, {{ $e.userKey }}, {{ $e.passwordKey }} (host, port, database, user, password){{ end }}',
    '{{- else }}',
    ...userSecrets(values, 'pgo'),
    ...createdElsewhere(values),
    '{{- if and (not .Values.database.pgo.existingCluster) .Values.database.pgo.backups.s3.enabled }}',
    `     {{ .Values.database.pgo.backups.s3.secretName }}: key ${S3_CONF_KEY}, a pgBackRest file with [global],`,
    '       repo2-s3-key=<access key id> and repo2-s3-key-secret=<secret access key> for bucket',
    '       {{ .Values.database.pgo.backups.s3.bucket }} (the object storage repository; PGO mounts it)',
    '{{- end }}',
    '{{- end }}',
    '{{- range .Values.images.pullSecrets }}',
    `     {{ . }}: image pull Secret (type kubernetes.io/dockerconfigjson) every pod names, e.g.`,
    `       ${pullSecretCommand('{{ . }}', `{{ $.Release.Namespace }}`, '{{ if $.Values.global.imageRegistry }}{{ regexFind "^[^/]+" $.Values.global.imageRegistry }}{{ else }}docker.io{{ end }}')}`,
    '{{- end }}',
    '   For example:',
    ...example(GATEWAY_SECRET, gatewaySecret ? gatewaySecret.keys : []),
    '',
    '2. Reach the gateway.',
    '{{- if eq .Values.exposure.type "route" }}',
    `     https://$(oc -n ${NS} get route ${stackName(RELEASE, 'gateway')} -o jsonpath='{.spec.host}')/`,
    '{{- else if eq .Values.exposure.type "ingress" }}',
    '     {{ if .Values.exposure.tlsSecretName }}https{{ else }}http{{ end }}://{{ .Values.exposure.host }}/',
    '{{- else }}',
    `     kubectl -n ${NS} port-forward svc/{{ if .Values.nginx.enabled }}${stackName(RELEASE, 'nginx')} 8080:${frontPorts.nginx}{{ else }}${stackName(RELEASE, 'gateway')} 8080:${frontPorts.gateway}{{ end }}`,
    '     then open http://localhost:8080/',
    '{{- end }}',
    '   MCP streams stay open for up to an hour when idle: the Route (haproxy.router.openshift.io/timeout) and the',
    '   Ingress (ingress-nginx proxy-read/send-timeout) allow as long as NGINX; another ingress controller needs its own.',
    `   Log in as {{ .Values.gateway.platformAdminEmail }} with PLATFORM_ADMIN_PASSWORD from Secret ${GATEWAY_SECRET}. The gateway`,
    '   asks for a new password at that first login. The Secret only sets the first one: once the admin exists, a new',
    '   PLATFORM_ADMIN_PASSWORD there changes nothing (change it in the gateway).',
    '   The schema migration Job starts with the release (a fresh one on every upgrade); gateway pods wait (startup',
    '   probe) until the schema is at head, so --wait completes once they are ready.',
    '',
    '3. Benchmark (Locust).',
    '{{- if .Values.benchmark.enabled }}',
    `     kubectl -n ${NS} create job --from=cronjob/${stackName(RELEASE, 'locust-run')} ${stackName(RELEASE, 'locust-run')}-$(date +%s)`,
    `     kubectl -n ${NS} logs -f job/<the job created above>`,
    '   Load preset: {{ .Values.benchmark.preset }}; the run prints its own summary.',
    '{{- else }}',
    '     Not installed. Enable it with --set benchmark.enabled=true (and benchmark.preset=baseline|heavy|max|custom),',
    `     then start a run with: kubectl -n ${NS} create job --from=cronjob/${stackName(RELEASE, 'locust-run')} ${stackName(RELEASE, 'locust-run')}-$(date +%s)`,
    '{{- end }}',
    '',
    '4. NetworkPolicies.',
    '{{- if .Values.networkPolicies.enabled }}',
    '     Default deny, then exactly the declared traffic. Check these values against the cluster:',
    '       networkPolicies.ingressNamespaceLabels / routerNamespaceLabels: where the ingress controller or router runs',
    '       networkPolicies.pgoOperatorNamespaceLabels: where the PGO operator runs',
    '       networkPolicies.monitoringNamespaceLabels: where Prometheus runs (pgmonitor exporter scrapes)',
    '       networkPolicies.apiServer.cidrs: the Kubernetes API endpoints (Patroni); narrow the private ranges',
    '       networkPolicies.gatewayEgress.{mcpServers,oidc,otel}: cidrs and port the gateway may reach outside',
    '       database.external.cidrs and port: the external database (database.mode external)',
    '       database.pgo.backups.s3.cidrs and port: the object storage pgBackRest sends backups to',
    '{{- else }}',
    '     Off. Turn them on with --set networkPolicies.enabled=true after checking the networkPolicies values.',
    '{{- end }}',
    '',
    '5. Metrics and alerts.',
    '{{- if .Values.observability.metrics.enabled }}',
    `     The gateway serves Prometheus metrics at /metrics/prometheus for the bearer token in Secret {{ if .Values.observability.metrics.tokenSecretName }}{{ .Values.observability.metrics.tokenSecretName }}{{ else }}${gatewayMetricsSecretName(RELEASE)}{{ end }} (key {{ .Values.observability.metrics.tokenKey }}), which you create.`,
    '{{- if eq .Values.observability.metrics.monitor "none" }}',
    '     No monitor object: scrape the gateway pods (port 4444) from your own Prometheus configuration with that token.',
    '{{- else }}',
    `     Found by the {{ .Values.observability.metrics.monitor }} ${stackName(RELEASE, 'gateway')}{{ if .Values.observability.metrics.postgresExporter }}, the pgmonitor exporter by the PodMonitor ${stackName(RELEASE, 'postgres-exporter')}{{ end }}{{ if .Values.observability.alerts.enabled }}; alert rules in the PrometheusRule ${stackName(RELEASE, 'alerts')}{{ end }}.`,
    '     Your Prometheus must select them (serviceMonitorSelector, podMonitorSelector, ruleSelector and their namespace selectors).',
    '{{- end }}',
    '{{- else }}',
    '     Off. Turn them on with --set observability.metrics.enabled=true (observability.metrics.monitor: ServiceMonitor,',
    '     PodMonitor or none; observability.alerts.enabled for alert rules).',
    '{{- end }}',
    '',
  ].join('\n');
}
