/**
 * The knobs of the chart: every leaf of the values schema a user can turn, read from the JSON Schema that zod
 * generates from `valuesSchema`, so the chart can never know a value the synth does not (or the reverse).
 */
import { z } from 'zod';
import { valuesSchema } from '../../profiles/schema';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * `string`, `int`, `bool` and `enum` are scalars; `list` is an array of strings; `objects` an array of objects
 * (Kubernetes objects given verbatim, each written whole); `map` a record of scalars or objects (merged key by
 * key); `opaque` anything else (kept as given, never probed).
 */
export type KnobKind = 'string' | 'int' | 'bool' | 'enum' | 'list' | 'objects' | 'map' | 'opaque';

export interface Knob {
  /** Dotted path in the values, e.g. `gateway.replicas`. */
  readonly id: string;
  readonly path: readonly string[];
  readonly kind: KnobKind;
  /** The key may be left out (e.g. an image digest). */
  readonly optional: boolean;
  readonly enumValues?: readonly string[];
  /** Patterns a string (or each list element, or map value) must match; any one of them is enough. */
  readonly patterns: readonly RegExp[];
  readonly maxLength?: number;
  /** For maps: the values are objects (affinity kinds), not scalars. */
  readonly objectValues?: boolean;
  /** For maps: the pattern of the keys. */
  readonly keyPattern?: RegExp;
  /** For integers: the smallest value allowed. */
  readonly minimum?: number;
  /** `''` (strings) or `[]` (lists) is a valid value, so emptiness may change the output's shape. */
  readonly allowsEmpty: boolean;
}

/** The release name and namespace come from Helm (`.Release.Name`, `.Release.Namespace`), never from the values. */
export const RELEASE_NAME = 'release.name';
export const RELEASE_NAMESPACE = 'release.namespace';
export const FROM_HELM = [RELEASE_NAME, RELEASE_NAMESPACE];

/** The values JSON Schema as zod writes it (draft-07, which both Helm 3 and Helm 4 read). */
export function valuesJsonSchema(): any {
  return z.toJSONSchema(valuesSchema, { target: 'draft-7' });
}

/** Every knob of the values, in schema order (release name and namespace included; callers drop them). */
export function knobCatalogue(schema: any = valuesJsonSchema()): Knob[] {
  const out: Knob[] = [];
  walk(schema, [], false, out);
  return out;
}

function walk(node: any, path: string[], optional: boolean, out: Knob[]): void {
  if (node.type === 'object' && node.properties) {
    const required = new Set<string>(node.required ?? []);
    for (const [key, child] of Object.entries<any>(node.properties)) walk(child, [...path, key], !required.has(key), out);
    return;
  }
  const base = { id: path.join('.'), path, optional };
  const strings = alternatives(node).filter((a) => a.type === 'string');
  if (node.type === 'object' && node.additionalProperties && typeof node.additionalProperties === 'object') {
    const valueTypes = [node.additionalProperties.type].flat();
    const scalar = valueTypes.every((t: string) => t === 'string' || t === 'number' || t === 'integer' || t === 'object');
    out.push({
      ...base,
      kind: scalar ? 'map' : 'opaque',
      objectValues: valueTypes.every((t: string) => t === 'object'),
      patterns: [],
      keyPattern: node.propertyNames?.pattern ? new RegExp(node.propertyNames.pattern) : undefined,
      allowsEmpty: true,
    });
  } else if (node.type === 'array') {
    const items = node.items ?? {};
    const isStrings = items.type === 'string';
    out.push({ ...base, kind: isStrings ? 'list' : items.type === 'object' ? 'objects' : 'opaque', patterns: patternsOf([items]), maxLength: items.maxLength, allowsEmpty: true });
  } else if (node.type === 'boolean') {
    out.push({ ...base, kind: 'bool', patterns: [], allowsEmpty: false });
  } else if (node.type === 'integer') {
    out.push({ ...base, kind: 'int', patterns: [], allowsEmpty: false, minimum: node.minimum });
  } else if (strings.length && strings.every((s) => s.enum)) {
    out.push({ ...base, kind: 'enum', enumValues: strings.flatMap((s) => s.enum as string[]), patterns: [], allowsEmpty: false });
  } else if (strings.length && strings.length === alternatives(node).length) {
    const patterns = patternsOf(strings);
    const allowsEmpty = strings.some((s) => s.const === '' || ((s.minLength ?? 0) === 0 && (!s.pattern || new RegExp(s.pattern).test(''))));
    const maxLength = Math.max(...strings.map((s) => s.maxLength ?? Infinity));
    out.push({ ...base, kind: 'string', patterns, maxLength: Number.isFinite(maxLength) ? maxLength : undefined, allowsEmpty });
  } else {
    out.push({ ...base, kind: 'opaque', patterns: [], allowsEmpty: true });
  }
}

function alternatives(node: any): any[] {
  return node.anyOf ?? node.oneOf ?? [node];
}

function patternsOf(strings: any[]): RegExp[] {
  // A `const` alternative is a pattern of its own (e.g. a host name or '').
  if (strings.some((s) => !s.pattern && s.const === undefined)) return [];
  return strings.map((s) => (s.pattern ? new RegExp(s.pattern) : new RegExp(`^${escapeRegExp(String(s.const))}$`)));
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Whether a string satisfies a knob's patterns and length. */
export function fitsKnob(knob: Knob, s: string): boolean {
  if (knob.maxLength !== undefined && s.length > knob.maxLength) return false;
  return knob.patterns.length === 0 || knob.patterns.some((p) => p.test(s));
}

export function getPath(root: any, path: readonly string[]): any {
  let cur = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[seg];
  }
  return cur;
}

/** Sets (or, with `undefined`, removes) a value in a plain object tree, in place. */
export function setPath(root: any, path: readonly string[], value: unknown): void {
  let cur = root;
  for (const seg of path.slice(0, -1)) cur = cur[seg];
  const last = path[path.length - 1];
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

/** A string, list or map that holds nothing (or a missing optional key): false in a Helm `if`. */
export function isEmptyValue(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A deep copy of JSON-like values, made of this realm's objects (unlike `structuredClone`'s, which fail prototype
 * checks, e.g. js-yaml's, inside test sandboxes). `undefined` properties disappear, as in YAML.
 */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : (copyJson(value) as T);
}

/**
 * What `JSON.parse(JSON.stringify(value))` gives, without the text in between (the analysis copies values for
 * every render). Anything but plain objects, arrays and primitives (a `toJSON`, another realm's objects) goes
 * through JSON itself.
 */
function copyJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : null; // -0 and NaN as JSON has them
    return value;
  }
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return JSON.parse(JSON.stringify(value));
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = skippedByJson(value[i]) ? null : copyJson(value[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return JSON.parse(JSON.stringify(value));
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (skippedByJson(v)) continue;
    if (key === '__proto__') Object.defineProperty(out, key, { value: copyJson(v), enumerable: true, writable: true, configurable: true });
    else out[key] = copyJson(v);
  }
  return out;
}

/** Values JSON leaves out of an object (and writes as `null` in a list). */
function skippedByJson(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}
