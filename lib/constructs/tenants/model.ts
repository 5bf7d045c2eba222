/**
 * Tenants with every default applied and every derived name computed, once: the object builders, the checks and the
 * gateway wiring all read this model, never the raw entries.
 */
import type { LimitRangeValues, Quota, Tenant, TenantResources, TenantServer, TenantsConfig, TenantsValues } from '../../../profiles/tenants-schema';
import { serviceHost } from '../core/naming';
import { effectiveLimitRange, effectiveQuota } from '../../../profiles/tenants-fit';
import type { Values } from '../../../profiles/schema';
import {
  exposureHost,
  gatewayRegistrationName,
  mcpProxyServiceName,
  mcpServerServiceAccountName,
  serverApplicationName,
  serverNamespace,
  tenantProjectName,
} from '../../../profiles/tenants-naming';

export const DEFAULT_PROXY_PORT = 8080;
export const DEFAULT_MCP_PORT = 8000;

export interface ResolvedServer {
  readonly tenant: string;
  readonly name: string;
  readonly namespace: string;
  readonly image: TenantServer['image'];
  /** `repository:tag[@digest]`. */
  readonly imageRef: string;
  /** User the MCP container runs as on Kubernetes. */
  readonly user: number;
  readonly transport: TenantServer['transport'];
  /** What the proxy speaks to clients: the transport itself, or the proxy mode of a `stdio` server. */
  readonly protocol: 'sse' | 'streamable-http';
  readonly proxyMode?: 'sse' | 'streamable-http';
  readonly mcpPort?: number;
  readonly proxyPort: number;
  /** In-cluster URL the gateway registers. */
  readonly url: string;
  readonly registrationName: string;
  readonly args: readonly string[];
  readonly env: readonly { name: string; value: string }[];
  readonly secrets: readonly { name: string; key: string; targetEnvName: string }[];
  readonly resources: TenantResources;
  readonly exposure: 'internal' | 'route' | 'ingress';
  /** Host of a Route or Ingress; undefined lets OpenShift generate a Route host. */
  readonly host?: string;
  readonly kubernetesApi: 'none' | 'view' | 'edit';
  readonly monitoring: boolean;
  readonly readOnlyRootFilesystem: boolean;
  readonly egress: readonly { cidr: string; ports: readonly number[] }[];
  /** MCP requests per minute the proxy lets through, all callers together; undefined: no limit. */
  readonly toolCallsPerMinute?: number;
  readonly proxyService: string;
  readonly serviceAccount: string;
  readonly application: string;
}

export interface ResolvedTenant {
  readonly name: string;
  readonly displayName?: string;
  /** RBAC subject bound to `edit`, and the ArgoCD group of the project role. */
  readonly subject: string;
  readonly quota: Quota;
  readonly limitRange: LimitRangeValues;
  readonly project: string;
  readonly servers: readonly ResolvedServer[];
  /** Every namespace of the tenant, sorted. */
  readonly namespaces: readonly string[];
}

/**
 * The tenant-wide settings (pieces of the `tenants` block) one tenant's objects are built from: namespace naming,
 * default budget and resources, RBAC subject, exposure, network and monitoring.
 */
export type TenantSettings = Pick<
  TenantsConfig,
  'namespacePrefix' | 'mcpServerApiVersion' | 'defaultImageUser' | 'defaultQuota' | 'defaultLimitRange' | 'defaultServerResources' | 'rbac' | 'exposure' | 'network' | 'monitoring' | 'rateLimiting'
>;

/** Where the tenant Applications read from, with the platform's `gitops` values filling the blanks. */
export interface TenantGitops {
  readonly repoURL: string;
  readonly targetRevision: string;
  readonly pathPrefix: string;
  readonly argocdNamespace: string;
  readonly destinationServer: string;
  /** Folder of the output under `pathPrefix`: the profile's name. */
  readonly profile: string;
}

/** The protocol a client speaks to the proxy. */
export function serverProtocol(s: Pick<TenantServer, 'transport' | 'proxyMode'>): 'sse' | 'streamable-http' {
  return s.transport === 'stdio' ? (s.proxyMode ?? 'streamable-http') : s.transport;
}

export function subjectOf(config: Pick<TenantsConfig, 'rbac'>, tenant: Pick<Tenant, 'name' | 'user'>): string {
  return tenant.user ?? `${config.rbac.subjectPrefix}${tenant.name}`;
}

export function resolveServer(config: TenantSettings, tenant: Tenant, s: TenantServer): ResolvedServer {
  const namespace = serverNamespace(config.namespacePrefix, tenant.name, s.name);
  const protocol = serverProtocol(s);
  const proxyPort = s.proxyPort ?? DEFAULT_PROXY_PORT;
  const exposure = s.exposure ?? 'internal';
  const { repository, tag, digest } = s.image;
  return {
    tenant: tenant.name,
    name: s.name,
    namespace,
    image: s.image,
    imageRef: digest ? `${repository}:${tag}@${digest}` : `${repository}:${tag}`,
    user: s.image.user ?? config.defaultImageUser,
    transport: s.transport,
    protocol,
    ...(s.transport === 'stdio' ? { proxyMode: protocol } : { mcpPort: s.mcpPort ?? DEFAULT_MCP_PORT }),
    proxyPort,
    url: mcpServerUrl(namespace, s.name, proxyPort, mcpPath(protocol)),
    registrationName: gatewayRegistrationName(namespace),
    args: s.args ?? [],
    env: s.env ?? [],
    secrets: s.secrets ?? [],
    resources: s.resources ?? config.defaultServerResources,
    exposure,
    ...(exposure !== 'internal' && config.exposure.domain ? { host: exposureHost(namespace, config.exposure.domain) } : {}),
    kubernetesApi: s.kubernetesApi ?? 'none',
    monitoring: s.monitoring ?? false,
    readOnlyRootFilesystem: s.readOnlyRootFilesystem ?? true,
    egress: s.egress ?? [],
    ...(s.toolCallsPerMinute !== undefined ? { toolCallsPerMinute: s.toolCallsPerMinute } : {}),
    proxyService: mcpProxyServiceName(s.name),
    serviceAccount: mcpServerServiceAccountName(s.name),
    application: serverApplicationName(namespace),
  };
}

export function resolveTenant(config: TenantSettings, tenant: Tenant): ResolvedTenant {
  const servers = [...tenant.servers].sort(byName).map((s) => resolveServer(config, tenant, s));
  return {
    name: tenant.name,
    ...(tenant.displayName ? { displayName: tenant.displayName } : {}),
    subject: subjectOf(config, tenant),
    quota: effectiveQuota(config.defaultQuota, tenant.quota),
    limitRange: effectiveLimitRange(config.defaultLimitRange, tenant.limitRange),
    project: tenantProjectName(tenant.name),
    servers,
    namespaces: servers.map((s) => s.namespace).sort(),
  };
}

/** Every tenant of the values, sorted by name. */
export function resolveTenants(values: Values): ResolvedTenant[] {
  const t = values.tenants as TenantsValues;
  return [...t.items].sort(byName).map((tenant) => resolveTenant(t, tenant));
}

/** Path the proxy serves MCP on: `/sse` for SSE, `/mcp` for streamable HTTP. */
export function mcpPath(protocol: 'sse' | 'streamable-http'): string {
  return protocol === 'sse' ? '/sse' : '/mcp';
}

/** What the gateway registers: `http://mcp-{server}-proxy.{namespace}.svc.cluster.local:{proxyPort}{path}`. */
export function mcpServerUrl(namespace: string, server: string, proxyPort: number, path: string): string {
  return `http://${serviceHost(mcpProxyServiceName(server), namespace)}:${proxyPort}${path}`;
}

/** The tenants' own `gitops` settings, each empty one taken from the platform's. */
export function tenantGitops(g: TenantsConfig['gitops'], platform: Pick<Values['gitops'], 'repoURL' | 'targetRevision' | 'pathPrefix' | 'argocdNamespace'>, profile: string): TenantGitops {
  return {
    repoURL: g.repoURL || platform.repoURL,
    targetRevision: g.targetRevision || platform.targetRevision,
    pathPrefix: g.pathPrefix || platform.pathPrefix,
    argocdNamespace: g.argocdNamespace || platform.argocdNamespace,
    destinationServer: g.destinationServer,
    profile,
  };
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
