/**
 * The Helm side of `npm run bench`: `helm template` of the generated chart for the same input as each of our cases.
 * Helm runs offline with its home in the bench's scratch folder. For tenant scale the chart gets one extra
 * template, made from our own output for the first tenant with the tenant's name turned into a `range` variable,
 * so Helm renders the same per-tenant objects we do; the bench refuses to report a ratio if the object counts
 * of the two outputs differ.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const CHART = join(ROOT, 'dist', 'helm', 'mcp-stack');
export const HELMS = { 'Helm 3': join(ROOT, '.tools', 'bin', 'helm3'), 'Helm 4': join(ROOT, '.tools', 'bin', 'helm4') } as const;
export type HelmName = keyof typeof HELMS;
/** CRD APIs the chart checks with `.Capabilities` (nothing is read from a cluster). */
const API_VERSIONS = ['postgres-operator.crunchydata.com/v1beta1', 'route.openshift.io/v1', 'monitoring.coreos.com/v1'];

export function requireHelm(): void {
  for (const bin of Object.values(HELMS)) {
    if (!existsSync(bin)) throw new Error(`bench: ${bin} is missing; run bash scripts/install-tools.sh (npm test does)`);
  }
  if (!existsSync(join(CHART, 'Chart.yaml'))) throw new Error(`bench: ${relative(ROOT, CHART)} is missing; run npm run synth -- --format helm`);
}

/** Environment keeping Helm's home, cache and config inside `work`. */
export function helmEnv(work: string): NodeJS.ProcessEnv {
  const home = join(work, 'helm-home');
  return {
    HOME: home,
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    KUBECONFIG: join(home, 'kubeconfig'),
  };
}

/** The `helm template` command line for a chart and values files, as the README shows it. */
export function templateArgs(helm: HelmName, chart: string, valuesFiles: readonly string[]): string[] {
  return [
    HELMS[helm],
    'template',
    'mcp-stack',
    chart,
    '--namespace',
    'mcp-stack',
    '--kube-version',
    '1.28.0',
    ...API_VERSIONS.flatMap((a) => ['--api-versions', a]),
    ...valuesFiles.flatMap((f) => ['-f', f]),
  ];
}

/** Runs `helm template` once and returns its output (for the equivalence check). */
export function renderOnce(args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(args[0], args.slice(1), { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`bench: ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** Number of Kubernetes objects in a YAML stream (top-level `kind:` lines). */
export function objectCount(text: string): number {
  return text.match(/^kind: /gm)?.length ?? 0;
}

/** Every file under `dir`, in path order. */
function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path) : [path];
    });
}

/** Every `.yaml` file under `dir`, concatenated (our output for a case). */
export function readYamlTree(dir: string): string {
  return listFiles(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
}

const TENANT_VAR = '$tenant';

/**
 * A copy of the generated chart that also renders `benchTenants` the way our synth renders tenants: the first
 * tenant's files become one template inside `range`, its name replaced by the range variable. Returns the chart
 * folder and a values file listing the tenants.
 */
export function tenantChart(work: string, ourTenantsDir: string, names: readonly string[]): { chart: string; values: string } {
  const first = names[0];
  const body = listFiles(join(ourTenantsDir, first))
    .map((f) => readFileSync(f, 'utf8'))
    .join('');
  if (body.includes('{{')) throw new Error('bench: tenant output contains "{{"; it cannot become a template verbatim');
  const template = `{{- range ${TENANT_VAR} := .Values.benchTenants }}\n${body.split(first).join(`{{ ${TENANT_VAR} }}`)}{{- end }}\n`;

  const chart = join(work, `chart-tenants-${names.length}`, 'mcp-stack');
  mkdirSync(chart, { recursive: true });
  cpSync(CHART, chart, { recursive: true });
  writeFileSync(join(chart, 'templates', 'bench-tenants.yaml'), template);
  const schemaPath = join(chart, 'values.schema.json');
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  schema.properties.benchTenants = { type: 'array', items: { type: 'string' } };
  writeFileSync(schemaPath, JSON.stringify(schema));
  const values = join(work, `bench-tenants-${names.length}.yaml`);
  writeFileSync(values, `benchTenants:\n${names.map((n) => `  - ${n}\n`).join('')}`);
  return { chart, values };
}
