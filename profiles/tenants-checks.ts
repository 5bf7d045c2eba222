/**
 * The tenant rules a field-by-field schema cannot express: derived names (every one a DNS label of at most 63
 * characters, none shared by two tenants), the registry allow-list, transport-specific ports, credentials kept out of
 * plain env, and servers that fit their LimitRange and ResourceQuota (`fit.ts`). `blockProblems` needs only the
 * `tenants` block (the schema runs it); `tenantProblems` needs the whole values (the loader runs it).
 */
import type { Problem } from './errors';
import { tenantsBlockSchema, viewOf, type Tenant, type TenantsConfig, type TenantsView } from './tenants-schema';
import { effectiveLimitRange, effectiveQuota, limitRangeProblems, overMax, quotaProblems, resourcesProblems, type AddProblem, type Path } from './tenants-fit';
import {
  DNS_LABEL_MAX,
  DNS_NAME_MAX,
  exposureHost,
  generatedRouteHostLabel,
  mcpHeadlessServiceName,
  mcpProxyServiceName,
  serverNamespace,
  tenantProjectName,
} from './tenants-naming';

export type { AddProblem, Path };
export interface BlockProblem {
  readonly path: Path;
  readonly message: string;
}

/** The tenants block with its checks across entries. They run even when some entries are malformed, so one message lists every problem. */
export const tenantsSchema = tenantsBlockSchema.superRefine(
  (raw, ctx) => {
    for (const p of blockProblems(viewOf(raw))) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  },
  { when: () => true },
);

/**
 * Environment variable names whose value is a credential, matched case-insensitively: they belong in a Secret. A
 * pattern in the syntax JavaScript and Go share, so the chart's rules (profiles/cross-field-rules.ts) use it too.
 */
export const CREDENTIAL_NAME_PATTERN = '(^|_)(PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)($|_)';
const CREDENTIAL_NAME = new RegExp(CREDENTIAL_NAME_PATTERN, 'i');

/** Namespaces a tenant must never get. */
const RESERVED_NAMESPACE = /^(default|kube-.*|openshift(-.*)?)$/;

export function blockProblems(view: TenantsView): BlockProblem[] {
  const out: BlockProblem[] = [];
  const add = (path: Path, message: string) => out.push({ path, message });
  const c = view.config;

  if (c.defaultLimitRange) limitRangeProblems(c.defaultLimitRange, ['defaultLimitRange'], add);
  if (c.defaultServerResources) {
    resourcesProblems(c.defaultServerResources, ['defaultServerResources'], add);
    for (const dim of c.defaultLimitRange ? overMax(c.defaultServerResources, c.defaultLimitRange) : []) {
      add(['defaultServerResources', 'limits', dim], `exceeds defaultLimitRange.max.${dim} (${c.defaultLimitRange!.max[dim]}); the pods would be rejected at admission`);
    }
  }

  const tenantNames = new Map<string, number>();
  const namespaces = new Map<string, { at: string; tenant: string; server: string }>();
  view.items.forEach((item, i) => {
    if (item.name !== undefined) {
      const first = tenantNames.get(item.name);
      if (first !== undefined) add(['items', i, 'name'], `duplicate tenant name (also items.${first}.name)`);
      else tenantNames.set(item.name, i);
      const project = tenantProjectName(item.name);
      if (project.length > DNS_LABEL_MAX) {
        add(['items', i, 'name'], `derived AppProject name "${project}" has ${project.length} characters; at most ${DNS_LABEL_MAX} allowed: shorten the tenant name`);
      }
    }
    const t = item.tenant;
    if (t) tenantProblemsInBlock(t, i, c, namespaces, add);
  });
  return out;
}

function tenantProblemsInBlock(
  t: Tenant,
  i: number,
  c: Partial<TenantsConfig>,
  namespaces: Map<string, { at: string; tenant: string; server: string }>,
  add: AddProblem,
): void {
  const at = (...rest: Path): Path => ['items', i, ...rest];
  const limitRange = c.defaultLimitRange ? effectiveLimitRange(c.defaultLimitRange, t.limitRange) : undefined;
  const quota = c.defaultQuota ? effectiveQuota(c.defaultQuota, t.quota) : undefined;
  if (limitRange && t.limitRange) {
    limitRangeProblems(limitRange, at('limitRange'), add);
    const defaults = c.defaultServerResources;
    if (defaults && t.servers.some((s) => !s.resources)) {
      for (const dim of overMax(defaults, limitRange)) {
        add(at('limitRange', 'max', dim), `is below defaultServerResources.limits.${dim} (${defaults.limits[dim]}), which servers without resources use: their pods would be rejected at admission`);
      }
    }
  }

  const serverNames = new Map<string, number>();
  if (c.maxServersPerTenant !== undefined && t.servers.length > c.maxServersPerTenant) {
    add(at('servers'), `tenant "${t.name}" has ${t.servers.length} servers; at most maxServersPerTenant (${c.maxServersPerTenant}) allowed`);
  }
  t.servers.forEach((s, k) => {
    const sp = (...rest: Path): Path => at('servers', k, ...rest);
    const first = serverNames.get(s.name);
    if (first !== undefined) add(sp('name'), `duplicate server name in tenant "${t.name}" (also servers.${first}.name)`);
    else serverNames.set(s.name, k);

    nameProblems(t.name, s.name, s.exposure ?? 'internal', c, sp, namespaces, `items.${i}.servers.${k}`, add);

    if (c.registryAllowList && !registryAllowed(s.image.repository, c.registryAllowList)) {
      const allowed = c.registryAllowList.length ? c.registryAllowList.join(', ') : '(none: the list is empty)';
      add(sp('image', 'repository'), `is not from an allowed registry; tenants.registryAllowList allows: ${allowed}`);
    }
    if (s.transport === 'stdio' && s.mcpPort !== undefined) {
      add(sp('mcpPort'), "must not be set for transport 'stdio': the proxy attaches to the container's stdin, no port is involved");
    }
    if (s.transport !== 'stdio' && s.proxyMode !== undefined) {
      add(sp('proxyMode'), `only applies to transport 'stdio' (this server's transport is '${s.transport}')`);
    }
    envProblems(s, sp, c.mcpServerApiVersion, add);
    if (s.toolCallsPerMinute !== undefined) rateLimitProblems(c, sp('toolCallsPerMinute'), add);
    if (s.resources) {
      resourcesProblems(s.resources, sp('resources'), add);
      for (const dim of limitRange ? overMax(s.resources, limitRange) : []) {
        add(sp('resources', 'limits', dim), `exceeds the tenant's LimitRange max (${limitRange!.max[dim]}); the pod would be rejected at admission`);
      }
    }
  });

  if (quota && limitRange && c.defaultServerResources) {
    quotaProblems(t, quota, limitRange, c.defaultServerResources, at, add);
  }
}

/** Every name derived from the tenant and server: a DNS label of at most 63 characters, and no two servers share one. */
function nameProblems(
  tenant: string,
  server: string,
  exposure: 'internal' | 'route' | 'ingress',
  c: Partial<TenantsConfig>,
  sp: (...rest: Path) => Path,
  namespaces: Map<string, { at: string; tenant: string; server: string }>,
  where: string,
  add: AddProblem,
): void {
  const tooLong = (what: string, name: string, hint: string) =>
    add(sp('name'), `derived ${what} "${name}" has ${name.length} characters; at most ${DNS_LABEL_MAX} allowed: ${hint}`);
  const proxy = mcpProxyServiceName(server);
  const headless = mcpHeadlessServiceName(server);
  if (proxy.length > DNS_LABEL_MAX) tooLong('Service name', proxy, 'shorten the server name');
  else if (headless.length > DNS_LABEL_MAX) tooLong('Service name', headless, 'shorten the server name (the proxy runner creates this Service too)');
  if (c.namespacePrefix === undefined) return;
  const ns = serverNamespace(c.namespacePrefix, tenant, server);
  if (ns.length > DNS_LABEL_MAX) {
    tooLong('namespace', ns, 'shorten the tenant or server name');
    return;
  }
  if (RESERVED_NAMESPACE.test(ns)) add(sp('name'), `derived namespace "${ns}" is reserved for the cluster itself`);
  const other = namespaces.get(ns);
  if (other && other.tenant !== tenant) {
    add(sp('name'), `derived namespace "${ns}" is also the namespace of ${other.at} (tenant "${other.tenant}", server "${other.server}"): rename one of them`);
  } else if (!other) {
    namespaces.set(ns, { at: where, tenant, server });
  }
  if (exposure === 'internal' || !c.exposure) return;
  if (c.exposure.domain) {
    const host = exposureHost(ns, c.exposure.domain);
    if (host.length > DNS_NAME_MAX) add(sp('exposure'), `derived host "${host}" has ${host.length} characters; at most ${DNS_NAME_MAX} allowed: shorten tenants.exposure.domain`);
  } else if (exposure === 'ingress') {
    add(sp('exposure'), "'ingress' needs tenants.exposure.domain (the host is {namespace}.{domain})");
  } else {
    const label = generatedRouteHostLabel(server, ns);
    if (label.length > DNS_LABEL_MAX) {
      add(sp('exposure'), `the Route host OpenShift would generate starts with "${label}" (${label.length} characters; at most ${DNS_LABEL_MAX} allowed): set tenants.exposure.domain or shorten the names`);
    }
  }
}

function envProblems(
  s: Tenant['servers'][number],
  sp: (...rest: Path) => Path,
  apiVersion: TenantsConfig['mcpServerApiVersion'] | undefined,
  add: AddProblem,
): void {
  const envNames = new Map<string, string>();
  (s.env ?? []).forEach((e, j) => {
    const first = envNames.get(e.name);
    if (first) add(sp('env', j, 'name'), `duplicate environment variable (also ${first})`);
    else envNames.set(e.name, `env.${j}`);
    if (CREDENTIAL_NAME.test(e.name) && e.value !== '') {
      add(sp('env', j, 'value'), `${e.name} looks like a credential: reference a Secret in 'secrets' instead of a plain value`);
    }
  });
  const secretNames = new Map<string, number>();
  (s.secrets ?? []).forEach((r, j) => {
    const first = envNames.get(r.targetEnvName);
    if (first) add(sp('secrets', j, 'targetEnvName'), `duplicate environment variable (also ${first})`);
    else envNames.set(r.targetEnvName, `secrets.${j}`);
    const sameSecret = secretNames.get(r.name);
    // The v1beta1 CRD keys `secrets` by Secret name, so a second key of the same Secret would be rejected.
    if (apiVersion === 'v1beta1' && sameSecret !== undefined) {
      add(sp('secrets', j, 'name'), `Secret "${r.name}" is already used by secrets.${sameSecret}; MCPServer v1beta1 allows one entry per Secret: put each key in its own Secret`);
    } else if (sameSecret === undefined) {
      secretNames.set(r.name, j);
    }
  });
}

/** Whether an image repository comes from an allowed registry (`host[:port]` or `host[:port]/path` prefixes). */
const REDIS_ADDRESS = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:\d{1,5}$/;

/** What a server's `toolCallsPerMinute` needs of the block: a Redis, a way to it, an operator that knows the field. */
function rateLimitProblems(c: Partial<TenantsConfig>, path: Path, add: AddProblem): void {
  const redis = c.rateLimiting?.redis;
  if (redis && !redis.address) {
    add(path, "needs tenants.rateLimiting.redis.address: ToolHive keeps the rate-limit buckets in Redis (MCPServer rateLimiting requires sessionStorage with provider 'redis')");
  } else if (redis && !REDIS_ADDRESS.test(redis.address)) {
    add(path, `needs tenants.rateLimiting.redis.address as host:port, e.g. redis.mcp-limits.svc.cluster.local:6379 (it is "${redis.address}")`);
  }
  if (redis && redis.cidrs.length === 0) {
    add(path, "needs tenants.rateLimiting.redis.cidrs: the proxy runner reaches Redis only through the namespace's NetworkPolicies");
  }
  if (c.mcpServerApiVersion === 'v1alpha1') {
    add(path, 'needs tenants.mcpServerApiVersion v1beta1: operators that serve only v1alpha1 have no rate limits');
  }
}

export function registryAllowed(repository: string, allowList: readonly string[]): boolean {
  return allowList.some((entry) => repository === entry || repository.startsWith(`${entry}/`));
}

/**
 * Checks that need the whole values: digests on profiles that pin images, Routes only on OpenShift, tenant
 * namespaces apart from the stack's own. Reads the merged, possibly invalid values defensively, so the loader can
 * list these with the schema's problems in one message.
 */
export function tenantProblems(values: unknown): Problem[] {
  const v = asRecord(values);
  const tenants = asRecord(v.tenants);
  const items = Array.isArray(tenants.items) ? tenants.items : [];
  const requireDigests = asRecord(v.images).requireDigests === true;
  const openshift = v.platform === 'openshift';
  const prefix = typeof tenants.namespacePrefix === 'string' ? tenants.namespacePrefix : undefined;
  const release = asRecord(v.release).namespace;
  const own = new Set([release, asRecord(v.gitops).argocdNamespace, asRecord(tenants.gitops).argocdNamespace].filter((n) => typeof n === 'string' && n));
  const allowList = Array.isArray(tenants.registryAllowList) && tenants.registryAllowList.every((r) => typeof r === 'string') ? (tenants.registryAllowList as string[]) : undefined;
  const out: Problem[] = [];
  items.forEach((item, i) => {
    const t = asRecord(item);
    const servers = Array.isArray(t.servers) ? t.servers : [];
    servers.forEach((server, k) => {
      const s = asRecord(server);
      const base = `tenants.items.${i}.servers.${k}`;
      const image = asRecord(s.image);
      if (requireDigests && s.image !== undefined && !image.digest) {
        out.push({ path: `${base}.image.digest`, message: 'is required: this profile pins every image by digest (images.requireDigests)', received: image.digest });
      }
      // Also checked per well-formed tenant in the schema; here too, so a malformed tenant does not hide it (the
      // loader lists a problem once).
      if (allowList && typeof image.repository === 'string' && !registryAllowed(image.repository, allowList)) {
        const allowed = allowList.length ? allowList.join(', ') : '(none: the list is empty)';
        out.push({ path: `${base}.image.repository`, message: `is not from an allowed registry; tenants.registryAllowList allows: ${allowed}`, received: image.repository });
      }
      if (s.exposure === 'route' && !openshift) {
        out.push({ path: `${base}.exposure`, message: "'route' needs platform 'openshift'; use 'ingress' or 'internal'", received: 'route' });
      }
      if (prefix !== undefined && typeof t.name === 'string' && typeof s.name === 'string') {
        const ns = serverNamespace(prefix, t.name, s.name);
        if (own.has(ns)) {
          out.push({ path: `${base}.name`, message: `derived namespace "${ns}" is the stack's own namespace (release or ArgoCD): rename the tenant or server`, received: s.name });
        }
      }
    });
  });
  return out;
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
