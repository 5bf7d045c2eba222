/**
 * `npm run bench`: whole-process wall time (median of N runs after a warm-up) and peak RSS of the project's
 * commands, each next to `helm template` of the generated chart for the same input when one applies, with the ratio
 * from the same run. The table goes to stdout with the machine's load before and after; `BENCH_SAVE=1` also writes
 * it to bench/results.json (the committed record), which a plain run leaves alone. Not part of `npm test`: timings
 * are measured here, never asserted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART, HELMS, helmEnv, objectCount, readYamlTree, renderOnce, requireHelm, templateArgs, tenantChart, type HelmName } from './helm';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'build', 'main.js');
/** How users start the program: the launcher (start-up snapshot when it matches, plain build otherwise). */
const LAUNCHER = join(ROOT, 'bin', 'mcp-stack');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** Runs a command through python's rusage (python3 is on every machine here): wall seconds and peak RSS in MB. */
const MEASURE = [
  'import resource, subprocess, sys, time',
  't = time.perf_counter()',
  'r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)',
  'e = time.perf_counter() - t',
  'sys.stderr.write(r.stderr.decode()[-2000:]) if r.returncode else None',
  'print(e, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, r.returncode)',
].join('\n');

export interface Measurement {
  readonly medianSeconds: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
  readonly peakRssMb: number;
  readonly runs: number;
}

/**
 * Runs `cmd` once to warm up, then RUNS times. A command given as a function gets the run's index, e.g. to write
 * into a fresh output folder each time; `after` runs after each run, outside the timing (e.g. to remove it).
 * A synth run again with nothing changed is answered from its record without rendering (bin/mcp-stack): the cases
 * measure rendering, so the launcher's skip is off unless a case turns it on (`MCP_STACK_SKIP_UNCHANGED: 'on'`).
 */
export function measure(cmd: string[] | ((run: number) => string[]), env: NodeJS.ProcessEnv = {}, after?: (run: number) => void): Measurement {
  let run = 0;
  const once = () => {
    const args = typeof cmd === 'function' ? cmd(run) : cmd;
    const r = spawnSync('python3', ['-c', MEASURE, ...args], { encoding: 'utf8', env: { ...process.env, MCP_STACK_SKIP_UNCHANGED: 'off', ...env } });
    const [seconds, rss, code] = r.stdout.trim().split(/\s+/).map(Number);
    if (r.status !== 0 || code !== 0) throw new Error(`bench: '${args.join(' ')}' failed (exit ${code}): ${r.stderr}`);
    after?.(run);
    run++;
    return { seconds, rss };
  };
  once(); // warm-up: file cache, compiled code cache
  const samples = Array.from({ length: RUNS }, once);
  const times = samples.map((s) => s.seconds).sort((a, b) => a - b);
  return {
    medianSeconds: round(times[Math.floor(times.length / 2)]),
    minSeconds: round(times[0]),
    maxSeconds: round(times[times.length - 1]),
    peakRssMb: round(Math.max(...samples.map((s) => s.rss)), 1),
    runs: RUNS,
  };
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

export interface Row {
  readonly case: string;
  readonly ours: Measurement;
  /** `helm template` of the generated chart for the same input, per Helm major. */
  readonly helm?: Partial<Record<HelmName, Measurement>>;
  /** Objects each side rendered, when the case checks that both rendered the same set. */
  readonly objects?: { readonly ours: number; readonly helm: number };
}

export type BenchCase = (work: string) => Row | readonly Row[];

const HELM_NAMES = Object.keys(HELMS) as HelmName[];

function table(rows: readonly Row[]): string {
  const head = ['case', 'ours median s', 'ours peak MB', ...HELM_NAMES.flatMap((h) => [`${h} median s`, `${h} peak MB`]), ...HELM_NAMES.map((h) => `ours / ${h}`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const helm = HELM_NAMES.map((h) => r.helm?.[h]);
    const cells = [
      r.case,
      r.ours.medianSeconds,
      r.ours.peakRssMb,
      ...helm.flatMap((m) => [m?.medianSeconds ?? '', m?.peakRssMb ?? '']),
      ...helm.map((m) => (m ? (r.ours.medianSeconds / m.medianSeconds).toFixed(2) : '')),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** `helm template` with each Helm major for the same input. */
function helmSide(work: string, chart: string, valuesFiles: readonly string[]): Partial<Record<HelmName, Measurement>> {
  return Object.fromEntries(HELM_NAMES.map((h) => [h, measure(templateArgs(h, chart, valuesFiles), helmEnv(work))]));
}

const profileValues = (profile: string) => join(CHART, `values-${profile}.yaml`);

/**
 * Plain synth of one profile, as users run it (bin/mcp-stack), gate included unless `validate` is false;
 * `snapshot: false` runs `node build/main.js` instead, to show what the start-up snapshot saves.
 */
export const profileCase =
  (profile: string, validate: boolean, snapshot = true): BenchCase =>
  (work) => {
    const args = [...(snapshot ? [LAUNCHER] : ['node', MAIN]), 'synth', '--profile', profile, '--out', join(work, `out-${profile}`)];
    if (!validate) args.push('--no-validate');
    const label = `synth ${profile}${validate ? '' : ' (no gate)'}${snapshot ? '' : ' (node build/main.js)'}`;
    return { case: label, ours: measure(args), helm: helmSide(work, CHART, [profileValues(profile)]) };
  };

/** The Helm synth next to rendering the chart it writes: from the project cache, and generating (cache off). */
export const helmSynthCase: BenchCase = (work) => {
  const out = join(work, 'out-helm');
  const ours = measure([LAUNCHER, 'synth', '--format', 'helm', '--out', out]);
  const uncached = measure([LAUNCHER, 'synth', '--format', 'helm', '--out', out], { MCP_STACK_CACHE: 'off' });
  const helm = helmSide(work, join(out, 'helm', 'mcp-stack'), [profileValues('kind')]);
  return [
    { case: 'synth --format helm', ours, helm },
    { case: 'synth --format helm (cache off: generating)', ours: uncached, helm },
  ];
};

export function main(cases: readonly BenchCase[]): void {
  if (!existsSync(MAIN)) throw new Error('bench: build/main.js is missing; run npm run build first');
  const blob = join(ROOT, 'build', 'mcp-stack.blob');
  if (!existsSync(blob) || statSync(blob).mtimeMs < statSync(MAIN).mtimeMs) {
    throw new Error('bench: the start-up snapshot is missing or older than the build; run npm run build (npm run bench does)');
  }
  requireHelm();
  // Scratch space on the project's own disk, where users' output goes (BENCH_WORK overrides it).
  const base = process.env.BENCH_WORK ?? join(ROOT, '.bench-work');
  mkdirSync(base, { recursive: true });
  const work = mkdtempSync(join(base, 'run-'));
  try {
    const os = require('node:os') as typeof import('node:os');
    const loadBefore = os.loadavg().map((l) => round(l, 2));
    const rows = cases.flatMap((c) => c(work));
    // The 1, 5 and 15 minute load averages: a run on a busy machine says so next to its numbers.
    const machine = { node: process.version, cpus: os.cpus().length, runs: RUNS, loadBefore, loadAfter: os.loadavg().map((l) => round(l, 2)) };
    process.stdout.write(`${table(rows)}\n\nmachine: ${machine.cpus} CPUs, node ${machine.node}, load average ${loadBefore.join(' ')} before, ${machine.loadAfter.join(' ')} after\n`);
    if (/^(1|true|yes)$/i.test(process.env.BENCH_SAVE ?? '')) {
      writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify({ machine, rows }, null, 2)}\n`);
      process.stdout.write('written to bench/results.json\n');
    } else {
      process.stdout.write('bench/results.json left as it was (BENCH_SAVE=1 records this run there)\n');
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The README's main command exactly as typed, `npm run synth`, on an unchanged checkout: npm, the launcher's
 * up-to-date checks (the build, then the record of the last synth), next to `helm template` of the kind values; and
 * the same command when it renders (the skip off), as after a change to the values.
 */
export const readmeCommandCase: BenchCase = (work) => {
  const command = ['sh', '-c', `cd ${shellQuote(ROOT)} && npm run synth`];
  const helm = helmSide(work, CHART, [profileValues('kind')]);
  return [
    { case: 'npm run synth (the README command, nothing changed)', ours: measure(command, { MCP_STACK_SKIP_UNCHANGED: 'on' }), helm },
    { case: 'npm run synth, rendering (as after a change)', ours: measure(command), helm },
  ];
};

/** A profile synth run again with nothing changed: the launcher checks the record of the last one and stops. */
export const unchangedCase: BenchCase = (work) => ({
  case: 'synth kind, nothing changed since the last synth (answered from its record)',
  ours: measure([LAUNCHER, 'synth', '--profile', 'kind', '--out', join(work, 'out-unchanged')], { MCP_STACK_SKIP_UNCHANGED: 'on' }),
  helm: helmSide(work, CHART, [profileValues('kind')]),
});

/** Validating every profile's committed output with the gate, as `npm run validate` does. */
export const validateCase: BenchCase = (work) => {
  const helm = Object.fromEntries(
    HELM_NAMES.map((h) => {
      const script = PROFILES.map((p) => templateArgs(h, CHART, [profileValues(p)]).map(shellQuote).join(' ')).join(' >/dev/null && ');
      return [h, measure(['sh', '-c', `${script} >/dev/null`], helmEnv(work))];
    }),
  );
  return { case: 'validate dist/ (3 profiles; Helm: template all 3)', ours: measure([LAUNCHER, 'validate']), helm };
};

const PROFILES = ['kind', 'ocp', 'production'] as const;
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const tenantName = (i: number) => `t${String(i).padStart(4, '0')}`;

/** A tenants file with `count` tenants of one internal streamable-HTTP server each (kind profile), of image `tag`. */
export function tenantsFile(work: string, count: number, tag = '0.8.0'): string {
  const lines = ['tenants:'];
  for (let i = 0; i < count; i++) {
    lines.push(
      `  - name: ${tenantName(i)}`,
      '    servers:',
      '      - name: time',
      `        image: { repository: ghcr.io/ibm/fast-time-server, tag: "${tag}" }`,
      '        transport: streamable-http',
    );
  }
  const file = join(work, `tenants-${count}-${tag}.yaml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/**
 * Tenant scale, gate off, two ways: `--stdout` (one stream, as `helm template` prints) and the files synth writes
 * (platform plus a folder per tenant); `--stdout` with the gate; and the default path run again over its own output. Each is next to `helm template` of the chart
 * extended with an equivalent tenant template (Helm validates values only, so the gate-off rows are like for like). Both sides must render the same number of tenant objects, or the case fails.
 */
export const tenantsCase =
  (count: number): BenchCase =>
  (work) => {
    // Each run writes into an empty folder, as a first synth or a CI checkout does; replacing a tree of thousands of
    // files adds the file system's unlink cost, which is not rendering and varies widely between disks.
    const file = tenantsFile(work, count);
    const outOf = (run: number) => join(work, `out-tenants-${count}-${run}`);
    const ours = measure(
      (run) => [LAUNCHER, 'synth', '--tenants', file, '--no-validate', '--out', outOf(run)],
      {},
      (run) => run > 0 && rmSync(outOf(run), { recursive: true, force: true }),
    );
    const out = outOf(0);
    const names = Array.from({ length: count }, (_, i) => tenantName(i));
    const { chart, values } = tenantChart(work, join(out, 'kind', 'tenants'), names);
    const files = [profileValues('kind'), values];
    const withTenants = objectCount(renderOnce(templateArgs('Helm 3', chart, files), helmEnv(work)));
    const platformOnly = objectCount(renderOnce(templateArgs('Helm 3', CHART, [profileValues('kind')]), helmEnv(work)));
    const objects = { ours: objectCount(readYamlTree(join(out, 'kind', 'tenants'))), helm: withTenants - platformOnly };
    if (objects.ours !== objects.helm) throw new Error(`bench: ${count} tenants: we render ${objects.ours} tenant objects, the Helm chart ${objects.helm}`);
    const stdout = measure([LAUNCHER, 'synth', '--tenants', file, '--no-validate', '--stdout']);
    // With the gate, on a declared cluster big enough for every tenant pod (the capacity check would fail on kind's one node).
    const nodes = `cluster.nodes=${Math.ceil(count / 40) + 2}`;
    const gated = measure([LAUNCHER, 'synth', '--tenants', file, '--set', nodes, '--stdout']);
    // The default path a user re-runs: gate on, files written over the previous output (the warm-up run writes it
    // first), so the one-way-door comparison with it and the replacement of the folder are part of the time.
    const againArgs = [LAUNCHER, 'synth', '--tenants', file, '--set', nodes, '--out', join(work, `out-again-${count}`)];
    const again = measure(againArgs);
    // The same command with the launcher's skip on (the default): nothing changed, so the record of the last run
    // (which the warm-up run writes) is checked against every input and output file instead.
    const unchanged = measure(againArgs, { MCP_STACK_SKIP_UNCHANGED: 'on' });
    // The same over an output where every tenant differs: each run takes the other image tag, so every tenant's
    // workload file changes and every tenant folder is made again (its unchanged files are still linked).
    const other = tenantsFile(work, count, '0.7.0');
    const changed = measure((run) => [LAUNCHER, 'synth', '--tenants', run % 2 ? other : file, '--set', nodes, '--out', join(work, `out-changed-${count}`)]);
    const helm = helmSide(work, chart, files);
    return [
      { case: `synth kind + ${count} tenants --stdout (no gate)`, ours: stdout, helm, objects },
      { case: `synth kind + ${count} tenants, files written (no gate)`, ours, helm, objects },
      { case: `synth kind + ${count} tenants --stdout (gate on)`, ours: gated, helm, objects },
      { case: `synth kind + ${count} tenants, files written over the previous output (gate on)`, ours: again, helm, objects },
      { case: `synth kind + ${count} tenants, nothing changed since the last synth (the default: answered from its record)`, ours: unchanged, helm, objects },
      { case: `synth kind + ${count} tenants, files written over an output where every tenant changed (gate on)`, ours: changed, helm, objects },
    ];
  };

/** Every case, by a short id; `BENCH_ONLY=<regex>` runs the matching ones (results.json then holds only those). */
export const CASES: Record<string, BenchCase> = {
  readme: readmeCommandCase,
  'kind-no-gate': profileCase('kind', false),
  kind: profileCase('kind', true),
  'kind-unchanged': unchangedCase,
  'kind-no-snapshot': profileCase('kind', true, false),
  ocp: profileCase('ocp', true),
  production: profileCase('production', true),
  helm: helmSynthCase,
  validate: validateCase,
  'tenants-100': tenantsCase(100),
  'tenants-1000': tenantsCase(1000),
  'tenants-4000': tenantsCase(4000),
};

if (require.main === module) {
  const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
  main(Object.entries(CASES).filter(([id]) => !only || only.test(id)).map(([, c]) => c));
}
