/**
 * Sync order of the plain manifests under ArgoCD: the wave of each object, and a check that no object syncs before
 * something it needs. ArgoCD syncs an Application by phase (PreSync hooks, then the objects, then PostSync hooks),
 * then by wave inside a phase; the root Application orders the child Applications by their own waves.
 */
import { dependenciesOf, type Dependency } from './dependencies';
import { syncOrderOf } from './layout';

export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
export const ARGO_HOOK = 'argocd.argoproj.io/hook';
export const ARGO_HOOK_DELETE = 'argocd.argoproj.io/hook-delete-policy';
export const HELM_HOOK = 'helm.sh/hook';
export const HELM_HOOK_WEIGHT = 'helm.sh/hook-weight';
export const HELM_HOOK_DELETE = 'helm.sh/hook-delete-policy';

/** Components whose Service and workload are the database: they come up before the platform's workloads. */
const DATABASE_COMPONENTS = new Set(['postgres', 'database']);

/**
 * Waves by kind: identity and guardrails, then configuration, storage and policies, then the database, then
 * workloads and their Services, then what routes to or scales them.
 */
const KIND_WAVES: Readonly<Record<string, number>> = {
  Namespace: -2,
  ServiceAccount: -2,
  ResourceQuota: -2,
  LimitRange: -2,
  Role: -2,
  RoleBinding: -2,
  ConfigMap: -1,
  Secret: -1,
  PersistentVolumeClaim: -1,
  // Before the pods they protect, so no pod ever runs unisolated.
  NetworkPolicy: -1,
  PostgresCluster: 0,
  Service: 1,
  Deployment: 1,
  StatefulSet: 1,
  DaemonSet: 1,
  CronJob: 1,
  MCPServer: 1,
  Ingress: 2,
  Route: 2,
  HorizontalPodAutoscaler: 2,
  PodDisruptionBudget: 2,
  ServiceMonitor: 2,
  PodMonitor: 2,
};

const DATABASE_WAVE_KINDS = new Set(['Service', 'StatefulSet', 'Deployment']);

/**
 * The `argocd.argoproj.io/sync-wave` an object of this kind (and component label) gets in the plain output, or
 * undefined for kinds that are ordered otherwise: Jobs run as hooks, ArgoCD objects get their waves where they are
 * made, unknown kinds stay in the default wave 0.
 */
export function syncWave(kind: string, component?: string): string | undefined {
  if (component && DATABASE_COMPONENTS.has(component) && DATABASE_WAVE_KINDS.has(kind)) return '0';
  const wave = KIND_WAVES[kind];
  return wave === undefined ? undefined : String(wave);
}

/**
 * The object with its sync wave annotation. Hooks (ordered by their phase) and objects that already name a wave keep
 * their annotations; the input is not modified.
 */
export function withSyncWave<T extends { kind?: string; metadata?: any }>(object: T): T {
  const annotations = object.metadata?.annotations ?? {};
  if (annotations[ARGO_HOOK] !== undefined || annotations[SYNC_WAVE] !== undefined) return object;
  const wave = syncWave(object.kind ?? '', object.metadata?.labels?.['app.kubernetes.io/component']);
  if (wave === undefined) return object;
  return { ...object, metadata: { ...object.metadata, annotations: { ...annotations, [SYNC_WAVE]: wave } } };
}

/** Where an object sits in a sync: its Application (and that Application's wave in the root), phase and wave. */
interface SyncPoint {
  readonly app?: string;
  readonly appWave: number;
  readonly phase: number;
  readonly wave: number;
}

const PHASES: Readonly<Record<string, number>> = { PreSync: 0, Sync: 1, PostSync: 2 };
const PHASE_NAMES = ['PreSync', 'Sync', 'PostSync'];

export interface WaveCheckOptions {
  /**
   * The Application that syncs an object, and that Application's wave in the root. Objects of different
   * Applications are ordered by those waves only. Default: every object is synced by one Application.
   */
  readonly applicationOf?: (object: any) => { readonly name: string; readonly wave: number } | undefined;
}

/**
 * Problems with the sync order: an object that syncs before something it depends on (its ConfigMaps, Secrets,
 * PersistentVolumeClaims, ServiceAccount and namespace; the Service an Ingress or Route sends to; the workload an HPA
 * or a PodDisruptionBudget is for; the init SQL of a PostgresCluster), a dependency on a hook that is deleted once it
 * succeeded, and Helm hooks that disagree with the ArgoCD hooks beside them. Dependencies on objects outside the
 * list (e.g. Secrets created by the `secrets` command) are not checked.
 */
export function checkWaves(objects: readonly any[], options: WaveCheckOptions = {}): string[] {
  const problems: string[] = [];
  const points = new Map<any, SyncPoint>();
  const byRef = new Map<string, any>();
  for (const o of objects) {
    const point = syncPoint(o, options, problems);
    if (!point) continue;
    points.set(o, point);
    byRef.set(refKey(o.kind, o.metadata?.namespace, o.metadata?.name), o);
  }
  for (const [o, at] of points) {
    for (const dep of dependenciesOf(o, objects)) {
      const target = byRef.get(refKey(dep.kind, dep.namespace, dep.name));
      if (!target || target === o) continue;
      const problem = orderProblem(o, at, target, points.get(target)!, dep);
      if (problem) problems.push(problem);
    }
  }
  problems.push(...checkHelmConsistency(objects));
  return problems;
}

/** `checkWaves` over the files of a profile, each object synced by the Application that syncs its file. */
export function checkUnitWaves(units: readonly { readonly file: string; readonly objects: readonly any[] }[]): string[] {
  const appOf = new Map<any, { readonly name: string; readonly wave: number }>();
  for (const u of units) {
    const app = syncOrderOf(u.file);
    if (app) for (const o of u.objects) appOf.set(o, app);
  }
  return checkWaves(units.flatMap((u) => u.objects), { applicationOf: (o) => appOf.get(o) });
}

function syncPoint(o: any, options: WaveCheckOptions, problems: string[]): SyncPoint | undefined {
  const annotations = o.metadata?.annotations ?? {};
  const hook: string | undefined = annotations[ARGO_HOOK];
  let phase = PHASES.Sync;
  if (hook !== undefined) {
    const phases = hook.split(',').map((h) => h.trim());
    // Skipped objects are never applied; SyncFail and PostDelete hooks run outside a normal sync.
    if (phases.some((p) => !(p in PHASES))) return undefined;
    phase = Math.min(...phases.map((p) => PHASES[p]));
  }
  const raw = annotations[SYNC_WAVE];
  let wave = 0;
  if (raw !== undefined) {
    if (!/^-?\d+$/.test(String(raw).trim())) problems.push(`${describe(o)}: ${SYNC_WAVE} must be an integer (received ${JSON.stringify(raw)})`);
    else wave = Number(raw);
  }
  const app = options.applicationOf?.(o);
  return { app: app?.name, appWave: app?.wave ?? 0, phase, wave };
}

function orderProblem(o: any, at: SyncPoint, target: any, dep: SyncPoint, why: Dependency): string | undefined {
  const needs = `${describe(o)} (${point(at)}) needs ${describe(target)} (${why.reason})`;
  if (at.app !== dep.app) {
    if (dep.appWave < at.appWave) return undefined;
    return `${needs}, but that is synced by the Application ${dep.app ?? '(none)'} (wave ${dep.appWave}), which the root does not sync before ${at.app ?? '(none)'} (wave ${at.appWave})`;
  }
  const before = dep.phase < at.phase || (dep.phase === at.phase && dep.wave <= at.wave);
  if (!before) return `${needs}, which syncs later (${point(dep)})`;
  const deletePolicy: string = target.metadata?.annotations?.[ARGO_HOOK_DELETE] ?? '';
  if (dep.phase !== PHASES.Sync && at.phase !== dep.phase && deletePolicy.split(',').map((s) => s.trim()).includes('HookSucceeded')) {
    return `${needs}, a ${PHASE_NAMES[dep.phase]} hook deleted as soon as it succeeds`;
  }
  return undefined;
}

/**
 * Helm and ArgoCD must agree on each hook: pre-install/pre-upgrade is PreSync and post-* is PostSync, the delete
 * policies match, and weights order hooks of one phase as their waves do.
 */
function checkHelmConsistency(objects: readonly any[]): string[] {
  const problems: string[] = [];
  const hooks: { o: any; phase: string; weight: number; wave: number }[] = [];
  for (const o of objects) {
    const a = o.metadata?.annotations ?? {};
    const helm: string | undefined = a[HELM_HOOK];
    if (helm === undefined) continue;
    const helmPhases = helm.split(',').map((s) => s.trim());
    // `post-install,pre-upgrade` (the migration: Helm cannot migrate before it creates the database) is PreSync under
    // ArgoCD, where the database is an earlier Application.
    const migrationStyle = helmPhases.includes('post-install') && helmPhases.includes('pre-upgrade') && helmPhases.length === 2;
    const expected =
      migrationStyle || helmPhases.every((p) => p.startsWith('pre-')) ? 'PreSync' : helmPhases.every((p) => p.startsWith('post-')) ? 'PostSync' : undefined;
    const argo: string | undefined = a[ARGO_HOOK];
    if (expected && argo !== expected) {
      problems.push(`${describe(o)}: ${HELM_HOOK} '${helm}' runs as ${expected} under ArgoCD, but ${ARGO_HOOK} is ${argo === undefined ? 'missing' : `'${argo}'`}`);
      continue;
    }
    const helmDelete = normalizeDeletePolicy(a[HELM_HOOK_DELETE]);
    const argoDelete = normalizeDeletePolicy(a[ARGO_HOOK_DELETE]);
    if (helmDelete !== argoDelete) {
      problems.push(`${describe(o)}: ${HELM_HOOK_DELETE} '${a[HELM_HOOK_DELETE] ?? ''}' and ${ARGO_HOOK_DELETE} '${a[ARGO_HOOK_DELETE] ?? ''}' delete the hook at different times`);
    }
    if (expected) hooks.push({ o, phase: expected, weight: Number(a[HELM_HOOK_WEIGHT] ?? 0), wave: Number(a[SYNC_WAVE] ?? 0) });
  }
  for (const a of hooks) {
    for (const b of hooks) {
      if (a.phase === b.phase && a.weight < b.weight && a.wave > b.wave) {
        problems.push(
          `${describe(a.o)} runs before ${describe(b.o)} under Helm (weight ${a.weight} < ${b.weight}) but after it under ArgoCD (wave ${a.wave} > ${b.wave})`,
        );
      }
    }
  }
  return problems;
}

/** `before-hook-creation,hook-succeeded` and `BeforeHookCreation,HookSucceeded` both become `beforehookcreation,hooksucceeded`. */
function normalizeDeletePolicy(policy: string | undefined): string {
  return (policy ?? '')
    .split(',')
    .map((s) => s.trim().replace(/-/g, '').toLowerCase())
    .filter(Boolean)
    .sort()
    .join(',');
}

function refKey(kind: string, namespace: string | undefined, name: string | undefined): string {
  return `${kind}/${namespace ?? ''}/${name ?? ''}`;
}

function describe(o: any): string {
  const ns = o.metadata?.namespace;
  return `${o.kind} ${ns ? `${ns}/` : ''}${o.metadata?.name}`;
}

function point(p: SyncPoint): string {
  const where = p.phase === PHASES.Sync ? `wave ${p.wave}` : `${PHASE_NAMES[p.phase]} hook, wave ${p.wave}`;
  return p.app ? `${p.app}, ${where}` : where;
}
