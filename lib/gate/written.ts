/**
 * The gate reads the output as kubectl will (YAML 1.1 scalars, as the Go YAML library resolves them). The synth
 * wrote that output itself, from objects it still holds, so instead of parsing its own text again the gate can take
 * those objects, once it knows that kubectl reads each of them back as exactly that object. That holds when:
 * - every collection is a plain array or a plain object (anything else is written by js-yaml as a whole);
 * - `undefined` stands where the writer drops it (a mapping value) or writes `null` (a list item);
 * - every string, key and non-integer number reads back as itself under the kubectl schema. A string the writer
 *   keeps plain by its own rule is always a string in YAML 1.1 and 1.2 (see `isSimplePlain`); any other scalar is
 *   written as js-yaml writes it, and that text is read back once per distinct value to prove it.
 * When one of these fails, `readBack` returns `undefined` and the gate parses the text.
 */
import { dump, load } from 'js-yaml';
import { isSimplePlain } from '../output/yaml';
import { KUBECTL_SCHEMA } from './load';

const OPTIONS = { lineWidth: -1, noRefs: true } as const;

/** Bounded: the same strings come back across documents. */
const LIMIT = 10_000;
const stringsOk = new Map<string, boolean>();
const keysOk = new Map<string, boolean>();
const numbersOk = new Map<number, boolean>();

function remembered<K>(cache: Map<K, boolean>, key: K, check: (key: K) => boolean): boolean {
  const known = cache.get(key);
  if (known !== undefined) return known;
  if (cache.size >= LIMIT) cache.clear();
  let ok: boolean;
  try {
    ok = check(key);
  } catch {
    ok = false;
  }
  cache.set(key, ok);
  return ok;
}

const readsBack = (value: unknown, text: string): boolean => Object.is(load(text, { schema: KUBECTL_SCHEMA }), value);

function stringReadsBack(s: string): boolean {
  return isSimplePlain(s) || remembered(stringsOk, s, () => readsBack(s, dump(s, OPTIONS)));
}

function keyReadsBack(k: string): boolean {
  if (isSimplePlain(k)) return true;
  return remembered(keysOk, k, () => {
    const back = load(dump({ [k]: null }, OPTIONS), { schema: KUBECTL_SCHEMA }) as Record<string, unknown> | null;
    return back !== null && typeof back === 'object' && Object.keys(back).length === 1 && Object.keys(back)[0] === k;
  });
}

function numberReadsBack(n: number): boolean {
  if (Number.isSafeInteger(n) && !Object.is(n, -0)) return true;
  return remembered(numbersOk, n, () => readsBack(n, dump(n, OPTIONS)));
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

/** Thrown inside the walk when a value cannot be promised without parsing. */
const NOT_PROVEN = Symbol('not proven to read back');

/** A fresh copy of `value` as kubectl reads it back from the writer's text, or throws `NOT_PROVEN`. */
function copy(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
      if (!stringReadsBack(value)) throw NOT_PROVEN;
      return value;
    case 'number':
      if (!numberReadsBack(value)) throw NOT_PROVEN;
      return value;
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : copy(item)));
      if (!isPlainObject(value)) throw NOT_PROVEN;
      const out: Record<string, unknown> = {};
      // Keys, not entries: this runs on every object of the output, and an entry array per key is garbage.
      for (const k of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[k];
        if (v === undefined) continue;
        if (!keyReadsBack(k)) throw NOT_PROVEN;
        out[k] = copy(v);
      }
      return out;
    }
    default:
      throw NOT_PROVEN;
  }
}

/**
 * The documents kubectl reads from the stream the synth wrote from `objects` (empty documents left out, as a
 * parser does), or `undefined` when that is not proven and the text must be parsed.
 */
export function readBack(objects: readonly unknown[]): unknown[] | undefined {
  const out: unknown[] = [];
  try {
    for (const o of objects) {
      if (o === null || o === undefined) continue;
      // A scalar document is left to the parser.
      if (typeof o !== 'object') return undefined;
      out.push(copy(o));
    }
  } catch (e) {
    if (e === NOT_PROVEN) return undefined;
    throw e;
  }
  return out;
}
