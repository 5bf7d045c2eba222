/**
 * `npm run bench`: whole-process wall time (median of N runs after a warm-up) and peak RSS of the project's
 * commands, each next to `helm template` of the generated chart for the same input when one applies. Results go to
 * bench/results.json and a table on stdout. Not part of `npm test`: timings are measured here, never asserted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'build', 'main.js');
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

export function measure(cmd: string[], env: NodeJS.ProcessEnv = {}): Measurement {
  const once = () => {
    const r = spawnSync('python3', ['-c', MEASURE, ...cmd], { encoding: 'utf8', env: { ...process.env, ...env } });
    const [seconds, rss, code] = r.stdout.trim().split(/\s+/).map(Number);
    if (r.status !== 0 || code !== 0) throw new Error(`bench: '${cmd.join(' ')}' failed (exit ${code}): ${r.stderr}`);
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
  readonly helm?: Measurement;
}

export type BenchCase = (work: string) => Row | undefined;

function table(rows: readonly Row[]): string {
  const lines = ['| case | ours median s | ours peak MB | helm template median s | helm peak MB | ours / helm |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const ratio = r.helm ? (r.ours.medianSeconds / r.helm.medianSeconds).toFixed(2) : '';
    lines.push(`| ${r.case} | ${r.ours.medianSeconds} | ${r.ours.peakRssMb} | ${r.helm?.medianSeconds ?? ''} | ${r.helm?.peakRssMb ?? ''} | ${ratio} |`);
  }
  return lines.join('\n');
}

/** Plain synth of one profile, as users run it: precompiled JavaScript, gate included. */
export const profileCase =
  (profile: string, validate: boolean): BenchCase =>
  (work) => {
    const args = ['node', MAIN, 'synth', '--profile', profile, '--out', join(work, `out-${profile}`)];
    if (!validate) args.push('--no-validate');
    return { case: `synth ${profile}${validate ? '' : ' (no gate)'}`, ours: measure(args) };
  };

export function main(cases: readonly BenchCase[]): void {
  if (!existsSync(MAIN)) throw new Error('bench: build/main.js is missing; run npm run build first');
  const work = mkdtempSync(join(tmpdir(), 'mcp-stack-bench-'));
  try {
    const rows = cases.map((c) => c(work)).filter((r): r is Row => r !== undefined);
    const out = join(ROOT, 'bench');
    mkdirSync(out, { recursive: true });
    const machine = { node: process.version, cpus: require('node:os').cpus().length, runs: RUNS };
    writeFileSync(join(out, 'results.json'), `${JSON.stringify({ machine, rows }, null, 2)}\n`);
    process.stdout.write(`${table(rows)}\n\nwritten to bench/results.json\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Validating every profile's committed output with the gate, as `npm run validate` does. */
export const validateCase: BenchCase = () => ({ case: 'validate dist/ (3 profiles)', ours: measure(['node', MAIN, 'validate']) });

/** A tenants file with `count` tenants of one internal streamable-HTTP server each (kind profile). */
export function tenantsFile(work: string, count: number): string {
  const lines = ['tenants:'];
  for (let i = 0; i < count; i++) {
    lines.push(
      `  - name: t${String(i).padStart(4, '0')}`,
      '    servers:',
      '      - name: time',
      '        image: { repository: ghcr.io/ibm/fast-time-server, tag: "0.8.0" }',
      '        transport: streamable-http',
    );
  }
  const file = join(work, `tenants-${count}.yaml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Tenant scale: the whole synth (platform plus every tenant folder) written to disk, gate off. */
export const tenantsCase =
  (count: number): BenchCase =>
  (work) => ({
    case: `synth kind + ${count} tenants (no gate)`,
    ours: measure(['node', MAIN, 'synth', '--tenants', tenantsFile(work, count), '--no-validate', '--out', join(work, `out-tenants-${count}`)]),
  });

if (require.main === module) {
  main([
    profileCase('kind', false),
    profileCase('kind', true),
    profileCase('ocp', true),
    profileCase('production', true),
    validateCase,
    tenantsCase(100),
    tenantsCase(1000),
    tenantsCase(4000),
  ]);
}
