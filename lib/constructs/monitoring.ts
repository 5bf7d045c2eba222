/**
 * What the Prometheus Operator reads: the monitor that finds the gateway's metrics (a ServiceMonitor through the
 * gateway Service, or a PodMonitor on its pods), the PodMonitor of PGO's pgmonitor exporter, and the alert rules
 * (a PrometheusRule). The rules select their series by the `job` label the Operator gives each monitor's targets,
 * so each rule sees exactly the targets of this release's monitors.
 */
import { Construct } from 'constructs';
import { ServiceMonitor } from '../../imports/monitoring.coreos.com';
import { PodMonitor } from '../../imports/monitoring-podmonitor-monitoring.coreos.com';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/monitoring-prometheusrule-monitoring.coreos.com';
import type { GatewayMetrics } from '../../profiles/observability-schema';
import type { Values } from '../../profiles/schema';
import { StackContext } from './core/context';

export type MonitorKind = GatewayMetrics['monitor'];

/** The Operator's `job` label for the targets of a monitor without a jobLabel: the Service's name, or `<namespace>/<PodMonitor>`. */
export function scrapeJob(kind: Exclude<MonitorKind, 'none'>, namespace: string, monitorName: string, serviceName: string): string {
  return kind === 'ServiceMonitor' ? serviceName : `${namespace}/${monitorName}`;
}

/** The Prometheus Operator is declared present: the gateway's metrics are on with a monitor. */
export function operatorDeclared(v: Values): boolean {
  return v.observability.metrics.enabled && v.observability.metrics.monitor !== 'none';
}


export interface GatewayMonitorProps {
  readonly context: StackContext;
  readonly kind: Exclude<MonitorKind, 'none'>;
  /** Name of the monitor and of the gateway Service (the same name). */
  readonly name: string;
  /** The gateway's version label. */
  readonly version: string;
  readonly path: string;
  readonly interval: string;
  /** The Secret key holding the bearer token Prometheus sends. */
  readonly token: { readonly name: string; readonly key: string };
}

/** The gateway's monitor: the container port and the Service port are both named `http`. */
export function gatewayMonitor(scope: Construct, p: GatewayMonitorProps): void {
  const ctx = p.context;
  const metadata = ctx.meta('gateway', p.name, { version: p.version });
  const endpoint = { port: 'http', path: p.path, interval: p.interval, authorization: { type: 'Bearer', credentials: p.token } };
  const selection = { selector: { matchLabels: ctx.selector('gateway') }, namespaceSelector: { matchNames: [ctx.namespace] } };
  if (p.kind === 'ServiceMonitor') new ServiceMonitor(scope, 'ServiceMonitor', { metadata, spec: { ...selection, endpoints: [endpoint] } });
  else new PodMonitor(scope, 'PodMonitor', { metadata, spec: { ...selection, podMetricsEndpoints: [endpoint] } });
}

/** Labels PGO puts on the pods that run its pgmonitor exporter. */
export const PGMONITOR_POD_LABEL = 'postgres-operator.crunchydata.com/crunchy-postgres-exporter';

/** The PodMonitor of a PGO cluster's pgmonitor exporter, on the exporter's port (it needs no credentials). */
export function pgExporterPodMonitor(scope: Construct, ctx: StackContext, cluster: string, port: number, interval: string): string {
  const name = ctx.name('postgres-exporter');
  new PodMonitor(scope, 'ExporterPodMonitor', {
    metadata: ctx.meta('database', name),
    spec: {
      selector: { matchLabels: { 'postgres-operator.crunchydata.com/cluster': cluster, [PGMONITOR_POD_LABEL]: 'true' } },
      namespaceSelector: { matchNames: [ctx.namespace] },
      podMetricsEndpoints: [{ portNumber: port, interval }],
    },
  });
  return name;
}

export interface StackAlertsProps {
  readonly context: StackContext;
  /** The `job` of the gateway's targets, and what finds them (for the messages). */
  readonly gateway: { readonly job: string; readonly monitor: string; readonly tokenSecret: string };
  /** The `job` of the pgmonitor exporter's targets, when it is scraped. */
  readonly postgres?: { readonly job: string; readonly cluster: string };
}

/** Share of answers that are 5xx, and of (non-stream) requests slower than the 1 s bucket, above which the rules fire. */
export const ALERT_THRESHOLDS = { errorRatio: 0.05, slowRatio: 0.1, slowSeconds: '1.0' } as const;

/**
 * Handlers whose requests last as long as an MCP stream (SSE and streamable HTTP): their duration is the stream's
 * life, not a latency, so the latency rule leaves them out.
 */
const STREAM_HANDLERS = '.*/sse|(/servers/[^/]+)?/mcp(/.*)?';

type Rule = { alert: string; expr: string; for: string; severity: 'critical' | 'warning'; summary: string; description: string };

/** The stack's alert rules: the gateway's always, Postgres's when the pgmonitor exporter is scraped. */
export class StackAlerts extends Construct {
  constructor(scope: Construct, id: string, props: StackAlertsProps) {
    super(scope, id);
    const ctx = props.context;
    const ns = ctx.namespace;
    const gw = `namespace="${ns}", job="${props.gateway.job}"`;
    const ratio = (part: string, all: string) => `sum(rate(${part}[5m])) / sum(rate(${all}[5m]))`;
    const requests = `http_requests_total{${gw}}`;
    const durations = `http_request_duration_seconds_count{${gw}, handler!~"${STREAM_HANDLERS}"}`;
    const fast = `http_request_duration_seconds_bucket{${gw}, handler!~"${STREAM_HANDLERS}", le="${ALERT_THRESHOLDS.slowSeconds}"}`;
    const gateway: Rule[] = [
      {
        alert: 'McpGatewayNotScraped',
        expr: `absent(up{${gw}})`,
        for: '10m',
        severity: 'warning',
        summary: `Prometheus has no target for the gateway of ${ns}`,
        description: `The ${props.gateway.monitor} finds no gateway pod, or this Prometheus does not select it.`,
      },
      {
        alert: 'McpGatewayDown',
        expr: `up{${gw}} == 0`,
        for: '5m',
        severity: 'critical',
        summary: `A gateway pod of ${ns} fails its metrics scrape`,
        description: `The pod does not answer, or refuses the token (401): the token in Secret ${props.gateway.tokenSecret} expired or was signed with another JWT_SECRET_KEY.`,
      },
      {
        alert: 'McpGatewayErrors',
        expr: `${ratio(`http_requests_total{${gw}, status=~"5.."}`, requests)} > ${ALERT_THRESHOLDS.errorRatio}`,
        for: '10m',
        severity: 'warning',
        summary: `More than ${ALERT_THRESHOLDS.errorRatio * 100}% of the gateway's answers in ${ns} are server errors`,
        description: 'Look at the gateway logs and at what it depends on: the database, Redis, the MCP servers it calls.',
      },
      {
        alert: 'McpGatewaySlowRequests',
        expr: `(sum(rate(${durations}[5m])) - sum(rate(${fast}[5m]))) / sum(rate(${durations}[5m])) > ${ALERT_THRESHOLDS.slowRatio}`,
        for: '15m',
        severity: 'warning',
        summary: `More than ${ALERT_THRESHOLDS.slowRatio * 100}% of the gateway's requests in ${ns} take over ${Number(ALERT_THRESHOLDS.slowSeconds)} s`,
        description: 'MCP streams are not counted. Slow tool calls, a saturated database pool or too few workers are the usual causes.',
      },
    ];
    const groups = [{ name: `${ctx.release}-gateway`, rules: gateway }];
    if (props.postgres) {
      const pg = `namespace="${ns}", job="${props.postgres.job}"`;
      groups.push({
        name: `${ctx.release}-postgres`,
        rules: [
          {
            alert: 'McpPostgresNotScraped',
            expr: `absent(up{${pg}})`,
            for: '10m',
            severity: 'warning',
            summary: `Prometheus has no target for the pgmonitor exporter of ${props.postgres.cluster} in ${ns}`,
            description: 'The exporter PodMonitor finds no Postgres pod, or this Prometheus does not select it.',
          },
          {
            alert: 'McpPostgresExporterDown',
            expr: `up{${pg}} == 0`,
            for: '5m',
            severity: 'critical',
            summary: `The pgmonitor exporter of a Postgres pod of ${props.postgres.cluster} in ${ns} does not answer`,
            description: 'The pod is down or its exporter sidecar fails.',
          },
          {
            alert: 'McpPostgresDown',
            expr: `pg_up{${pg}} == 0`,
            for: '2m',
            severity: 'critical',
            summary: `Postgres of ${props.postgres.cluster} in ${ns} refuses its exporter`,
            description: 'The exporter runs but cannot reach Postgres in its pod.',
          },
        ],
      });
    }
    new PrometheusRule(this, 'Rules', {
      metadata: ctx.meta('gateway', ctx.name('alerts')),
      spec: {
        groups: groups.map((g) => ({
          name: g.name,
          rules: g.rules.map((r) => ({
            alert: r.alert,
            expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
            for: r.for,
            labels: { severity: r.severity },
            annotations: { summary: r.summary, description: r.description },
          })),
        })),
      },
    });
  }
}
