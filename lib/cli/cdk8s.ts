/**
 * What `cdk8s synth` runs (the `app` of cdk8s.yaml): one profile, gated, written into the folder the cdk8s CLI chose
 * (`CDK8S_OUTDIR`), file for file what `synth` writes to `dist/<profile>/`.
 *
 * Input comes from the app command's flags (`cdk8s synth --app 'bin/mcp-stack cdk8s --profile ocp'`) or from
 * environment variables, because `cdk8s synth` passes no arguments of its own to the app:
 *   MCP_STACK_PROFILE=ocp  MCP_STACK_VALUES=a.yaml,b.yaml  MCP_STACK_SET=$'gateway.replicas=4\nnginx.replicas=2'
 *   MCP_STACK_TENANTS=tenants.yaml  MCP_STACK_WITH_BENCHMARK=true
 * Flags and variables add up: variables first, then flags (so a flag's `--set` wins).
 *
 * The cdk8s CLI empties its output folder before it starts the app. So that a refused input or a failing gate still
 * leaves the previous output as it was, every successful run keeps a hard-linked copy of what it wrote (in the
 * project's cache, keyed by the output folder), and a failing run puts that copy back before it exits non-zero.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError, loadValues, profileNames, type Problem } from '../../profiles/loader';
import { projectRoot } from '../constructs/core/assets';
import { writeAtomically } from '../output/index';
import { parseFlags, usage, type FlagSpec } from './args';
import { synthGate } from './gate';
import { renderProfile } from './synth';

export const CDK8S_FLAGS: Record<string, FlagSpec> = {
  profile: { type: 'string', description: `profile to synthesize: ${profileNames.join(', ')} (default kind; env MCP_STACK_PROFILE)` },
  values: { type: 'string', multiple: true, description: 'YAML values file layered over the profile (env MCP_STACK_VALUES, comma-separated)' },
  set: { type: 'string', multiple: true, description: 'one value, e.g. gateway.replicas=4 (env MCP_STACK_SET, one per line)' },
  tenants: { type: 'string', description: 'tenants file replacing the profile\'s tenants (env MCP_STACK_TENANTS)' },
  'with-benchmark': { type: 'boolean', description: 'add the Locust benchmark unit (env MCP_STACK_WITH_BENCHMARK=true)' },
  help: { type: 'boolean', description: 'show this help' },
};

const SUMMARY = `The entry \`cdk8s synth\` runs (cdk8s.yaml): one profile, gated, into the cdk8s output folder (CDK8S_OUTDIR, default cdk8s.out).

examples:
  cdk8s synth                                          # kind into cdk8s.out/
  MCP_STACK_PROFILE=ocp MCP_STACK_SET=gateway.replicas=4 cdk8s synth
  cdk8s synth --app 'bin/mcp-stack cdk8s --profile production --values my-cluster.yaml'`;

interface Cdk8sInput {
  readonly profile?: string;
  readonly valuesFiles: string[];
  readonly sets: string[];
  readonly tenantsFile?: string;
}

/** Input from the environment, then from flags; every problem of both is reported together. */
export function cdk8sInput(argv: readonly string[], env: NodeJS.ProcessEnv): Cdk8sInput | 'help' {
  const { flags, positionals } = parseFlags('cdk8s', argv, CDK8S_FLAGS);
  if (flags.help) return 'help';
  const problems: Problem[] = [];
  for (const p of positionals) problems.push({ path: p, message: 'unexpected argument; the cdk8s entry takes flags only' });
  const bench = env.MCP_STACK_WITH_BENCHMARK;
  if (bench !== undefined && bench !== '' && bench !== 'true' && bench !== 'false') {
    problems.push({ path: 'MCP_STACK_WITH_BENCHMARK', message: 'allowed: true, false', received: bench });
  }
  if (flags.profile !== undefined && env.MCP_STACK_PROFILE && flags.profile !== env.MCP_STACK_PROFILE) {
    problems.push({ path: '--profile', message: `conflicts with MCP_STACK_PROFILE=${env.MCP_STACK_PROFILE}`, received: flags.profile as string });
  }
  if (problems.length) throw new InputError(`invalid arguments for 'cdk8s': ${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems);
  const list = (text: string | undefined, separator: RegExp) => (text ?? '').split(separator).map((s) => s.trim()).filter(Boolean);
  const withBenchmark = bench === 'true' || flags['with-benchmark'] === true;
  return {
    profile: (flags.profile as string | undefined) ?? (env.MCP_STACK_PROFILE || undefined),
    valuesFiles: [...list(env.MCP_STACK_VALUES, /,/), ...((flags.values as string[] | undefined) ?? [])],
    sets: [...list(env.MCP_STACK_SET, /\r?\n/), ...((flags.set as string[] | undefined) ?? []), ...(withBenchmark ? ['benchmark.enabled=true'] : [])],
    tenantsFile: (flags.tenants as string | undefined) ?? (env.MCP_STACK_TENANTS || undefined),
  };
}

/** Where the copy of the last good output of `out` is kept. */
function keptCopyOf(out: string): string {
  const key = createHash('sha256').update(resolve(out)).digest('hex').slice(0, 16);
  const base = process.env.MCP_STACK_CACHE_DIR ? resolve(process.env.MCP_STACK_CACHE_DIR) : join(projectRoot(), 'node_modules', '.cache', 'mcp-stack');
  return join(base, 'cdk8s-output', key);
}

/** Mirrors the tree `from` into `to` (which must not exist): hard links where the file system allows, copies otherwise. */
function mirror(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    const source = join(from, entry);
    const target = join(to, entry);
    if (statSync(source).isDirectory()) mirror(source, target);
    else {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
      }
    }
  }
}

export function runCdk8s(argv: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): number {
  const out = env.CDK8S_OUTDIR || 'cdk8s.out';
  const kept = keptCopyOf(out);
  const restore = () => {
    if (existsSync(kept) && !existsSync(out)) mirror(kept, out);
  };
  let input: Cdk8sInput | 'help';
  let files: Map<string, string>;
  try {
    input = cdk8sInput(argv, env);
    if (input === 'help') {
      process.stdout.write(usage('cdk8s', SUMMARY, CDK8S_FLAGS));
      return 0;
    }
    const values = loadValues({ profile: input.profile, valuesFiles: input.valuesFiles, sets: input.sets, tenantsFile: input.tenantsFile });
    files = renderProfile(values);
    const result = synthGate(values, files);
    if (result.report) process.stderr.write(`${values.profile}: ${result.report}\n`);
    if (!result.ok) {
      restore();
      process.stderr.write(`cdk8s: the output gate found errors; ${existsSync(kept) ? 'the previous output was put back' : 'nothing was written'}\n`);
      return 1;
    }
  } catch (e) {
    restore();
    throw e;
  }
  writeAtomically(out, files);
  rmSync(kept, { recursive: true, force: true });
  try {
    mirror(out, kept);
  } catch {
    // Without a kept copy a later failing run leaves the folder empty, as plain cdk8s does; the output itself is fine.
    rmSync(kept, { recursive: true, force: true });
  }
  process.stderr.write(`cdk8s: wrote ${files.size} files to ${out}\n`);
  return 0;
}
