/**
 * `diff`: what a synth would change in a profile's committed output, object by object (added, removed, changed
 * fields with old → new values), for pull-request review. Exit 1 when there are differences, like `git diff
 * --exit-code` and `kubectl diff`, so a script can tell; 0 when there are none.
 */
import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { InputError, loadValues, profileNames, type Problem } from '../../profiles/loader';
import { diffObjects, formatObjectDiff } from '../gitops/object-diff';
import { readGitTree, readTree, resolveCommit } from '../gitops/tree';
import { parseFlags, usage, type FlagSpec, type ParsedFlags } from './args';
import { freshProfileFiles, processIO, type CommandIO } from './check';
import { loadOptions } from './synth';

export const DIFF_FLAGS: Record<string, FlagSpec> = {
  profile: { type: 'string', description: `profile to compare: ${profileNames.join(', ')} (default kind)` },
  against: {
    type: 'string',
    description: 'what to compare with: an output folder (the dist root or the profile folder) or a Git revision, read as <rev>:dist/<profile> (default: dist/<profile> of the working tree)',
  },
  values: { type: 'string', multiple: true, description: 'YAML values file layered over the profile for the fresh synth' },
  set: { type: 'string', multiple: true, description: 'one value for the fresh synth, e.g. gateway.replicas=4' },
  'set-string': { type: 'string', multiple: true, description: 'one value kept as a string, as for synth' },
  tenants: { type: 'string', description: "tenants file (a `tenants:` list) replacing the profile's tenants, as for synth" },
  'with-benchmark': { type: 'boolean', description: 'add the benchmark unit, as for synth' },
  help: { type: 'boolean', description: 'show this help' },
};

/** The committed side of the comparison: its files and how to name it. */
interface Baseline {
  readonly files: Map<string, string>;
  readonly label: string;
  readonly exists: boolean;
}

export function runDiff(argv: readonly string[], io: CommandIO = processIO()): number {
  try {
    return diff(argv, io);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    io.stderr(`${e.message}\n`);
    return 2;
  }
}

function diff(argv: readonly string[], io: CommandIO): number {
  const { flags } = parseFlags('diff', argv, DIFF_FLAGS);
  if (flags.help) {
    io.stdout(
      usage('diff', 'Compare a fresh synth of a profile with its committed output, object by object. Exit 1 when they differ.', DIFF_FLAGS, [
        'mcp-stack diff --profile ocp                     # fresh synth vs dist/ocp',
        'mcp-stack diff --profile ocp --against main      # ... vs dist/ocp at the main branch',
        'mcp-stack diff --set gateway.replicas=4          # what a value change would do',
      ]),
    );
    return 0;
  }
  const profile = (flags.profile as string | undefined) ?? 'kind';
  const values = loadValues(loadOptions(flags, profile));
  const baseline = readBaseline(flags, profile, io.cwd);
  const result = diffObjects(baseline.files, freshProfileFiles(values));
  const lines = formatObjectDiff(result);
  const out = [`diff: profile ${profile}, fresh synth compared with ${baseline.label}${baseline.exists ? '' : ' (absent: every object is new)'}`];
  out.push(...lines);
  const counts = `${result.added.length} added, ${result.removed.length} removed, ${result.changed.length} changed, ${result.unchanged} unchanged`;
  out.push(lines.length ? counts : `no object differences (${result.unchanged} objects)`);
  io.stdout(`${out.join('\n')}\n`);
  return lines.length ? 1 : 0;
}

function readBaseline(flags: ParsedFlags, profile: string, cwd: string): Baseline {
  const against = flags.against as string | undefined;
  const problem = (message: string): never => {
    throw new InputError("invalid arguments for 'diff': 1 problem", [{ path: '--against', message, received: against } satisfies Problem]);
  };
  if (against === undefined) {
    const dir = join(cwd, 'dist', profile);
    return { files: readTree(dir), label: `dist/${profile}`, exists: existsSync(dir) };
  }
  const path = resolve(cwd, against);
  if (existsSync(path)) {
    if (!isDirectory(path)) problem('must be a folder or a Git revision, not a file');
    const inner = join(path, profile);
    // An output root holds one folder per profile; a folder without any is the profile's own folder.
    const isRoot = isDirectory(inner) || profileNames.some((p) => isDirectory(join(path, p)));
    const dir = isRoot ? inner : path;
    return { files: readTree(dir), label: relative(cwd, dir) || '.', exists: isDirectory(dir) };
  }
  if (!resolveCommit(against, cwd)) problem('is neither a folder nor a Git revision of this repository');
  const files = readGitTree(against, `dist/${profile}`, cwd);
  return { files, label: `${against}:dist/${profile}`, exists: files.size > 0 };
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
