/**
 * Which ArgoCD Application syncs which file of a profile's output, and in which order the root Application syncs
 * them. One table, read by the Applications, the kustomization and the wave check alike.
 */
import { posix } from 'node:path';
import type { Values } from '../../profiles/schema';

export type ApplicationName = 'database' | 'platform' | 'benchmark' | 'tenants';

/**
 * Waves of the child Applications in the root: the database (and the namespace) first, then the platform that
 * connects to it, then what runs against the platform.
 */
export const APPLICATION_WAVES: Readonly<Record<ApplicationName, number>> = { database: 0, platform: 1, benchmark: 2, tenants: 2 };

/** Plain files synced by the database Application: the namespace (with the stack's ServiceAccount) and the database. */
export const DATABASE_FILES: readonly string[] = ['00-namespace.yaml', '10-database.yaml'];
/** The on-demand Locust benchmark. */
export const BENCHMARK_FILES: readonly string[] = ['40-benchmark.yaml'];

/** Folder of the per-tenant output. */
export const TENANTS_DIR = 'tenants';
/** Folder of the ArgoCD Applications inside a profile's output. */
export const ARGOCD_DIR = 'argocd';
/**
 * The kustomization of a profile. Named `Kustomization` (a name kustomize recognizes) rather than
 * `kustomization.yaml`: `kubectl apply -f <dir>` reads every `.yaml` file of a folder and fails on a Kustomization
 * document, while a file without a manifest extension is skipped by kubectl and by ArgoCD directory sources.
 */
export const KUSTOMIZATION_FILE = 'Kustomization';

/** A numbered top-level file of the plain output (`20-platform.yaml`); `kubectl apply -f` applies these in name order. */
export function isUnitFile(file: string): boolean {
  return /^\d+-[^/]+\.ya?ml$/.test(file);
}

/** A file under `tenants/<tenant>/` itself (guardrails, the tenant's project and Applications), not in a subfolder. */
export function isTenantPlatformFile(file: string): boolean {
  return /^tenants\/[^/]+\/[^/]+\.ya?ml$/.test(file);
}

/** The Application that syncs a file of the profile's output; undefined for files no stack Application syncs. */
export function applicationOf(file: string): ApplicationName | undefined {
  if (isTenantPlatformFile(file)) return 'tenants';
  if (!isUnitFile(file)) return undefined;
  if (DATABASE_FILES.includes(file)) return 'database';
  if (BENCHMARK_FILES.includes(file)) return 'benchmark';
  // Any other numbered file is part of the platform, so a new unit is synced without touching this table.
  return 'platform';
}

/** Where a file sits in the root's sync order: the Application that syncs it and that Application's wave. */
export function syncOrderOf(file: string): { readonly name: string; readonly wave: number } | undefined {
  const app = applicationOf(file);
  if (app) return { name: app, wave: APPLICATION_WAVES[app] };
  // A tenant's workload folders are synced by the tenant's own Applications, which the tenants Application creates.
  if (file.startsWith(`${TENANTS_DIR}/`)) return { name: 'tenant server Applications', wave: APPLICATION_WAVES.tenants + 1 };
  return undefined;
}

/** The files of each Application, in name order; Applications without files are absent. */
export function filesByApplication(files: readonly string[]): Map<ApplicationName, string[]> {
  const out = new Map<ApplicationName, string[]>();
  for (const file of [...files].sort()) {
    const app = applicationOf(file);
    if (!app) continue;
    const list = out.get(app);
    if (list) list.push(file);
    else out.set(app, [file]);
  }
  return out;
}

/** Folder of the profile's output inside the GitOps repository: `<pathPrefix>/<profile>`. */
export function repoPath(values: Values, ...rest: string[]): string {
  const joined = posix.join(values.gitops.pathPrefix, values.profile, ...rest);
  // ArgoCD paths are relative to the repository root.
  return joined.replace(/^(\.\/|\/)+/, '');
}
