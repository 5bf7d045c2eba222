/** The real stack as the analysis sees it: every object of every unit, and ways to compare two renders. */
import { buildStack } from '../stack/mcp-stack';
import { canonical, sameJson, type Node } from './ir';
import { cloneJson, type Json } from './knobs';
import { templatize, type Registry } from './templatize';

export interface RawObject {
  readonly unit: string;
  readonly file: string;
  readonly obj: any;
  /** `JSON.stringify(obj)`, when the render already made it. */
  readonly json?: string;
}

/** A rendered object known by its JSON text; `obj` is parsed on first use. */
function jsonObject(unit: string, file: string, json: string): RawObject {
  let obj: any;
  return {
    unit,
    file,
    json,
    get obj() {
      return (obj ??= JSON.parse(json));
    },
  };
}

export interface Templated {
  readonly unit: string;
  readonly file: string;
  readonly node: Node;
  /** `canonical(node)`. */
  readonly text: string;
}

/** Counts the stack renders of an analysis. */
export const renderCount = { value: 0 };

/** Every object of the stack for these values, or `undefined` if the constructs refuse them. */
export function renderRaw(values: unknown): RawObject[] | undefined {
  renderCount.value++;
  try {
    return buildStack(values as any, { helmTests: true }).units.flatMap((u) => u.objects.map((obj) => ({ unit: u.name, file: u.file, obj })));
  } catch {
    return undefined;
  }
}

/**
 * A render that also records every value path the constructs read (a proxy sees each property read). A knob that
 * was not read cannot change that render, so flipping it needs no new render.
 */
export function renderTracked(values: unknown): { raw?: RawObject[]; reads: Set<string> } {
  const reads = new Set<string>();
  // One proxy per object: in a copied JSON tree every object has one path, and the constructs read the same
  // objects many times.
  const proxies = new WeakMap<object, any>();
  const track = (obj: any, path: string): any => {
    let proxy = proxies.get(obj);
    if (proxy) return proxy;
    proxy = new Proxy(obj, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof key !== 'string' || (Array.isArray(target) && !/^\d+$/.test(key) && key !== 'length')) return value;
        const p = path ? `${path}.${key}` : key;
        reads.add(p);
        return value && typeof value === 'object' ? track(value, p) : value;
      },
    });
    proxies.set(obj, proxy);
    return proxy;
  };
  renderCount.value++;
  try {
    const units = buildStack(track(cloneJson(values), ''), { helmTests: true }).units;
    // Plain objects, whatever the constructs kept of the proxies: each object's JSON text, read back only when
    // asked for (the analysis mostly finds the text among templates it already has).
    return { raw: units.flatMap((u) => u.objects.map((obj) => jsonObject(u.name, u.file, JSON.stringify(obj)))), reads };
  } catch {
    // A refused render reads what it read before refusing.
    return { reads };
  }
}

/** The value paths the constructs read while rendering these values. */
export function readPaths(values: unknown): Set<string> {
  return renderTracked(values).reads;
}

export function objectKey(obj: any): string {
  return `${obj.apiVersion}|${obj.kind}|${obj.metadata?.name}`;
}

/**
 * Templates of a render, keyed by API version, kind and templated name. `cache` (raw JSON → template) may be shared
 * by renders whose registries agree on every token they have in common, as the renders of one analysis do.
 */
export function templatizeRender(
  raw: readonly RawObject[],
  registry: Registry | (() => Registry),
  cache?: Map<string, { key: string; node: Node; text: string }>,
): Map<string, Templated> {
  const out = new Map<string, Templated>();
  // A registry computes every digest its tokens can make: built only when some object is not in the cache.
  let reg = typeof registry === 'function' ? undefined : registry;
  for (const r of raw) {
    const json = cache && (r.json ?? JSON.stringify(r.obj));
    let t = json === undefined ? undefined : cache!.get(json);
    if (!t) {
      reg ??= (registry as () => Registry)();
      const name = templatize(r.obj.metadata?.name ?? '', reg);
      const node = templatize(r.obj, reg);
      t = { key: `${r.obj.apiVersion}|${r.obj.kind}|${canonical(name)}`, node, text: canonical(node) };
      if (json !== undefined) cache!.set(json, t);
    }
    if (out.has(t.key)) throw new Error(`two objects render as ${t.key}`);
    out.set(t.key, { unit: r.unit, file: r.file, node: t.node, text: t.text });
  }
  return out;
}

/** The first difference between two sets of objects (compared by kind and name, keys in any order), if any. */
export function firstDifference(expected: readonly Json[], actual: readonly Json[]): string | undefined {
  const index = (list: readonly Json[]) => new Map(list.map((o) => [objectKey(o), o]));
  const e = index(expected);
  const a = index(actual);
  for (const key of e.keys()) if (!a.has(key)) return `${key}: missing`;
  for (const key of a.keys()) if (!e.has(key)) return `${key}: unexpected`;
  for (const [key, want] of e) {
    const diff = leafDifference(want, a.get(key)!, '');
    if (diff) return `${key}: ${diff}`;
  }
  return undefined;
}

function leafDifference(want: unknown, got: unknown, path: string): string | undefined {
  if (sameJson(want, got)) return undefined;
  if (want && got && typeof want === 'object' && typeof got === 'object' && Array.isArray(want) === Array.isArray(got)) {
    const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])];
    for (const k of keys) {
      const d = leafDifference((want as any)[k], (got as any)[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v)?.slice(0, 300));
  return `${path || '.'}: expected ${show(want)}, got ${show(got)}`;
}
