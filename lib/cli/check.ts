/**
 * `check`: fails when the committed output is stale. Every profile is synthesized into a temporary folder exactly as
 * `synth --all` writes it and compared file by file with `dist/`; a difference is shown as a unified diff, with the
 * command that fixes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError, loadValues, profileNames } from '../../profiles/loader';
import type { Values } from '../../profiles/schema';
import { gitopsFiles } from '../gitops';
import { unifiedDiff, splitLines } from '../gitops/line-diff';
import { readTree } from '../gitops/tree';
import { writeAtomically, type FileSet } from '../output/index';
import { parseFlags, usage, type FlagSpec, type ParsedFlags } from './args';
import { chartFilesOnDisk } from './helm';
import { renderProfile } from './synth';

export const CHECK_FLAGS: Record<string, FlagSpec> = {
  dist: { type: 'string', description: 'committed output root to compare with (default dist)' },
  help: { type: 'boolean', description: 'show this help' },
};

/** The command that regenerates one output folder, written as a user types it (`--out` only when not `dist`). */
export function fixCommand(target: CheckTarget, dist: string): string {
  const out = dist === 'dist' ? '' : ` --out ${dist}`;
  return `npm run synth -- ${target.synthArgs}${out}`;
}

/** Where a command reads relative paths from and writes its output; the process by default, a buffer in tests. */
export interface CommandIO {
  readonly cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
}

export function processIO(): CommandIO {
  return { cwd: process.cwd(), stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };
}

/** Everything a synth writes for a profile: the units, then the kustomization and the ArgoCD Applications. */
export function freshProfileFiles(values: Values): FileSet {
  const files = renderProfile(values);
  for (const [file, text] of gitopsFiles(values, [...files.keys()])) files.set(file, text);
  return files;
}

/** Files of one folder compared with a fresh synth of it. */
export interface TreeComparison {
  /** In the fresh synth, not committed. */
  readonly missing: string[];
  /** Committed, but a synth no longer writes them. */
  readonly extra: string[];
  /** In both, with different content. */
  readonly changed: string[];
}

export function compareTrees(committed: ReadonlyMap<string, string>, fresh: ReadonlyMap<string, string>): TreeComparison {
  const sorted = (xs: Iterable<string>) => [...xs].sort();
  return {
    missing: sorted([...fresh.keys()].filter((f) => !committed.has(f))),
    extra: sorted([...committed.keys()].filter((f) => !fresh.has(f))),
    changed: sorted([...fresh.keys()].filter((f) => committed.has(f) && committed.get(f) !== fresh.get(f))),
  };
}

export function isStale(c: TreeComparison): boolean {
  return c.missing.length + c.extra.length + c.changed.length > 0;
}

/** The readable report of a stale folder; `label` is how the folder is shown (e.g. `dist/kind`). */
export function formatStale(label: string, committed: ReadonlyMap<string, string>, fresh: ReadonlyMap<string, string>, c: TreeComparison): string[] {
  const lines: string[] = [];
  for (const f of c.missing) lines.push(`missing: ${label}/${f} (a synth writes it, ${splitLines(fresh.get(f)!).length} lines)`);
  for (const f of c.extra) lines.push(`extra:   ${label}/${f} (a synth no longer writes it: delete it)`);
  for (const f of c.changed) {
    lines.push(`changed: ${label}/${f}`, `--- ${label}/${f} (committed)`, `+++ ${label}/${f} (fresh synth)`);
    lines.push(...unifiedDiff(committed.get(f)!, fresh.get(f)!, { context: 3, maxLines: 200 }));
  }
  return lines;
}

/** One folder of the committed output and how to render it. */
export interface CheckTarget {
  /** Folder under the output root, e.g. `kind`. */
  readonly dir: string;
  /** The `synth` flags that write this folder, e.g. `--profile kind`. */
  readonly synthArgs?: string;
  render(): FileSet;
}

/** Every profile, as `synth --all` writes it, and the Helm chart, as `synth --format helm` writes it. */
export function profileTargets(): CheckTarget[] {
  return [
    ...profileNames.map((profile) => ({ dir: profile, synthArgs: `--profile ${profile}`, render: () => freshProfileFiles(loadValues({ profile })) })),
    { dir: 'helm/mcp-stack', synthArgs: '--format helm', render: () => chartFilesOnDisk() },
  ];
}

export function runCheck(argv: readonly string[], io: CommandIO = processIO(), targets: readonly CheckTarget[] = profileTargets()): number {
  let flags: ParsedFlags;
  try {
    ({ flags } = parseFlags('check', argv, CHECK_FLAGS));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    io.stderr(`${e.message}\n`);
    return 2;
  }
  const names = targets.map((t) => t.dir).join(', ');
  if (flags.help) {
    io.stdout(
      usage('check', `Fail (exit 1) when the committed output (${names}) differs from a fresh synth; names the command that regenerates each stale folder.`, CHECK_FLAGS, [
        'mcp-stack check',
        'mcp-stack check --dist out',
      ]),
    );
    return 0;
  }
  const distArg = ((flags.dist as string | undefined) ?? 'dist').replace(/\/+$/, '');
  const dist = resolve(io.cwd, distArg);
  const tmp = mkdtempSync(join(tmpdir(), 'mcp-stack-check-'));
  const stale: CheckTarget[] = [];
  const report: string[] = [];
  let files = 0;
  try {
    for (const target of targets) {
      // Written and read back like `synth` does, so the comparison is of the bytes a synth would leave on disk.
      writeAtomically(join(tmp, target.dir), target.render());
      const fresh = readTree(join(tmp, target.dir));
      const committed = readTree(join(dist, target.dir));
      files += fresh.size;
      const c = compareTrees(committed, fresh);
      if (!isStale(c)) continue;
      stale.push(target);
      report.push('', ...formatStale(`${distArg}/${target.dir}`, committed, fresh, c));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (!stale.length) {
    io.stdout(`check: ${distArg}/ is up to date (${names}; ${files} files)\n`);
    return 0;
  }
  const fixes = stale.map((t) => `  ${t.synthArgs ? fixCommand(t, distArg) : `regenerate ${distArg}/${t.dir}`}    # ${distArg}/${t.dir}`);
  io.stderr(`check: ${distArg}/ is stale for ${stale.map((t) => t.dir).join(', ')}\n${report.join('\n')}\n\nTo fix, run and commit ${distArg}/:\n${fixes.join('\n')}\n`);
  return 1;
}
