/**
 * Reads a YAML file a user passes (`--values`, `--tenants`, `secrets --from`) within fixed bounds, the way Helm reads
 * values: YAML 1.1 merge keys (`<<: *base`) are merged, a file of only comments is an empty mapping. Parse errors say
 * where (line and column) and what, never the text at that place, which may be a secret.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CORE_SCHEMA, load, realMapTag } from 'js-yaml';
import { isMap, isScalar, LineCounter, parseDocument, visit } from 'yaml';

/** Largest input file read, in bytes: far above a values file or a tenants file of thousands of tenants. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;
/** Most alias expansions a file may cause (the `yaml` library's count, weighted by the size of what is copied). */
export const MAX_ALIAS_COUNT = 100;
/** Deepest nesting of mappings and sequences accepted; the values tree is about 8 levels deep. */
export const MAX_DEPTH = 64;

export type YamlInput = { ok: true; data: unknown } | { ok: false; message: string };

/** Sees each input file read: its bytes, or `undefined` for what is not a regular file (a pipe can be read once). */
type InputObserver = (path: string, bytes: Buffer | undefined) => void;
let observer: InputObserver | undefined;

/**
 * Runs `read` and hands `seen` every input file read meanwhile, with the bytes parsed: what a synth's output was
 * made from, for the record that lets the launcher skip an unchanged synth (lib/output/record.ts).
 */
export function observingInputs<T>(seen: InputObserver, read: () => T): T {
  const outer = observer;
  observer = seen;
  try {
    return read();
  } finally {
    observer = outer;
  }
}

/** The file's data, or why it cannot be read; `undefined` data means an empty (or comment-only) file. */
export function readYamlInput(path: string): YamlInput {
  let text: string;
  try {
    text = readBounded(path);
  } catch (e) {
    if (e instanceof TooLarge) return { ok: false, message: `file is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB (${e.size} bytes); split it or trim it` };
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : code === 'EACCES' ? 'permission denied' : (code ?? String(e));
    return { ok: false, message: `cannot read file: ${why}` };
  }
  return parseYamlText(text);
}

export function parseYamlText(text: string): YamlInput {
  const fast = plainData(text);
  if (fast.ok) return { ok: true, data: fast.data };
  const lineCounter = new LineCounter();
  try {
    // The library's own duplicate-key check compares every key with every other (minutes for a mapping of 50,000
    // keys); `duplicateKey` below does it in one pass.
    // logLevel 'error': the library would print a process warning for a key that is a list or a mapping (the key
    // becomes its text, which the values schema then names as an unknown key); bad input gets one message.
    const doc = parseDocument(text, { merge: true, uniqueKeys: false, prettyErrors: false, lineCounter, strict: true, logLevel: 'error' });
    const error = doc.errors[0];
    if (error) {
      if (/call stack/i.test(error.message)) return { ok: false, message: `nested too deeply to read; at most ${MAX_DEPTH} levels are accepted` };
      const at = lineCounter.linePos(error.pos[0]);
      return { ok: false, message: `not valid YAML at line ${at.line}, column ${at.col}: ${error.message.split('\n')[0]}` };
    }
    const duplicate = duplicateKey(doc);
    if (duplicate !== undefined) {
      const at = lineCounter.linePos(duplicate);
      return { ok: false, message: `not valid YAML at line ${at.line}, column ${at.col}: a key appears twice in the same mapping` };
    }
    const data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    const depth = depthOf(data);
    if (depth > MAX_DEPTH) return { ok: false, message: `nested ${depth} levels deep; at most ${MAX_DEPTH} are accepted` };
    return { ok: true, data: data ?? undefined };
  } catch (e) {
    if (e instanceof RangeError) return { ok: false, message: `nested too deeply to read; at most ${MAX_DEPTH} levels are accepted` };
    const message = (e as Error).message ?? String(e);
    if (/alias/i.test(message)) {
      return { ok: false, message: `aliases expand too much (more than ${MAX_ALIAS_COUNT} alias uses, weighted by size); write the values out or use fewer aliases` };
    }
    return { ok: false, message: `not valid YAML: ${message.split('\n')[0]}` };
  }
}

/** YAML 1.2 core scalars, mappings read as `Map`s so that a key that is not a string can be told apart. */
const PLAIN_SCHEMA = CORE_SCHEMA.withTags(realMapTag);

/**
 * The data of a file that uses none of the features this reader bounds or treats specially, read by js-yaml, several
 * times faster than the `yaml` library (a file of 4,000 tenants: 0.07-0.13 s against 0.48-0.65 s): no anchors or
 * aliases (any alias is refused), no merge keys, only string keys (and no `__proto__`), no duplicate key, one
 * document, nested at most `MAX_DEPTH` levels. Anything else, including every error, is read by the `yaml` path
 * below, which gives the same data (a test holds both to it) and the messages with line and column. Exported for
 * that test.
 */
export function plainData(text: string): { ok: true; data: unknown } | { ok: false } {
  if (text.includes('<<')) return { ok: false };
  let loaded: unknown;
  try {
    loaded = load(text, { schema: PLAIN_SCHEMA, maxAliases: 0, maxDepth: MAX_DEPTH });
  } catch {
    return { ok: false };
  }
  const data = plainJson(loaded);
  if (data === NOT_PLAIN || depthOf(data) > MAX_DEPTH) return { ok: false };
  return { ok: true, data: data ?? undefined };
}

const NOT_PLAIN = Symbol('not plain');

function plainJson(v: unknown): unknown {
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of v) {
      if (typeof key !== 'string' || key === '__proto__') return NOT_PLAIN;
      const inner = plainJson(value);
      if (inner === NOT_PLAIN) return NOT_PLAIN;
      out[key] = inner;
    }
    return out;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const inner = plainJson(v[i]);
      if (inner === NOT_PLAIN) return NOT_PLAIN;
      v[i] = inner;
    }
    return v;
  }
  return v;
}

/** The offset of the first key repeated within one mapping (merge keys `<<` may repeat), or undefined. */
function duplicateKey(doc: ReturnType<typeof parseDocument>): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Map(_key, map) {
      if (!isMap(map)) return undefined;
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (key === '<<') continue;
        if (seen.has(key)) {
          found = pair.key.range?.[0] ?? 0;
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  return found;
}

class TooLarge extends Error {
  constructor(readonly size: number) {
    super('too large');
  }
}

/** Reads a file as UTF-8, refusing it when it is larger than `MAX_INPUT_BYTES` before reading it all. */
function readBounded(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    if (st.size > MAX_INPUT_BYTES) throw new TooLarge(st.size);
    // A pipe or a special file has no size: read up to the bound and one byte more to notice anything larger.
    const buffer = Buffer.alloc(st.isFile() ? st.size : MAX_INPUT_BYTES + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_INPUT_BYTES) throw new TooLarge(length);
    observer?.(path, st.isFile() ? buffer.subarray(0, length) : undefined);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Deepest nesting of arrays and objects, walked without recursion. */
function depthOf(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > max) max = depth + 1;
    if (max > MAX_DEPTH) return max;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return max;
}
