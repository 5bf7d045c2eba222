/**
 * Schema of the `tenants` block: per-tenant MCP server namespaces (see lib/constructs/tenants). Like the rest of the values,
 * every key of the block is required and its defaults live in one object (`tenantsDefaults`); only the entries of
 * `items` (a tenant file) have optional fields, whose defaults come from the block (`defaultQuota`, ...).
 *
 * The primitives below repeat a few of `schema.ts`: that file imports this one, so importing back would be a cycle.
 */
import { z } from 'zod';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes resource quantity, e.g. `500m`, `2`, `768Mi`, `1.5Gi`. */
const quantity = z
  .string()
  .regex(/^(\d+(\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, 'must be a Kubernetes quantity such as 500m, 2, 768Mi or 1Gi');

/** An RFC 1123 label: lower-case alphanumerics and '-', at most 63 characters. */
const dnsLabel = z
  .string()
  .max(63, 'must be at most 63 characters')
  .regex(DNS_LABEL, "must be a DNS-1123 label (lower-case letters, digits and '-')");

/** An RFC 1123 subdomain (Secret names). */
const dnsSubdomain = z.string().max(253, 'must be at most 253 characters').regex(DNS_NAME, 'must be a DNS-1123 subdomain such as my-secret');

const port = z.number().int().min(1).max(65535);
const positiveInt = z.number().int().min(1);
const nonNegativeInt = z.number().int().min(0);

/** An environment variable name. */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name such as LOG_LEVEL');

/** The three private IPv4 ranges (RFC 1918): no route to the internet; the API server is usually in one of them. */
export const PRIVATE_RANGES: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

export const cidr = z
  .string()
  .regex(/^((\d{1,3}\.){3}\d{1,3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/, 'must be a CIDR such as 10.0.0.0/16');

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Namespace labels a NetworkPolicy peer selects on; never empty (an empty selector admits every namespace). */
export const namespaceLabels = z
  .record(z.string().regex(LABEL_KEY, 'must be a label key'), z.string().regex(LABEL_VALUE, 'must be a label value'))
  .refine((m) => Object.keys(m).length > 0, { message: 'must hold at least one label: an empty selector admits every namespace' });

/** `registry[:port][/path]`, e.g. `ghcr.io`, `quay.io/acme`, `registry.local:5000`. */
const registryEntry = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, 'must be a registry such as ghcr.io or quay.io/acme');

const cpuMemory = z.strictObject({ cpu: quantity, memory: quantity });

export const tenantResourcesSchema = z.strictObject({ requests: cpuMemory, limits: cpuMemory });

export const quotaSchema = z.strictObject({
  /** `requests.cpu`, `requests.memory` and `requests.storage` of the ResourceQuota. */
  requests: z.strictObject({ cpu: quantity, memory: quantity, storage: quantity }),
  /** `limits.cpu` and `limits.memory`. */
  limits: cpuMemory,
  pods: positiveInt,
  persistentVolumeClaims: nonNegativeInt,
});

/** A tenant's changes to `defaultQuota`, key by key. */
const quotaOverrideSchema = z.strictObject({
  requests: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional(), storage: quantity.optional() }).optional(),
  limits: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
  pods: positiveInt.optional(),
  persistentVolumeClaims: nonNegativeInt.optional(),
});

export const limitRangeSchema = z.strictObject({
  /** Limits of a container that sets none (the operator's proxy pods set none). */
  default: cpuMemory,
  /** Requests of a container that sets none. */
  defaultRequest: cpuMemory,
  /** Largest limits any container may have. */
  max: cpuMemory,
});

const partialCpuMemory = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() });
/** A tenant's changes to `defaultLimitRange`, key by key. */
const limitRangeOverrideSchema = z.strictObject({
  default: partialCpuMemory.optional(),
  defaultRequest: partialCpuMemory.optional(),
  max: partialCpuMemory.optional(),
});

export const tenantImageSchema = z.strictObject({
  /** Registry and repository, e.g. `ghcr.io/github/github-mcp-server`; the registry must be on `registryAllowList`. */
  repository: z
    .string()
    .regex(
      /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
      'must be an image repository such as ghcr.io/org/name, without tag or digest',
    )
    .refine((r) => r.includes('/') && /[.:]|^localhost\//.test(r.split('/')[0] + '/'), {
      message: 'must start with its registry, e.g. docker.io/mcp/fetch (images are checked against tenants.registryAllowList)',
    }),
  /** Image tag; `latest` is refused because it makes the output mean different things over time. */
  tag: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be an image tag')
    .refine((t) => t !== 'latest', { message: "must not be 'latest': pin a version" }),
  /** Content digest (`sha256:<64 hex>`); required on profiles with `images.requireDigests`. */
  digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256:<64 lower-case hex digits>').optional(),
  /** Numeric user the image runs as (Kubernetes only; OpenShift assigns one). Default: `defaultImageUser`. */
  user: z.number().int().min(1).max(2147483647).optional(),
});

export const tenantServerSchema = z.strictObject({
  /** The MCPServer name; also part of the namespace (`{namespacePrefix}-{name}-{tenant}`) and of `mcp-{name}-proxy`. */
  name: dnsLabel,
  image: tenantImageSchema,
  /** How the MCP server speaks: over HTTP (`sse`, `streamable-http`) or on stdin/stdout (`stdio`, proxied). */
  transport: z.enum(['sse', 'streamable-http', 'stdio']),
  /** What the proxy offers for a `stdio` server. Default `streamable-http`. Only for `stdio`. */
  proxyMode: z.enum(['sse', 'streamable-http']).optional(),
  /** Port the MCP container listens on. Default 8000. Not for `stdio`. */
  mcpPort: port.optional(),
  /** Port of the `mcp-{name}-proxy` Service the gateway calls. Default 8080. */
  proxyPort: port.optional(),
  /** Arguments for the MCP container. */
  args: z.array(z.string()).optional(),
  /** Plain settings; never credentials (those go in `secrets`). */
  env: z.array(z.strictObject({ name: envName, value: z.string() })).optional(),
  /** Keys of existing Secrets in the server's namespace, exposed as environment variables. */
  secrets: z
    .array(
      z.strictObject({
        /** Secret name (created outside the output: External Secrets, Sealed Secrets or by hand). */
        name: dnsSubdomain,
        key: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret key'),
        targetEnvName: envName,
      }),
    )
    .optional(),
  /** Requests and limits of the MCP container. Default: `defaultServerResources`. */
  resources: tenantResourcesSchema.optional(),
  /** `internal` (the gateway only), `route` (OpenShift Route, edge TLS) or `ingress`. Default `internal`. */
  exposure: z.enum(['internal', 'route', 'ingress']).optional(),
  /**
   * Kubernetes API access of the server in its own namespace: `none`, `view` (the built-in read-only ClusterRole) or
   * `edit` (the tenant's own Role: workloads, never NetworkPolicies, quotas, limits or RBAC). Default `none`.
   */
  kubernetesApi: z.enum(['none', 'view', 'edit']).optional(),
  /** Expose the proxy's Prometheus metrics and add a ServiceMonitor. Default false. */
  monitoring: z.boolean().optional(),
  /** Read-only root filesystem for the MCP container (with a writable /tmp). Default true. */
  readOnlyRootFilesystem: z.boolean().optional(),
  /** Addresses outside the cluster the server may reach (e.g. a SaaS API). Default none. */
  egress: z.array(z.strictObject({ cidr, ports: z.array(port).min(1) })).optional(),
  /**
   * Most MCP requests per minute the server's proxy lets through, for all callers together (ToolHive's
   * `spec.rateLimiting.shared`, a token bucket refilled every minute). Needs `tenants.rateLimiting.redis`. Default none.
   */
  toolCallsPerMinute: positiveInt.optional(),
});

export const tenantSchema = z.strictObject({
  /** Tenant id: the `{tenant}` of every namespace name. */
  name: dnsLabel,
  /** Shown by the OpenShift console for the tenant's namespaces. */
  displayName: z.string().max(200).optional(),
  /** RBAC subject bound to `edit` in the tenant's namespaces. Default: `rbac.subjectPrefix` + name. */
  user: z
    .string()
    .min(1)
    .max(253)
    .refine((u) => !u.startsWith('system:'), { message: "must not start with 'system:' (that binds service accounts or system groups)" })
    .optional(),
  /** Changes to `defaultQuota` for this tenant (each of its namespaces). */
  quota: quotaOverrideSchema.optional(),
  /** Changes to `defaultLimitRange` for this tenant. */
  limitRange: limitRangeOverrideSchema.optional(),
  /** The tenant's MCP servers: one namespace, one MCPServer and one ArgoCD Application each. */
  servers: z.array(tenantServerSchema).min(1, 'must list at least one server'),
});

const configShape = {
  /** Namespace of a server: `{namespacePrefix}-{server}-{tenant}`; empty gives `{server}-{tenant}`. */
  namespacePrefix: z.union([z.literal(''), dnsLabel.max(40, 'must be at most 40 characters')]),
  /** MCPServer API version the cluster's ToolHive operator serves: `v1beta1`, or `v1alpha1` for older operators. */
  mcpServerApiVersion: z.enum(['v1beta1', 'v1alpha1']),
  /** Registries (optionally with a path) tenant images may come from. */
  registryAllowList: z.array(registryEntry),
  /**
   * The admission engine that enforces the tenant image rules in the cluster: `validating-admission-policy` renders a
   * ValidatingAdmissionPolicy and its binding (built in from Kubernetes 1.30) for every tenant namespace; `none`
   * leaves them to the synth's checks.
   */
  admission: z.enum(['none', 'validating-admission-policy']),
  /** User MCP containers run as on Kubernetes when the image gives none (never used on OpenShift). */
  defaultImageUser: z.number().int().min(1).max(2147483647),
  /** ResourceQuota of each tenant namespace, unless the tenant overrides it. */
  defaultQuota: quotaSchema,
  /** LimitRange of each tenant namespace; mandatory next to a limits quota, or operator-created pods are rejected. */
  defaultLimitRange: limitRangeSchema,
  /** Requests and limits of an MCP container that sets none. */
  defaultServerResources: tenantResourcesSchema,
  /** Who the tenant is to Kubernetes and ArgoCD. */
  rbac: z.strictObject({
    /** Kind of the RoleBinding subject. */
    subjectKind: z.enum(['User', 'Group']),
    /** Subject name: this prefix + the tenant name, unless the tenant sets `user`. */
    subjectPrefix: z.string().max(200).refine((p) => !p.startsWith('system:'), { message: "must not start with 'system:'" }),
  }),
  /** Where the tenant Applications read their manifests; empty strings take the platform's `gitops` value. */
  gitops: z.strictObject({
    repoURL: z.union([z.literal(''), z.string().regex(/^(https:\/\/|ssh:\/\/|git@)\S+$/, 'must be an https://, ssh:// or git@ repository URL')]),
    targetRevision: z.string(),
    pathPrefix: z.union([z.literal(''), z.string().regex(/^[A-Za-z0-9._/-]+$/, 'must be a relative path such as dist')]),
    argocdNamespace: z.union([z.literal(''), dnsLabel]),
    /** Cluster the Applications deploy to. */
    destinationServer: z.string().regex(/^https:\/\/\S+$/, 'must be an https:// API server URL'),
  }),
  /** How `route` and `ingress` servers are reached from outside. */
  exposure: z.strictObject({
    /** Apps domain: hosts are `{namespace}.{domain}`. Required for `ingress`; empty lets OpenShift pick Route hosts. */
    domain: z.union([z.literal(''), z.string().max(200).regex(DNS_NAME, 'must be a DNS name such as apps.example.com')]),
    ingressClassName: z.string(),
    /** Annotations of every tenant Ingress (e.g. a cert-manager issuer). */
    ingressAnnotations: z.record(z.string(), z.string()),
    /** TLS on Ingresses, from Secret `mcp-{server}-tls` in the server's namespace. */
    tls: z.boolean(),
    /** Namespaces of the OpenShift router (admitted to `route` servers). */
    routerNamespaceLabels: namespaceLabels,
    /** Namespaces of the ingress controller (admitted to `ingress` servers). */
    ingressNamespaceLabels: namespaceLabels,
  }),
  network: z.strictObject({
    /**
     * The Kubernetes API as NetworkPolicies see it (after Service NAT: the API server endpoints). ToolHive's proxy
     * runner always needs it; MCP servers only with `kubernetesApi`.
     */
    apiServer: z.strictObject({ cidrs: z.array(cidr).min(1), ports: z.array(port).min(1) }),
  }),
  monitoring: z.strictObject({
    /** Namespaces of the Prometheus that scrapes tenant ServiceMonitors. */
    namespaceLabels,
    interval: z.string().regex(/^\d+(ms|s|m|h)$/, 'must be a duration such as 30s'),
  }),
  /**
   * The Redis ToolHive keeps rate-limit buckets in (its MCPServer accepts `rateLimiting` only with Redis session
   * storage), for servers with `toolCallsPerMinute`. Give the tenants a Redis of their own, not the gateway's.
   */
  rateLimiting: z.strictObject({
    redis: z.strictObject({
      /** `host:port` the proxy runners connect to (checked when a server sets `toolCallsPerMinute`); empty: none may. */
      address: z.string().max(260),
      /** Secret with the Redis password, in each rate-limited server's namespace (made outside the output); empty: none. */
      passwordSecretName: z.union([z.literal(''), dnsSubdomain]),
      passwordKey: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret key'),
      /** Addresses of the Redis as NetworkPolicies see them (pod or endpoint addresses), and its port. */
      cidrs: z.array(cidr),
      port,
    }),
  }),
  /** The gateway-side Job that registers every tenant server with the gateway and removes the ones that are gone. */
  /** Most MCP servers (and so namespaces) one tenant may have; the hosting runbook's `maxServersPerTenant`. */
  maxServersPerTenant: positiveInt,
  registration: z.strictObject({
    enabled: z.boolean(),
    /** How long a server may take to become reachable before the Job fails. */
    retrySeconds: positiveInt,
    /** Registrations run at once. */
    parallelism: z.number().int().min(1).max(32),
  }),
};

const configSchema = z.strictObject(configShape);

/** The block's shape; `tenantsSchema` (tenants-checks.ts) adds the checks across entries. */
export const tenantsBlockSchema = z.strictObject({
  /** The tenants (usually from `--tenants FILE`). */
  items: z.array(tenantSchema),
  ...configShape,
});

export type TenantsValues = z.infer<typeof tenantsBlockSchema>;
export type TenantsConfig = z.infer<typeof configSchema>;
export type Tenant = z.infer<typeof tenantSchema>;
export type TenantServer = z.infer<typeof tenantServerSchema>;
export type Quota = z.infer<typeof quotaSchema>;
export type LimitRangeValues = z.infer<typeof limitRangeSchema>;
export type TenantResources = z.infer<typeof tenantResourcesSchema>;

/** What the schema could parse of the block: the valid config keys, and each entry's name and (if valid) value. */
export interface TenantsView {
  readonly config: Partial<TenantsConfig>;
  readonly items: readonly { name?: string; tenant?: Tenant }[];
}

/** The parts of a possibly malformed block that are valid, for the cross-entry checks. */
export function viewOf(raw: unknown): TenantsView {
  const block = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const config: Partial<TenantsConfig> = {};
  for (const [key, schema] of Object.entries(configShape)) {
    const parsed = (schema as z.ZodType).safeParse(block[key]);
    if (parsed.success) (config as Record<string, unknown>)[key] = parsed.data;
  }
  const items = Array.isArray(block.items) ? block.items : [];
  return {
    config,
    items: items.map((item) => {
      const parsed = tenantSchema.safeParse(item);
      const name = typeof item === 'object' && item !== null ? (item as { name?: unknown }).name : undefined;
      return { name: typeof name === 'string' ? name : undefined, tenant: parsed.success ? parsed.data : undefined };
    }),
  };
}

export const tenantsDefaults: TenantsValues = {
  items: [],
  namespacePrefix: 'mcp',
  mcpServerApiVersion: 'v1beta1',
  registryAllowList: ['docker.io', 'ghcr.io', 'quay.io'],
  admission: 'none',
  defaultImageUser: 65532,
  // Sized for one MCP server: its container and ToolHive's proxy runner, twice over for a rolling update.
  defaultQuota: {
    requests: { cpu: '1', memory: '1Gi', storage: '1Gi' },
    limits: { cpu: '2', memory: '2Gi' },
    pods: 10,
    persistentVolumeClaims: 2,
  },
  defaultLimitRange: {
    default: { cpu: '500m', memory: '512Mi' },
    defaultRequest: { cpu: '50m', memory: '128Mi' },
    max: { cpu: '1', memory: '1Gi' },
  },
  defaultServerResources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  rbac: { subjectKind: 'User', subjectPrefix: '' },
  gitops: { repoURL: '', targetRevision: '', pathPrefix: '', argocdNamespace: '', destinationServer: 'https://kubernetes.default.svc' },
  exposure: {
    domain: '',
    ingressClassName: 'nginx',
    ingressAnnotations: {},
    tls: true,
    routerNamespaceLabels: { 'network.openshift.io/policy-group': 'ingress' },
    ingressNamespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
  },
  // The private ranges, API ports only: narrow `cidrs` to the API server endpoints of the cluster.
  network: { apiServer: { cidrs: [...PRIVATE_RANGES], ports: [443, 6443] } },
  monitoring: { namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' }, interval: '30s' },
  maxServersPerTenant: 10,
  rateLimiting: { redis: { address: '', passwordSecretName: '', passwordKey: 'password', cidrs: [], port: 6379 } },
  registration: { enabled: true, retrySeconds: 300, parallelism: 8 },
};

/**
 * The keys allowed at a path inside the block (e.g. `['items', 3, 'servers', 0]`), for "unknown key" messages:
 * list entries have no defaults to read them from.
 */
export function tenantsKeysAt(path: readonly PropertyKey[]): string[] | undefined {
  let node: any = tenantsBlockSchema;
  for (const seg of path) {
    node = unwrap(node);
    const def = node?._zod?.def;
    if (def?.type === 'object') node = def.shape[seg as string];
    else if (def?.type === 'array') node = def.element;
    else return undefined;
  }
  const def = unwrap(node)?._zod?.def;
  return def?.type === 'object' ? Object.keys(def.shape) : undefined;
}

function unwrap(node: any): any {
  while (node?._zod?.def?.type === 'optional') node = node._zod.def.innerType;
  return node;
}
