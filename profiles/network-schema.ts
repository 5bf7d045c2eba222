/**
 * The `networkPolicies` values: who may reach the stack from other namespaces and where the stack may go outside
 * its namespace. Nothing here is open to every namespace or address by default; each peer is declared.
 */
import { z } from 'zod';
import { cidr, namespaceLabels, PRIVATE_RANGES } from './tenants-schema';

const port = z.number().int().min(1).max(65535);

/** Addresses a pod group may send to on one port; no `cidrs` means no rule at all. */
const egressTarget = z.strictObject({
  /** Address ranges (outside the cluster, or a pod range for an in-cluster peer). */
  cidrs: z.array(cidr),
  port,
});

export const networkPoliciesSchema = z.strictObject({
  /** Render the default deny and one policy per component (`30-network-policies.yaml`). */
  enabled: z.boolean(),
  /** Namespaces of the ingress controller (`exposure.type: ingress`): the only clients of NGINX, or of the gateway without it. */
  ingressNamespaceLabels: namespaceLabels,
  /** Namespaces of the OpenShift router (`exposure.type: route`). */
  routerNamespaceLabels: namespaceLabels,
  /** Namespaces the CrunchyData PGO operator runs in (it manages the database pods). */
  pgoOperatorNamespaceLabels: namespaceLabels,
  /** Namespaces of the Prometheus that scrapes the stack (the pgmonitor exporter when `database.pgo.monitoring`). */
  monitoringNamespaceLabels: namespaceLabels,
  /**
   * The Kubernetes API as NetworkPolicies see it (after Service NAT: the API server endpoints), on 443 and 6443.
   * Patroni keeps the database leader lock there. The default is the private address ranges: narrow it to the
   * cluster's API server endpoints.
   */
  apiServer: z.strictObject({ cidrs: z.array(cidr).min(1, 'must list the API server addresses (Patroni needs the Kubernetes API)') }),
  /** Where the gateway may connect outside the namespace, besides its database, Redis and the tenant servers. */
  gatewayEgress: z.strictObject({
    /** MCP servers and gateways registered by URL outside the cluster. */
    mcpServers: egressTarget,
    /** The OIDC / SSO provider the gateway validates tokens with. */
    oidc: egressTarget,
    /** The OpenTelemetry collector (OTLP gRPC 4317 or HTTP 4318). */
    otel: egressTarget,
  }),
});

export const networkPoliciesDefaults: z.infer<typeof networkPoliciesSchema> = {
  enabled: false,
  ingressNamespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
  routerNamespaceLabels: { 'network.openshift.io/policy-group': 'ingress' },
  pgoOperatorNamespaceLabels: { 'kubernetes.io/metadata.name': 'postgres-operator' },
  monitoringNamespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
  apiServer: { cidrs: [...PRIVATE_RANGES] },
  gatewayEgress: {
    mcpServers: { cidrs: [], port: 443 },
    oidc: { cidrs: [], port: 443 },
    otel: { cidrs: [], port: 4317 },
  },
};
