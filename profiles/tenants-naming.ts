/**
 * Every name derived for a tenant lives here: the namespace contract (`{suffix}-{tenant}`), the names the ToolHive
 * operator gives what it creates, the AppProject and Application names. Namespaces, ArgoCD destinations,
 * NetworkPolicy peers, Routes and the registration catalog all call these, so they can never drift apart. Pure
 * string rules with no imports: the values checks use them too, to refuse names that would be invalid.
 */

/** Longest DNS-1123 label (namespace, Service, label value). */
export const DNS_LABEL_MAX = 63;
/** Longest DNS name (a Route or Ingress host). */
export const DNS_NAME_MAX = 253;

/** Label every tenant object carries: the tenant it belongs to. */
export const TENANT_LABEL = 'mcp-stack.io/tenant';
/** Label on a tenant's per-server objects and namespace: the MCP server they serve. */
export const SERVER_LABEL = 'mcp-stack.io/mcp-server';
/** Constant label on every tenant namespace, so one policy peer can select them all (see `tenantGatewayFlowsByLabel`). */
export const TENANT_NAMESPACE_LABEL = 'mcp-stack.io/tenant-namespace';
/** The label the API server sets on every namespace; immutable, so a NetworkPolicy peer on it cannot be spoofed. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The suffix of a server's namespace: `{prefix}-{server}` (just `{server}` with an empty prefix). */
export function serverNamespaceSuffix(prefix: string, server: string): string {
  return prefix ? `${prefix}-${server}` : server;
}

/** The namespace contract: `{suffix}-{tenant}`, e.g. `mcp-github-acme`. */
export function tenantNamespaceName(tenant: string, suffix: string): string {
  return `${suffix}-${tenant}`;
}

/** Namespace of one tenant's MCP server. */
export function serverNamespace(prefix: string, tenant: string, server: string): string {
  return tenantNamespaceName(tenant, serverNamespaceSuffix(prefix, server));
}

/** The Service the ToolHive operator puts in front of the proxy runner: `mcp-{server}-proxy`. */
export function mcpProxyServiceName(server: string): string {
  return `mcp-${server}-proxy`;
}

/** The headless Service the proxy runner creates for the MCP backend: `mcp-{server}-headless`. */
export function mcpHeadlessServiceName(server: string): string {
  return `mcp-${server}-headless`;
}

/** ServiceAccount of the MCP server pod (the operator's own default name, created here so its token is controlled). */
export function mcpServerServiceAccountName(server: string): string {
  return `${server}-sa`;
}

/** Labels the ToolHive operator puts on the proxy runner's pods and on the `mcp-{server}-proxy` Service. */
export function toolhiveProxyLabels(server: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'mcpserver', 'app.kubernetes.io/instance': server };
}

/** Route or Ingress of a server: `mcp-{server}`. */
export function exposureName(server: string): string {
  return `mcp-${server}`;
}

/** Public host of an exposed server: the namespace (unique by construction) under the apps domain. */
export function exposureHost(namespace: string, domain: string): string {
  return `${namespace}.${domain}`;
}

/** First label of the host OpenShift generates for a Route without a host: `{route}-{namespace}`. */
export function generatedRouteHostLabel(server: string, namespace: string): string {
  return `${exposureName(server)}-${namespace}`;
}

/** TLS Secret of an exposed server's Ingress (written by cert-manager or by hand). */
export function ingressTlsSecretName(server: string): string {
  return `mcp-${server}-tls`;
}

/** MCPTelemetryConfig that turns on the proxy's Prometheus endpoint (v1beta1 operators). */
export function telemetryConfigName(server: string): string {
  return `${server}-metrics`;
}

/** The tenant's ArgoCD AppProject: `tenant-{tenant}`. */
export function tenantProjectName(tenant: string): string {
  return `tenant-${tenant}`;
}

/** A server's ArgoCD Application: named like its namespace, which is unique and a valid tracking label value. */
export function serverApplicationName(namespace: string): string {
  return namespace;
}

/** Name the gateway registers a tenant server under: its namespace (unique across tenants). */
export function gatewayRegistrationName(namespace: string): string {
  return namespace;
}

/** RoleBinding granting a server's ServiceAccount Kubernetes API access in its own namespace. */
export function apiAccessBindingName(server: string, access: 'view' | 'edit'): string {
  // `edit` binds the tenant's Role: a new name, because the binding of earlier releases (`<sa>-edit`, to the
  // ClusterRole `edit`) cannot change its role reference in place.
  return `${mcpServerServiceAccountName(server)}-${access === 'edit' ? 'workloads' : 'view'}`;
}

export const QUOTA_NAME = 'tenant-quota';
export const LIMIT_RANGE_NAME = 'tenant-limits';

/** Folder of a tenant's output under `dist/<profile>/`. */
export function tenantDir(tenant: string): string {
  return `tenants/${tenant}`;
}

/** File names inside a tenant's folder; workloads are one file per server so each Application syncs exactly one. */
export const GUARDRAILS_FILE = '00-guardrails.yaml';
export const WORKLOADS_DIR = '10-workloads';
export const ARGOCD_FILE = '20-argocd.yaml';
export function workloadFile(server: string): string {
  return `${server}.yaml`;
}
