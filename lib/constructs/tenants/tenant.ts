/**
 * One tenant as a construct: the namespaces of its MCP servers with their guardrails (ResourceQuota, LimitRange,
 * NetworkPolicies, RBAC), each server's workloads (ServiceAccount, ToolHive MCPServer, exposure, ServiceMonitor) and
 * the ArgoCD project and Applications that deliver them. In a user's cdk8s Chart every object is an `ApiObject` of
 * the chart; the stack writes the same objects, grouped, to the tenant's three kinds of files.
 */
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { defaults } from '../../../profiles/defaults';
import { blockProblems } from '../../../profiles/tenants-checks';
import { tenantsDefaults, type Tenant } from '../../../profiles/tenants-schema';
import { StackContext } from '../core/context';
import { sortForApply } from '../../stack/mcp-stack';
import { argocdObjects } from './argocd';
import { guardrailObjects } from './guardrails';
import { resolveTenant, tenantGitops, type ResolvedTenant, type TenantGitops, type TenantSettings } from './model';
import { workloadObjects } from './workloads';

export interface McpTenantProps {
  /** The tenant, as one entry of the tenants file: its name, subject, budget overrides and MCP servers. */
  readonly tenant: Tenant;
  /**
   * Tenant-wide settings (pieces of the stack's `tenants` block): namespace prefix, MCPServer API version, default
   * image user, quota, LimitRange and server resources, RBAC subject, exposure, network, monitoring and the Redis of
   * rate limits. Each key
   * given replaces that key of the default whole.
   * @default the built-in `tenants` defaults (prefix `mcp`, MCPServer `v1beta1`, one server's quota)
   */
  readonly settings?: Partial<TenantSettings>;
  /**
   * Where the tenant's ArgoCD Applications read their workloads (`<repoURL>` at `<pathPrefix>/<profile>/tenants/<t>/`)
   * and where the AppProject and Applications live (`argocdNamespace`). Each key given replaces the default.
   * @default the built-in defaults' repository, `main`, `dist/kind`, namespace `argocd`, the in-cluster API server
   */
  readonly gitops?: Partial<TenantGitops>;
  /** Release, namespace of the gateway (admitted to the servers) and platform. @default StackContext.of(scope) */
  readonly context?: StackContext;
}

const SETTING_KEYS = [
  'namespacePrefix', 'mcpServerApiVersion', 'defaultImageUser', 'defaultQuota', 'defaultLimitRange', 'defaultServerResources', 'rbac', 'exposure', 'network', 'monitoring', 'rateLimiting',
] as const satisfies readonly (keyof TenantSettings)[];

/** The tenant-wide settings with no props given: those of the `tenants` block defaults. */
export const DEFAULT_TENANT_SETTINGS: TenantSettings = pick(tenantsDefaults);
/** Where the Applications read from with no props given. */
export const DEFAULT_TENANT_GITOPS: TenantGitops = tenantGitops(tenantsDefaults.gitops, defaults.gitops, defaults.profile);

export class McpTenant extends Construct {
  /** The tenant with every default applied and every derived name computed (namespaces, URLs, project). */
  readonly resolved: ResolvedTenant;
  /** Namespaces, quotas, LimitRanges, RBAC and NetworkPolicies of every server namespace, in apply order. */
  readonly guardrails: readonly any[];
  /** Each server's workloads (what its Application syncs), by server name, in apply order. */
  readonly workloads: ReadonlyMap<string, readonly any[]>;
  /** The AppProject and one Application per server, in apply order. */
  readonly argocd: readonly any[];

  constructor(scope: Construct, id: string, props: McpTenantProps) {
    super(scope, id);
    const ctx = props.context ?? StackContext.of(this);
    const settings = tenantSettings(props.settings);
    const gitops = tenantGitopsTarget(props.gitops);
    refuseInvalid(id, settings, props.tenant);
    const objects = tenantObjects(ctx, settings, gitops, props.tenant);
    this.resolved = objects.resolved;
    this.guardrails = this.add('Guardrails', objects.guardrails);
    const scope_ = new Construct(this, 'Workloads');
    for (const [server, manifests] of objects.workloads) addObjects(new Construct(scope_, server), manifests);
    this.workloads = objects.workloads;
    this.argocd = this.add('ArgoCD', objects.argocd);
  }

  /** Every server namespace of the tenant, sorted. */
  get namespaces(): readonly string[] {
    return this.resolved.namespaces;
  }

  private add(id: string, manifests: any[]): any[] {
    return addObjects(new Construct(this, id), manifests);
  }
}

/** One tenant's objects, grouped as the tenant's files hold them, each group in apply order. */
export interface TenantObjects {
  readonly resolved: ResolvedTenant;
  readonly guardrails: any[];
  readonly workloads: ReadonlyMap<string, any[]>;
  readonly argocd: any[];
}

/**
 * The tenant-wide settings a tenant reads, each key given replacing that key of the defaults. The stack passes its
 * whole `tenants` block, whose list-wide rules it has checked.
 */
export function tenantSettings(given: Partial<TenantSettings> | undefined): TenantSettings {
  return { ...DEFAULT_TENANT_SETTINGS, ...defined(pick(given ?? {})) };
}

/** Where the Applications read from and live, each key given (and not undefined) replacing the default. */
export function tenantGitopsTarget(given: Partial<TenantGitops> | undefined): TenantGitops {
  return { ...DEFAULT_TENANT_GITOPS, ...defined(given) };
}

/**
 * The objects of one tenant whose own rules have been checked, as plain manifests: what `McpTenant` adds to its
 * chart, and what the stack writes to the tenant's files without building a construct per object (at thousands of
 * tenants, the construct tree costs about a quarter of the tenants' rendering and is never synthesized).
 */
export function tenantObjects(ctx: StackContext, settings: TenantSettings, gitops: TenantGitops, given: Tenant): TenantObjects {
  const tenant = resolveTenant(settings, given);
  const guardrails = sortForApply(guardrailObjects(ctx, settings, tenant));
  const workloads = new Map<string, any[]>();
  for (const s of tenant.servers) workloads.set(s.name, sortForApply(workloadObjects(ctx, settings, s)));
  return { resolved: tenant, guardrails, workloads, argocd: sortForApply(argocdObjects(ctx, gitops, tenant)) };
}

/** Makes each manifest an object of the chart; cluster-scoped ones (the Namespaces) keep no namespace. */
function addObjects(scope: Construct, manifests: any[]): any[] {
  const chartNamespace = Chart.of(scope).namespace;
  for (const m of manifests) {
    const object = new ApiObject(scope, `${m.kind}.${m.metadata.namespace ?? ''}.${m.metadata.name}`, m);
    if (chartNamespace && m.metadata.namespace === undefined) object.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
  return manifests;
}

/**
 * The tenants file's own rules for one tenant (derived names valid DNS labels, ports by transport, credentials kept
 * out of plain env, servers that fit their LimitRange and quota), as one Error listing every problem.
 */
function refuseInvalid(id: string, settings: TenantSettings, tenant: Tenant): void {
  const problems = blockProblems({ config: settings, items: [{ name: tenant.name, tenant }] });
  if (!problems.length) return;
  const where = (path: readonly (string | number)[]) => (path[0] === 'items' ? ['tenant', ...path.slice(2)] : ['settings', ...path]).join('.');
  throw new Error(`McpTenant ${id}: ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n${problems.map((p) => `  ${where(p.path)}: ${p.message}`).join('\n')}`);
}

function pick(o: Partial<TenantSettings>): TenantSettings {
  return Object.fromEntries(SETTING_KEYS.filter((k) => k in o).map((k) => [k, o[k]])) as unknown as TenantSettings;
}

function defined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
