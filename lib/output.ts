/**
 * Turns units into files; `output-folder.ts` writes them (all or nothing, interruptible, only into folders it owns).
 */
import { dumpYaml } from './yaml';
export { writeAtomically, writeOutput, Interrupted, OWNER_MARK, type LazyFileSet } from './output-folder';

export type FileSet = Map<string, string>;

/** One YAML stream: documents separated by `---`, block style, no line folding, so diffs stay line-based. */
export function toYamlStream(objects: readonly unknown[], header?: string): string {
  const docs = objects.map((o) => dumpYaml(o));
  return `${header ? `${header}\n` : ''}${docs.map((d) => `---\n${d}`).join('')}`;
}
