/**
 * Reads an output folder into memory (path relative to the folder → text), from disk or from a Git revision, so
 * two outputs can be compared wherever they come from.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir`, recursively, with `/`-separated relative paths; empty when `dir` does not exist. */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (abs: string, rel: string) => {
    for (const entry of readdirSync(abs).sort()) {
      const path = join(abs, entry);
      const relPath = rel ? `${rel}/${entry}` : entry;
      if (statSync(path).isDirectory()) walk(path, relPath);
      else out.set(relPath, readFileSync(path, 'utf8'));
    }
  };
  walk(dir, '');
  return out;
}

function git(args: string[], cwd: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The commit a revision names, or undefined when it names none (or `cwd` is not in a Git work tree). */
export function resolveCommit(ref: string, cwd: string): string | undefined {
  if (ref.startsWith('-')) return undefined;
  try {
    return git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every file under `dir` (relative to `cwd`) as committed at `ref`, like `readTree` of a checkout of that
 * revision. Read-only: `git ls-tree` and `git show`.
 */
export function readGitTree(ref: string, dir: string, cwd: string): Map<string, string> {
  const out = new Map<string, string>();
  const prefix = dir.replace(/\/+$/, '');
  const listed = git(['ls-tree', '-r', '-z', '--name-only', ref, '--', prefix], cwd).split('\0').filter(Boolean);
  for (const path of listed.sort()) {
    if (!path.startsWith(`${prefix}/`)) continue;
    // `<ref>:./<path>` resolves the path from `cwd`, like ls-tree printed it.
    out.set(path.slice(prefix.length + 1), git(['show', `${ref}:./${path}`], cwd));
  }
  return out;
}
