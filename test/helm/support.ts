/** Helpers of the chart tests: the generated chart on disk, real Helm (3 and 4) offline, object comparison. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadAll } from 'js-yaml';
import { loadValues, type LoadOptions } from '../../profiles/loader';
import { buildStack } from '../../lib/stack/mcp-stack';
import { MANAGED_BY } from '../../lib/constructs/core/context';
import { CHART_LABEL, MANAGED_BY_LABEL } from '../../lib/helm/helm-labels';
import { tempDir } from '../support';

export { tempDir };

export const ROOT = join(__dirname, '..', '..');
export const HELMS = { helm3: join(ROOT, '.tools', 'bin', 'helm3'), helm4: join(ROOT, '.tools', 'bin', 'helm4') } as const;
export type HelmName = keyof typeof HELMS;
export const HELM_NAMES = Object.keys(HELMS) as HelmName[];
export const PROFILES = ['kind', 'ocp', 'production'] as const;
/** APIs of the CRDs the chart renders, for `helm template` (nothing is read from a cluster). */
export const API_VERSIONS = ['postgres-operator.crunchydata.com/v1beta1', 'route.openshift.io/v1', 'monitoring.coreos.com/v1'];
export const KUBE_VERSION = '1.28.0';


/** Writes a chart's files under a fresh folder; returns the chart's folder. */
export function writeChart(files: ReadonlyMap<string, string>): string {
  const dir = join(tempDir('chart'), 'mcp-stack');
  for (const [rel, text] of files) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

export function requireHelm(): void {
  for (const bin of Object.values(HELMS)) {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`bash scripts/install-tools.sh\` (npm test does)`);
  }
}

/** Helm with its home, cache, config and data in a scratch folder, so nothing outside the test is read or written. */
let helmHome: string | undefined;

export function helm(name: HelmName, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const home = (helmHome ??= tempDir('helm-home'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    KUBECONFIG: join(home, 'kubeconfig'),
  };
  const r = spawnSync(HELMS[name], args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface TemplateOptions {
  readonly release?: string;
  readonly namespace?: string;
  readonly valuesFiles?: readonly string[];
  readonly sets?: readonly string[];
  /** More `helm template` flags, e.g. `--is-upgrade`. */
  readonly extraArgs?: readonly string[];
  /** Keep Helm's own object labels (`helm.sh/chart`, managed-by `Helm`) as rendered instead of normalising them. */
  readonly helmLabels?: 'keep';
  /**
   * Render the chart's `helm test` hooks too. Left out by default (`--skip-tests`): the plain output has no
   * counterpart to compare them with.
   */
  readonly tests?: 'include';
}

/** Helm's value of `app.kubernetes.io/managed-by` (`.Release.Service`). */
export const HELM_SERVICE = 'Helm';

/**
 * The chart's objects carry two labels the plain output does not (lib/helm/helm-labels.ts): on each object's own
 * labels, `helm.sh/chart` is dropped and managed-by `Helm` set back to the plain output's value. Exactly those two,
 * exactly there: a missing label, or one anywhere else (selectors, pod templates), still shows as a difference.
 */
export function normaliseHelmLabels(object: any): any {
  const labels = object?.metadata?.labels;
  if (!labels || labels[CHART_LABEL] === undefined || labels[MANAGED_BY_LABEL] !== HELM_SERVICE) return object;
  const { [CHART_LABEL]: _chart, ...rest } = labels;
  return { ...object, metadata: { ...object.metadata, labels: { ...rest, [MANAGED_BY_LABEL]: MANAGED_BY } } };
}

/** `helm template` → objects; throws with Helm's message when it fails. */
export function helmTemplate(name: HelmName, chart: string, o: TemplateOptions = {}): any[] {
  return helmTemplateDocs(name, chart, o).map((d) => d.object);
}

/** `helm template` → objects with the template file each came from (`# Source:` lines), e.g. `20-platform.yaml`. */
export function helmTemplateDocs(name: HelmName, chart: string, o: TemplateOptions = {}): { file: string; object: any }[] {
  const args = [
    'template',
    o.release ?? 'mcp-stack',
    chart,
    '-n',
    o.namespace ?? 'mcp-stack',
    '--kube-version',
    KUBE_VERSION,
    ...API_VERSIONS.flatMap((a) => ['--api-versions', a]),
    ...(o.valuesFiles ?? []).flatMap((f) => ['-f', f]),
    ...(o.sets ?? []).flatMap((s) => ['--set', s]),
    ...(o.tests === 'include' ? [] : ['--skip-tests']),
    ...(o.extraArgs ?? []),
  ];
  const r = helm(name, args);
  if (r.code !== 0) throw new Error(`${name} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout
    .split(/^---\s*$/m)
    .map((text) => ({ file: /^# Source: [^/]+\/templates\/(.+)$/m.exec(text)?.[1] ?? '', object: loadAll(text).find((d) => d != null) }))
    .filter((d) => d.object != null)
    .map((d) => (o.helmLabels === 'keep' ? d : { ...d, object: normaliseHelmLabels(d.object) }));
}

/** The plain synth's objects for the same input (release name and namespace as values). */
export function plain(profile: string, o: TemplateOptions = {}, extra: Omit<LoadOptions, 'profile' | 'sets' | 'valuesFiles'> = {}): any[] {
  // The chart leaves the namespace to Helm (release.createNamespace is false in its values files).
  const sets = [`release.name=${o.release ?? 'mcp-stack'}`, `release.namespace=${o.namespace ?? 'mcp-stack'}`, 'release.createNamespace=false', ...(o.sets ?? [])];
  const values = loadValues({ profile, sets, valuesFiles: o.valuesFiles?.filter((f) => !/values-(kind|ocp|production)\.yaml$/.test(f)), ...extra });
  return JSON.parse(JSON.stringify(buildStack(values).units.flatMap((u) => u.objects)));
}

export function keyOf(o: any): string {
  return `${o.kind}/${o.metadata?.name}`;
}

/** Objects by kind and name, for `toEqual` (which ignores key order). */
export function byKey(objects: readonly any[]): Record<string, any> {
  const out: Record<string, any> = {};
  for (const o of objects) {
    if (out[keyOf(o)]) throw new Error(`${keyOf(o)} appears twice`);
    out[keyOf(o)] = o;
  }
  return out;
}

/** Every leaf path where two renders differ (`Kind/name:.a.b`), including added and removed objects. */
export function differences(a: readonly any[], b: readonly any[]): string[] {
  const ma = byKey(a);
  const mb = byKey(b);
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, path: string) => {
    if (JSON.stringify(x) === JSON.stringify(y)) return;
    if (x && y && typeof x === 'object' && typeof y === 'object' && Array.isArray(x) === Array.isArray(y)) {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) walk((x as any)[k], (y as any)[k], `${path}.${k}`);
      return;
    }
    out.push(path);
  };
  for (const k of new Set([...Object.keys(ma), ...Object.keys(mb)])) {
    if (!ma[k]) out.push(`+${k}`);
    else if (!mb[k]) out.push(`-${k}`);
    else walk(ma[k], mb[k], `${k}:`);
  }
  return out.sort();
}
