/**
 * The YAML emitter of the synth: `dumpYaml(v)` returns exactly the text of js-yaml's
 * `dump(v, { lineWidth: -1, noRefs: true })`, byte for byte, but writes the block layout itself, which makes
 * rendering thousands of tenants several times faster.
 *
 * The layout (block mappings and sequences, two spaces per level, `- ` items holding their first key on the same
 * line, `{}` and `[]` for empty collections, `? ` explicit keys) and the scalars that need no quoting are written
 * here. Every other scalar (quoted strings, literal blocks, strings YAML would read as a number, boolean, null or
 * date, floats) is asked of js-yaml once, cached, and placed at the right indentation: below the root, the style
 * a string gets does not depend on its depth, only a literal block's content indentation does. Anything that is
 * not JSON-like data (or a scalar as the whole document) goes to js-yaml as a whole.
 */
import { dump } from 'js-yaml';

const OPTIONS = { lineWidth: -1, noRefs: true } as const;

/** Thrown inside the writer when a value is outside what it handles; the whole document then goes to js-yaml. */
const UNSUPPORTED = Symbol('unsupported by the fast YAML writer');

/** The same YAML text as `dump(value, { lineWidth: -1, noRefs: true })` of js-yaml. */
export function dumpYaml(value: unknown): string {
  if (value === undefined) return '';
  if (!Array.isArray(value) && !isPlainObject(value)) return dump(value, OPTIONS);
  const writer = new Writer();
  try {
    writer.root(value);
  } catch (e) {
    if (e === UNSUPPORTED) return dump(value, OPTIONS);
    throw e;
  }
  return `${writer.out}\n${writer.openEnded ? '...\n' : ''}`;
}

type JsonObject = Record<string, unknown>;

function isPlainObject(v: unknown): v is JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

// ---------------------------------------------------------------------------------------------------------------
// Strings that stay plain

/** Plain words that YAML 1.1 or 1.2 reads as a boolean or null (the ones starting with a letter). */
const RESERVED_WORDS = new Set([
  'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO',
  'on', 'On', 'ON', 'off', 'Off', 'OFF',
  'null', 'Null', 'NULL',
]);

/** The longest key js-yaml writes as `key:`; longer ones become explicit `? key` pairs. */
const MAX_IMPLICIT_KEY = 1024;

const SPACE = 0x20;
const COLON = 0x3a;
const HASH = 0x23;

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Printable ASCII other than space. */
function isVisibleAscii(c: number): boolean {
  return c > SPACE && c < 0x7f;
}

/**
 * True when the string is certainly written as-is (plain, one line) both as a value and as a key. Deliberately
 * narrow: it starts with a letter, `_`, `/`, `$` or `(` (so it can be no number, date, merge key or indicator),
 * is no boolean or null word, and holds only printable ASCII, with no `: `, ` #`, trailing `:` or trailing space.
 * Anything else is asked of js-yaml.
 */
export function isSimplePlain(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  const first = s.charCodeAt(0);
  if (isLetter(first)) {
    if (n <= 5 && RESERVED_WORDS.has(s)) return false;
  } else if (first !== 0x5f && first !== 0x2f && first !== 0x24 && first !== 0x28) {
    return false;
  }
  for (let i = 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === COLON) {
      if (!isVisibleAscii(s.charCodeAt(i + 1))) return false;
    } else if (c === HASH) {
      if (s.charCodeAt(i - 1) === SPACE) return false;
    } else if (c === SPACE) {
      if (i === n - 1) return false;
    } else if (!isVisibleAscii(c)) {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Scalars js-yaml renders (asked once, cached)

/** A rendered value scalar: one line, or a literal block whose content lines are re-indented at each depth. */
type ValueText =
  | { readonly kind: 'line'; readonly text: string }
  | { readonly kind: 'block'; readonly header: string; readonly lines: readonly string[]; readonly openEnded: boolean };

/** A rendered key, and whether js-yaml writes its pair explicitly (`? key` / `: value`). */
type KeyText = { readonly text: string; readonly explicit: boolean };

/** Bounds the caches; they are cleared when full (the same strings come back across documents). */
const CACHE_LIMIT = 10_000;

const valueTexts = new Map<string, ValueText | null>();
const keyTexts = new Map<string, KeyText | null>();
const numberTexts = new Map<number, string | null>();

function cached<K, V>(cache: Map<K, V>, key: K, make: (key: K) => V): V {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  const made = make(key);
  cache.set(key, made);
  return made;
}

const ITEM_PREFIX = '- ';
const DOCUMENT_END = '\n...\n';
/** Content indentation js-yaml gives a literal block that is a sequence item of the root (depth 1). */
const PROBE_INDENT = '  ';

/**
 * How js-yaml writes this scalar as a value at depth 1, read from a one-item sequence. `null` when the answer
 * has a shape the writer does not place (it then hands the whole document to js-yaml).
 */
function renderValue(scalar: string | number): ValueText | null {
  const doc = dump([scalar], OPTIONS);
  if (!doc.startsWith(ITEM_PREFIX)) return null;
  const openEnded = doc.endsWith(DOCUMENT_END);
  const body = doc.slice(ITEM_PREFIX.length, openEnded ? -DOCUMENT_END.length : -1);
  if (body.startsWith('|')) return blockText(body, openEnded);
  if (openEnded || body.includes('\n')) return null;
  return { kind: 'line', text: body };
}

function blockText(body: string, openEnded: boolean): ValueText | null {
  const [header, ...content] = body.split('\n');
  const lines: string[] = [];
  for (const line of content) {
    if (line !== '' && !line.startsWith(PROBE_INDENT)) return null;
    lines.push(line.slice(PROBE_INDENT.length));
  }
  return { kind: 'block', header, lines, openEnded };
}

const KEY_PROBE_VALUE = ': null\n';
const EXPLICIT_KEY = '? ';
const EXPLICIT_VALUE = `\n${KEY_PROBE_VALUE}`;

/** How js-yaml writes this string as a mapping key, read from a one-pair mapping. */
function renderKey(key: string): KeyText | null {
  const doc = dump({ [key]: null }, OPTIONS);
  if (!doc.endsWith(KEY_PROBE_VALUE)) return null;
  const explicit = doc.startsWith(EXPLICIT_KEY) && doc.endsWith(EXPLICIT_VALUE);
  const text = explicit ? doc.slice(EXPLICIT_KEY.length, -EXPLICIT_VALUE.length) : doc.slice(0, -KEY_PROBE_VALUE.length);
  if (text === '' || text.includes('\n')) return null;
  return { text, explicit };
}

function renderNumber(n: number): string | null {
  const text = renderValue(n);
  return text?.kind === 'line' ? text.text : null;
}

function valueText(s: string): ValueText {
  const text = cached(valueTexts, s, renderValue);
  if (text === null) throw UNSUPPORTED;
  return text;
}

function keyText(s: string): KeyText {
  const text = cached(keyTexts, s, renderKey);
  if (text === null) throw UNSUPPORTED;
  return text;
}

/** Integers print as themselves; floats, -0 and exponent forms as js-yaml writes them (`-0.0`, `1.e+21`). */
function numberText(n: number): string {
  if (Number.isInteger(n) && !Object.is(n, -0)) {
    const s = String(n);
    if (!s.includes('e')) return s;
  }
  // Map keys treat -0 as 0; integers never reach the cache, so -0 is alone under that key.
  const text = cached(numberTexts, n, renderNumber);
  if (text === null) throw UNSUPPORTED;
  return text;
}

// ---------------------------------------------------------------------------------------------------------------
// The block layout

const breaks: string[] = [];

/** A line break followed by the indentation of `level` (two spaces per level). */
function lineBreak(level: number): string {
  let b = breaks[level];
  if (b === undefined) {
    b = `\n${'  '.repeat(level)}`;
    breaks[level] = b;
  }
  return b;
}

/** Index of the first key whose value is written (js-yaml drops `undefined` values), or -1. */
function firstWrittenKey(o: JsonObject, keys: readonly string[]): number {
  for (let i = 0; i < keys.length; i++) if (o[keys[i]] !== undefined) return i;
  return -1;
}

/**
 * Writes one document. `level` is the nesting depth in js-yaml's sense: a collection at level L indents its lines
 * by 2L spaces and writes its children at level L + 1. A `compact` collection starts on the current line (after
 * `- ` or `? `/`: `), the others on a new line.
 */
class Writer {
  out = '';
  /** Whether the last scalar written was a literal block keeping trailing blank lines (the document then ends with `...`). */
  openEnded = false;

  root(value: unknown[] | JsonObject): void {
    this.afterIndicator(value, 0, true, '');
  }

  /**
   * Writes a node that follows an indicator (`key:`, `-`, `:` or nothing at the root): a nested block on its own
   * lines, or `sep` and the node on this line.
   */
  private afterIndicator(value: unknown, level: number, compact: boolean, sep: string): void {
    if (Array.isArray(value)) {
      if (value.length === 0) return this.leaf(`${sep}[]`, false);
      if (compact) this.out += sep;
      return this.sequence(value, level, compact);
    }
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      const start = firstWrittenKey(value, keys);
      if (start < 0) return this.leaf(`${sep}{}`, false);
      if (compact) this.out += sep;
      return this.mapping(value, keys, start, level, compact);
    }
    this.out += sep;
    this.scalar(value, level);
  }

  private leaf(text: string, openEnded: boolean): void {
    this.out += text;
    this.openEnded = openEnded;
  }

  private sequence(items: readonly unknown[], level: number, compact: boolean): void {
    for (let i = 0; i < items.length; i++) {
      if (i > 0 || !compact) this.out += lineBreak(level);
      const item = items[i];
      this.out += '-';
      this.afterIndicator(item === undefined ? null : item, level + 1, true, ' ');
    }
  }

  private mapping(o: JsonObject, keys: readonly string[], start: number, level: number, compact: boolean): void {
    let first = true;
    for (let i = start; i < keys.length; i++) {
      const key = keys[i];
      const value = o[key];
      if (value === undefined) continue;
      if (!first || !compact) this.out += lineBreak(level);
      first = false;
      if (isSimplePlain(key) && key.length <= MAX_IMPLICIT_KEY) {
        this.out += `${key}:`;
        this.afterIndicator(value, level + 1, false, ' ');
      } else {
        this.pair(keyText(key), value, level);
      }
    }
  }

  /** A pair whose key js-yaml quotes, or writes explicitly (`? key`, then `: value` on the next line). */
  private pair(key: KeyText, value: unknown, level: number): void {
    if (!key.explicit) {
      this.out += `${key.text}:`;
      return this.afterIndicator(value, level + 1, false, ' ');
    }
    this.out += `? ${key.text}${lineBreak(level)}:`;
    this.afterIndicator(value, level + 1, true, ' ');
  }

  private scalar(value: unknown, level: number): void {
    switch (typeof value) {
      case 'string':
        return this.string(value, level);
      case 'number':
        return this.leaf(numberText(value), false);
      case 'boolean':
        return this.leaf(value ? 'true' : 'false', false);
      default:
        if (value === null) return this.leaf('null', false);
        throw UNSUPPORTED;
    }
  }

  private string(s: string, level: number): void {
    if (isSimplePlain(s)) return this.leaf(s, false);
    const text = valueText(s);
    if (text.kind === 'line') return this.leaf(text.text, false);
    let out = text.header;
    const indent = lineBreak(level);
    for (const line of text.lines) out += line === '' ? '\n' : indent + line;
    this.leaf(out, text.openEnded);
  }
}
