/**
 * The `observability` values: the gateway's Prometheus metrics, scraped by the Prometheus Operator. The gateway serves
 * them at /metrics/prometheus behind its own authentication, so the scrape carries a bearer token from a Secret.
 * Kept outside `gateway`: they change no gateway setting but ENABLE_METRICS, so they do not restart its pods.
 */
import { z } from 'zod';

const secretName = z
  .string()
  .max(253)
  .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/, 'must be a Secret name (a DNS subdomain) or empty');

export const gatewayMetricsSchema = z.strictObject({
  /**
   * Turn the gateway's Prometheus metrics on (`ENABLE_METRICS`) and render a ServiceMonitor for them. Declares that the
   * cluster runs the Prometheus Operator; NetworkPolicies then admit its namespace (networkPolicies.monitoringNamespaceLabels).
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
});

export const observabilitySchema = z.strictObject({
  /** The gateway's Prometheus metrics and their ServiceMonitor. */
  metrics: gatewayMetricsSchema,
});

export type GatewayMetrics = z.infer<typeof gatewayMetricsSchema>;

export const observabilityDefaults: z.infer<typeof observabilitySchema> = {
  metrics: { enabled: false, tokenSecretName: '', tokenKey: 'token', interval: '30s' },
};

/** Settings the metrics switch owns: set through `observability.metrics`, never through `gateway.extraConfig`. */
export const METRICS_SETTINGS = ['ENABLE_METRICS'] as const;
