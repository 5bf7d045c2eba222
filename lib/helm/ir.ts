/**
 * The template of one object, independent of Helm syntax: constants, references to values, derived digests,
 * conditions over toggles. `evaluate` gives what the template renders for given values; the chart generator checks
 * it against the real stack before any Helm text is written, and `emit.ts` turns the same tree into Helm syntax.
 */
import { withoutPodOverrides } from '../../profiles/pod-overrides-schema';
import { labelValue } from '../constructs/core/context';
import { imageRef } from '../constructs/core/images';
import { nameHash, saltedValuesChecksum } from '../constructs/core/checksum';
import { jobInputValue, WITH_SET_POD_OVERRIDES_ONLY } from '../constructs/gateway-jobs';
import { cloneJson, getPath, isEmptyValue, RELEASE_NAME, RELEASE_NAMESPACE, type Json } from './knobs';

export type Scalar = null | boolean | number | string;

/** A value of the chart: a knob by its dotted path, or the current element inside a range. */
export type Ref = { readonly knob: string } | { readonly elem: true };

/** Suffix of a checksum argument that digests a workload's values without its escape hatches. */
export const WITHOUT_POD_OVERRIDES = '~pod';

/** One piece of a string. */
export type Part =
  | { readonly p: 'lit'; readonly s: string }
  /** A string knob as is. */
  | { readonly p: 'str'; readonly ref: Ref }
  /** An integer knob in decimal. */
  | { readonly p: 'int'; readonly ref: Ref }
  /** A boolean knob as `true` / `false`. */
  | { readonly p: 'bool'; readonly ref: Ref }
  /** A list knob as JSON. */
  | { readonly p: 'listJson'; readonly knob: string }
  /** `repository:tag[@digest]` of `images.<image>`. */
  | { readonly p: 'image'; readonly image: string }
  /** First 8 hex digits of the sha256 of the image reference, optionally followed by a newline and a constant. */
  | { readonly p: 'imageHash'; readonly image: string; readonly salt?: string }
  /**
   * sha256 of the Go JSON of a list of values (value paths, or `@release` / `@namespace`), followed by a newline and
   * `salt` if given (`saltedValuesChecksum`); `short`: only its first 8 hex digits (a name suffix, `valuesNameHash`).
   */
  | { readonly p: 'checksum'; readonly args: readonly string[]; readonly short?: boolean; readonly salt?: string };

/** A condition over toggles: a literal (`toggle == value`, negated with `neg`), or a conjunction / disjunction. */
export type Cond =
  | { readonly c: 'lit'; readonly t: string; readonly v: string | boolean; readonly neg: boolean }
  | { readonly c: 'and' | 'or'; readonly xs: readonly Cond[] };

export type Node =
  | { readonly n: 'lit'; readonly v: Scalar }
  /** A string made of parts; `label` passes it through the label-value sanitizer (Kubernetes label syntax). */
  | { readonly n: 'str'; readonly parts: readonly Part[]; readonly label?: boolean }
  /** An integer knob, plus a constant (`workers - 1`). */
  | { readonly n: 'int'; readonly ref: Ref; readonly offset?: number }
  /** A typed scalar knob (a boolean as a boolean). */
  | { readonly n: 'val'; readonly ref: Ref }
  /** Seconds of a duration knob (`90s`, `5m`, `1h`) plus a constant. */
  | { readonly n: 'seconds'; readonly knob: string; readonly offset: number }
  | { readonly n: 'map'; readonly entries: readonly Entry[] }
  | { readonly n: 'seq'; readonly items: readonly Item[] }
  /** A whole map knob. */
  | { readonly n: 'wholeMap'; readonly knob: string }
  /** Fixed entries, then every entry of a map knob on top (the knob wins). */
  | { readonly n: 'mergedMap'; readonly knob: string; readonly entries: readonly Entry[] }
  /** The first case whose condition holds; the last case has none. */
  | { readonly n: 'switch'; readonly cases: readonly Case[] }
  /** A string made of pieces (lines, list entries) joined by `sep`; each piece may have its own condition. */
  | { readonly n: 'join'; readonly sep: string; readonly items: readonly Item[] };

export interface Entry {
  readonly key: string;
  readonly when?: Cond;
  readonly node: Node;
}
export interface Item {
  readonly when?: Cond;
  /** One item per element of this list knob, `node` rendered with the element as `{ elem: true }`. */
  readonly range?: string;
  readonly node: Node;
}
export interface Case {
  readonly when?: Cond;
  readonly node: Node;
}

/**
 * What a toggle is: a boolean knob, an enum knob whose value changes shapes, the emptiness of a string or list, or
 * an integer knob above a threshold (a PDB only for more than one pod, say).
 */
export interface Toggle {
  readonly id: string;
  readonly knob: string;
  readonly type: 'bool' | 'enum' | 'empty' | 'above';
  /** Every value the toggle takes; for `empty`, `true` means "holds something"; for `above`, "exceeds `threshold`". */
  readonly domain: readonly (string | boolean)[];
  readonly threshold?: number;
}

export interface EvalContext {
  readonly values: any;
  readonly toggles: ReadonlyMap<string, Toggle>;
  readonly elem?: unknown;
}

/** Dotted paths split once: templates are evaluated for every render the analysis checks. */
const splitPaths = new Map<string, readonly string[]>();

function valueAt(values: any, dotted: string): any {
  let path = splitPaths.get(dotted);
  if (!path) splitPaths.set(dotted, (path = dotted.split('.')));
  return getPath(values, path);
}

export function refValue(ref: Ref, ctx: EvalContext): any {
  if ('elem' in ref) return ctx.elem;
  return valueAt(ctx.values, ref.knob);
}

export function toggleValue(t: Toggle, values: any): string | boolean {
  const v = valueAt(values, t.knob);
  if (t.type === 'empty') return !isEmptyValue(v);
  if (t.type === 'above') return Number(v) > t.threshold!;
  if (t.type === 'bool') return v === true;
  return String(v);
}

/**
 * Toggle values and digests of each values object, worked out once (values do not change while templates are
 * evaluated against them; a list item's context shares its parent's values).
 */
const toggleValues = new WeakMap<object, Map<string, string | boolean>>();
const digests = new WeakMap<object, Map<string, string>>();

function toggleOf(id: string, ctx: EvalContext): string | boolean {
  let known = toggleValues.get(ctx.values);
  if (!known) toggleValues.set(ctx.values, (known = new Map()));
  let v = known.get(id);
  if (v === undefined) {
    const t = ctx.toggles.get(id);
    if (!t) throw new Error(`unknown toggle ${id}`);
    known.set(id, (v = toggleValue(t, ctx.values)));
  }
  return v;
}

export function holds(cond: Cond | undefined, ctx: EvalContext): boolean {
  if (!cond) return true;
  if (cond.c === 'lit') {
    return (toggleOf(cond.t, ctx) === cond.v) !== cond.neg;
  }
  return cond.c === 'and' ? cond.xs.every((x) => holds(x, ctx)) : cond.xs.some((x) => holds(x, ctx));
}

function argValue(arg: string, values: any): unknown {
  if (arg === '@release') return valueAt(values, RELEASE_NAME);
  if (arg === '@namespace') return valueAt(values, RELEASE_NAMESPACE);
  if (arg.endsWith(WITHOUT_POD_OVERRIDES)) return withoutPodOverrides(valueAt(values, arg.slice(0, -WITHOUT_POD_OVERRIDES.length)) ?? {});
  if (arg.endsWith(WITH_SET_POD_OVERRIDES_ONLY)) return jobInputValue(values, arg);
  return valueAt(values, arg);
}

export function partText(part: Part, ctx: EvalContext): string {
  switch (part.p) {
    case 'lit':
      return part.s;
    case 'str':
    case 'bool':
      return String(refValue(part.ref, ctx));
    case 'int':
      return String(Math.trunc(Number(refValue(part.ref, ctx))));
    case 'listJson':
      return JSON.stringify(valueAt(ctx.values, part.knob));
    case 'image':
      return imageRef(ctx.values.images[part.image], ctx.values.global?.imageRegistry);
    case 'imageHash': {
      const ref = imageRef(ctx.values.images[part.image], ctx.values.global?.imageRegistry);
      return nameHash(part.salt === undefined ? ref : `${ref}\n${part.salt}`);
    }
    case 'checksum': {
      let known = digests.get(ctx.values);
      if (!known) digests.set(ctx.values, (known = new Map()));
      const key = JSON.stringify([part.short === true, part.salt ?? null, part.args]);
      let digest = known.get(key);
      if (digest === undefined) {
        const values = part.args.map((a) => argValue(a, ctx.values));
        const full = saltedValuesChecksum(values, part.salt);
        known.set(key, (digest = part.short ? full.slice(0, 8) : full));
      }
      return digest;
    }
  }
}

/** `90s` / `5m` / `1h` in seconds, exactly as the chart's `mcp-stack.seconds` helper computes it. */
export function durationSeconds(s: string): number {
  const m = /^([0-9]+)/.exec(s);
  const n = m ? Number(m[1]) : 0;
  return s.endsWith('h') ? n * 3600 : s.endsWith('m') ? n * 60 : n;
}

/** What the template renders for these values. `undefined` means "absent". */
export function evaluate(node: Node, ctx: EvalContext): Json {
  switch (node.n) {
    case 'lit':
      return node.v;
    case 'str': {
      let s = '';
      for (const p of node.parts) s += partText(p, ctx);
      return node.label ? labelValue(s) : s;
    }
    case 'int':
      return Math.trunc(Number(refValue(node.ref, ctx))) + (node.offset ?? 0);
    case 'val':
      return refValue(node.ref, ctx) as Json;
    case 'seconds':
      return durationSeconds(String(valueAt(ctx.values, node.knob))) + node.offset;
    case 'wholeMap':
      return cloneJson(valueAt(ctx.values, node.knob) ?? {}) as Json;
    case 'map':
    case 'mergedMap': {
      const out: Record<string, Json> = {};
      for (const e of node.entries) if (holds(e.when, ctx)) out[e.key] = evaluate(e.node, ctx);
      if (node.n === 'mergedMap') Object.assign(out, cloneJson(valueAt(ctx.values, node.knob) ?? {}));
      return out;
    }
    case 'seq': {
      const out: Json[] = [];
      for (const item of node.items) {
        if (!holds(item.when, ctx)) continue;
        if (item.range === undefined) out.push(evaluate(item.node, ctx));
        else for (const elem of (valueAt(ctx.values, item.range) ?? []) as unknown[]) out.push(evaluate(item.node, { ...ctx, elem }));
      }
      return out;
    }
    case 'switch': {
      for (const c of node.cases) if (holds(c.when, ctx)) return evaluate(c.node, ctx);
      throw new Error('switch without a default case');
    }
    case 'join':
      return node.items.filter((i) => holds(i.when, ctx)).map((i) => String(evaluate(i.node, ctx))).join(node.sep);
  }
}

/**
 * A text for a node, to compare and deduplicate templates. Entries keep their order: the same code path renders
 * the same order, and two orders of equal entries would only cost a needless (still correct) merge.
 */
export function canonical(node: unknown): string {
  return JSON.stringify(node);
}

/** Deep equality of JSON values, object keys in any order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => sameJson(x, bb[i]));
  }
  const ka = Object.keys(a);
  const bo = b as Record<string, unknown>;
  if (ka.length !== Object.keys(bo).length) return false;
  return ka.every((k) => k in bo && sameJson((a as Record<string, unknown>)[k], bo[k]));
}

/** Normalizes JSON for comparison: object keys sorted at every level. */
export function normalizeJson(v: unknown): string {
  return JSON.stringify(sortJson(v));
}

export function sortJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortJson);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sortJson(o[k])]));
  }
  return v;
}
