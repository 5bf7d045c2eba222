/**
 * Whether servers fit where they run: requests within limits, limits within the LimitRange max (or admission rejects
 * the pod), a consistent LimitRange, and a ResourceQuota that holds a server through a rolling update.
 */
import type { LimitRangeValues, Quota, Tenant, TenantResources } from './tenants-schema';
import { parseQuantity, quantityAtMost, sumQuantities } from './quantity';

export type Path = (string | number)[];
export type AddProblem = (path: Path, message: string) => void;

/** Copies of each pod the quota must hold: the running one and its replacement during a rolling update. */
const ROLLOUT_COPIES = 2;

export function resourcesProblems(r: TenantResources, path: Path, add: AddProblem): void {
  for (const dim of ['cpu', 'memory'] as const) {
    if (!quantityAtMost(r.requests[dim], r.limits[dim])) {
      add([...path, 'requests', dim], `must be at most limits.${dim} (${r.limits[dim]})`);
    }
  }
}

/** The dimensions whose limits exceed the LimitRange max: admission rejects such containers. */
export function overMax(r: TenantResources, lr: LimitRangeValues): ('cpu' | 'memory')[] {
  return (['cpu', 'memory'] as const).filter((dim) => !quantityAtMost(r.limits[dim], lr.max[dim]));
}

export function limitRangeProblems(lr: LimitRangeValues, path: Path, add: AddProblem): void {
  for (const dim of ['cpu', 'memory'] as const) {
    if (!quantityAtMost(lr.defaultRequest[dim], lr.default[dim])) {
      add([...path, 'defaultRequest', dim], `must be at most default.${dim} (${lr.default[dim]})`);
    }
    if (!quantityAtMost(lr.default[dim], lr.max[dim])) {
      add([...path, 'default', dim], `must be at most max.${dim} (${lr.max[dim]})`);
    }
  }
}

/**
 * Each server namespace runs the MCP container and ToolHive's proxy runner (which sets no resources, so it gets the
 * LimitRange defaults), twice during a rolling update. The quota must hold that, or rollouts stall.
 */
export function quotaProblems(
  t: Tenant,
  quota: Quota,
  lr: LimitRangeValues,
  defaults: TenantResources,
  at: (...rest: Path) => Path,
  add: AddProblem,
): void {
  const dims = [
    ['requests', 'cpu', (r: TenantResources) => r.requests.cpu, lr.defaultRequest.cpu],
    ['requests', 'memory', (r: TenantResources) => r.requests.memory, lr.defaultRequest.memory],
    ['limits', 'cpu', (r: TenantResources) => r.limits.cpu, lr.default.cpu],
    ['limits', 'memory', (r: TenantResources) => r.limits.memory, lr.default.memory],
  ] as const;
  for (const [kind, dim, of, proxy] of dims) {
    let worst: { server: string; need: number; own: string } | undefined;
    for (const s of t.servers) {
      const own = of(s.resources ?? defaults);
      const need = sumQuantities([[own, ROLLOUT_COPIES], [proxy, ROLLOUT_COPIES]]);
      if (!worst || need > worst.need) worst = { server: s.name, need, own };
    }
    const allowed = quota[kind][dim as keyof Quota[typeof kind]] as string;
    if (worst && worst.need > (parseQuantity(allowed) ?? 0) * (1 + 1e-12)) {
      add(
        at('quota', kind, dim),
        `the ResourceQuota (${kind}.${dim} ${allowed}) cannot hold server "${worst.server}": it needs ${format(worst.need, dim)} ` +
          `(its container ${worst.own} plus the proxy runner's LimitRange ${kind === 'requests' ? 'defaultRequest' : 'default'} ${proxy}, ` +
          `twice for a rolling update); raise the quota or lower the server's resources`,
      );
    }
  }
  const pods = ROLLOUT_COPIES * 2;
  if (quota.pods < pods) {
    add(at('quota', 'pods'), `the ResourceQuota (pods ${quota.pods}) cannot hold a server: it needs ${pods} (MCP pod and proxy runner, twice for a rolling update)`);
  }
}

function format(n: number, dim: string): string {
  if (dim === 'cpu') return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
  return Number.isInteger(n / 2 ** 30) ? `${n / 2 ** 30}Gi` : `${Math.round(n / 2 ** 20)}Mi`;
}

export function effectiveQuota(base: Quota, override: Tenant['quota']): Quota {
  return {
    requests: { ...base.requests, ...defined(override?.requests) },
    limits: { ...base.limits, ...defined(override?.limits) },
    pods: override?.pods ?? base.pods,
    persistentVolumeClaims: override?.persistentVolumeClaims ?? base.persistentVolumeClaims,
  };
}

export function effectiveLimitRange(base: LimitRangeValues, override: Tenant['limitRange']): LimitRangeValues {
  return {
    default: { ...base.default, ...defined(override?.default) },
    defaultRequest: { ...base.defaultRequest, ...defined(override?.defaultRequest) },
    max: { ...base.max, ...defined(override?.max) },
  };
}

function defined<T extends object>(o: T | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
