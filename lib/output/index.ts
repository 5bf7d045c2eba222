/**
 * Turns units into files; `output-folder.ts` writes them (all or nothing, interruptible, only into folders it owns).
 */
import { dumpYaml } from './yaml';
export { writeAtomically, writeOutput, Interrupted, OWNER_MARK, type LazyFileSet } from './output-folder';

export type FileSet = Map<string, string>;

/** While `withWrittenObjects` runs: what it keeps of each stream written (by text), and how it reads objects. */
let recording: { kept: Map<string, readonly unknown[]>; read: (objects: readonly unknown[]) => readonly unknown[] | undefined } | undefined;

/**
 * Runs `render` and returns, with its result, what `read` makes of the objects of each YAML stream written meanwhile
 * (keyed by the stream's text; a stream `read` returns `undefined` for is left out). The output gate reads the
 * objects the synth wrote this way instead of parsing the text again. `read` runs as each stream is written, so the
 * objects themselves need not outlive it.
 */
export function withWrittenObjects<T>(
  render: () => T,
  read: (objects: readonly unknown[]) => readonly unknown[] | undefined,
): { result: T; written: Map<string, readonly unknown[]> } {
  const outer = recording;
  const mine = { kept: new Map<string, readonly unknown[]>(), read };
  recording = mine;
  try {
    return { result: render(), written: mine.kept };
  } finally {
    recording = outer;
  }
}

/** One YAML stream: documents separated by `---`, block style, no line folding, so diffs stay line-based. */
export function toYamlStream(objects: readonly unknown[], header?: string): string {
  const docs = objects.map((o) => dumpYaml(o));
  const text = `${header ? `${header}\n` : ''}${docs.map((d) => `---\n${d}`).join('')}`;
  if (recording) {
    const read = recording.read(objects);
    if (read) recording.kept.set(text, read);
  }
  return text;
}
