/**
 * Turns units into files and writes them atomically: everything goes to a temporary sibling folder first and is
 * swapped into place only when complete, so an interrupted or failed run leaves the previous output untouched.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { dumpYaml } from './yaml';

export type FileSet = Map<string, string>;
/** Files whose text may be rendered only when it is written (and dropped right after). */
export type LazyFileSet = ReadonlyMap<string, string | (() => string)>;

/** One YAML stream: documents separated by `---`, block style, no line folding, so diffs stay line-based. */
export function toYamlStream(objects: readonly unknown[], header?: string): string {
  const docs = objects.map((o) => dumpYaml(o));
  return `${header ? `${header}\n` : ''}${docs.map((d) => `---\n${d}`).join('')}`;
}

/** Replaces `dir` with exactly `files` (relative paths). Stale files (e.g. of a removed tenant) disappear. */
export function writeAtomically(dir: string, files: LazyFileSet): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const staging = join(parent, `.${basename(dir)}.staging-${process.pid}`);
  const previous = join(parent, `.${basename(dir)}.previous-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    // One mkdir per folder, not per file: thousands of tenant files share a few folders each.
    const made = new Set<string>();
    for (const [rel, content] of [...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const path = join(staging, rel);
      const folder = dirname(path);
      if (!made.has(folder)) {
        mkdirSync(folder, { recursive: true });
        made.add(folder);
      }
      writeFileSync(path, typeof content === 'function' ? content() : content);
    }
    mkdirSync(staging, { recursive: true });
    if (existsSync(dir)) renameSync(dir, previous);
    renameSync(staging, dir);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(dir) && existsSync(previous)) renameSync(previous, dir);
    throw e;
  }
  rmSync(previous, { recursive: true, force: true });
}
