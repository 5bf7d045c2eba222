/**
 * The `observability` values: the gateway's Prometheus metrics (found by the Prometheus Operator or a Prometheus of
 * its own), alert rules, and its OpenTelemetry traces. The gateway serves metrics at /metrics/prometheus behind its own authentication, so the
 * scrape carries a bearer token from a Secret; OTLP headers are credentials too, so they come from a Secret only.
 * Both reach the gateway container as its own env (not the settings ConfigMap), so switching them rolls the pods;
 * kept outside `gateway`, whose values the config checksum covers, so the default output is unchanged.
 */
import { z } from 'zod';

const secretName = z
  .string()
  .max(253)
  .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/, 'must be a Secret name (a DNS subdomain) or empty');

export const gatewayMetricsSchema = z.strictObject({
  /**
   * Turn the gateway's Prometheus metrics on (`ENABLE_METRICS`) and render the `monitor` for them; NetworkPolicies
   * then admit the Prometheus namespace (networkPolicies.monitoringNamespaceLabels).
   */
  enabled: z.boolean(),
  /**
   * The Secret (release namespace) with the token Prometheus sends: a JWT with an expiry, signed with the gateway's
   * JWT_SECRET_KEY; created and rotated by you. Empty: `<release>-gateway-metrics`.
   */
  tokenSecretName: secretName,
  /** The key of the token in that Secret. */
  tokenKey: z.string().min(1).regex(/^[-._a-zA-Z0-9]+$/, "must be a Secret key (letters, digits, '-', '_' and '.')"),
  /** How often Prometheus scrapes. */
  interval: z.string().regex(/^\d+(ms|s|m|h)$/, 'must be a duration such as 30s'),
  /**
   * What tells Prometheus about the endpoint: a Prometheus Operator `ServiceMonitor` (through the gateway Service) or
   * `PodMonitor` (the gateway pods directly), or `none` for a Prometheus without the Operator (its own scrape
   * configuration; the stack keeps the setting and the NetworkPolicy flow only). Either monitor declares the
   * Operator present.
   */
  monitor: z.enum(['ServiceMonitor', 'PodMonitor', 'none']),
  /**
   * Also scrape PGO's pgmonitor exporter (`database.pgo.monitoring`) with a PodMonitor, at the same interval; needs
   * the PGO mode and a monitor above. The exporter answers without credentials.
   */
  postgresExporter: z.boolean(),
});

export const alertsSchema = z.strictObject({
  /**
   * Alert rules as a PrometheusRule: the gateway not scraped or down, a high share of 5xx answers, a high share of
   * slow requests; with `metrics.postgresExporter`, also the exporter and Postgres down. Needs the gateway's
   * metrics on with a monitor (the Operator evaluates the rules).
   */
  enabled: z.boolean(),
});

export const gatewayTracingSchema = z.strictObject({
  /** Send the gateway's traces to an OpenTelemetry collector over OTLP (`OTEL_ENABLE_OBSERVABILITY`). */
  enabled: z.boolean(),
  /** The collector's OTLP address, e.g. `http://otel-collector.observability:4317` (required when enabled). */
  endpoint: z.string().regex(/^(https?:\/\/[^\s]+)?$/, 'must be an http:// or https:// URL, or empty'),
  /** OTLP over gRPC (4317) or HTTP (4318). */
  protocol: z.enum(['grpc', 'http']),
  /** Plain-text connection to the collector (no TLS). */
  insecure: z.boolean(),
  /** The service name the traces carry. */
  serviceName: z.string().min(1).regex(/^[-._a-zA-Z0-9]+$/, "must be letters, digits, '-', '_' and '.'"),
  /** A Secret (release namespace) whose key holds the OTLP headers (`key=value,...`, often a credential); empty: none. */
  headersSecretName: secretName,
  /** The key of the headers in that Secret. */
  headersKey: z.string().min(1).regex(/^[-._a-zA-Z0-9]+$/, "must be a Secret key (letters, digits, '-', '_' and '.')"),
});

export const observabilitySchema = z.strictObject({
  /** The gateway's Prometheus metrics and how Prometheus finds them. */
  metrics: gatewayMetricsSchema,
  /** The gateway's OpenTelemetry traces. */
  tracing: gatewayTracingSchema,
  /** Alert rules for the Prometheus Operator. */
  alerts: alertsSchema,
});

export type GatewayMetrics = z.infer<typeof gatewayMetricsSchema>;
export type GatewayTracing = z.infer<typeof gatewayTracingSchema>;
export type Alerts = z.infer<typeof alertsSchema>;

export const observabilityDefaults: z.infer<typeof observabilitySchema> = {
  metrics: { enabled: false, tokenSecretName: '', tokenKey: 'token', interval: '30s', monitor: 'ServiceMonitor', postgresExporter: false },
  tracing: { enabled: false, endpoint: '', protocol: 'grpc', insecure: false, serviceName: 'mcp-gateway', headersSecretName: '', headersKey: 'headers' },
  alerts: { enabled: false },
};

/** Settings the switches own: set through `observability`, never through `gateway.extraConfig`. */
export const OBSERVABILITY_SETTINGS = [
  ['ENABLE_METRICS', 'observability.metrics.enabled'],
  ['OTEL_ENABLE_OBSERVABILITY', 'observability.tracing.enabled'],
  ['OTEL_EXPORTER_OTLP_HEADERS', 'observability.tracing.headersSecretName'],
] as const;
