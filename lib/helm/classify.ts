/**
 * Which knobs are plain substitutions and which are toggles. A knob is a substitution when the stack rendered with
 * its probe token, read back as a template, reproduces the real render for every value it can take, on every
 * profile. Booleans are always toggles; an enum that decides what exists (database mode, exposure type) is one; a
 * string or list whose emptiness removes a field (a storage class, the pull secrets) has an emptiness toggle.
 */
import { evaluate, type Toggle } from './ir';
import { cloneJson, getPath, isEmptyValue, setPath, type Knob } from './knobs';
import { emptyValue, type ProbeSet } from './probes';
import { firstDifference, readPaths, renderRaw, templatizeRender, type RawObject } from './render';
import { DigestMemo, Registry } from './templatize';

export interface Classification {
  readonly toggles: Toggle[];
  /** Knobs that take probe tokens. */
  readonly tokenized: Knob[];
  /** Knobs whose changes no render can show (opaque values the stack does not read). */
  readonly opaque: Knob[];
}

/** `contexts`: the profiles (the first `primary`), then profiles with a boolean flipped that shows more objects. */
export function classify(knobs: readonly Knob[], contexts: readonly unknown[], primary: number, probes: ProbeSet, memo: DigestMemo): Classification {
  const renders = new Map<string, ReturnType<typeof renderRaw>>();
  const render = (values: unknown) => {
    const key = JSON.stringify(values);
    if (!renders.has(key)) renders.set(key, renderRaw(values));
    return renders.get(key);
  };
  // A knob a context's render never reads has no effect there: it is not tested there.
  const reads = contexts.map((c) => readPaths(c));
  const readIn = (k: Knob) => contexts.filter((_, i) => reads[i].has(k.id));
  const primaryReading = (k: Knob) => contexts.slice(0, primary).filter((_, i) => reads[i].has(k.id)).length;
  const toggles: Toggle[] = [];
  const tokenized: Knob[] = [];
  const opaque: Knob[] = [];
  for (const k of knobs) {
    if (k.kind === 'bool') {
      toggles.push({ id: k.id, knob: k.id, type: 'bool', domain: [false, true] });
    } else if (k.kind === 'enum') {
      if (substitutes(k, readIn(k), primaryReading(k), probes, k.enumValues!, memo, render)) tokenized.push(k);
      else toggles.push({ id: k.id, knob: k.id, type: 'enum', domain: [...k.enumValues!] });
    } else if (k.kind === 'opaque') {
      checkOpaque(k, contexts);
      opaque.push(k);
    } else {
      tokenized.push(k);
      const canBeEmpty = k.optional || k.allowsEmpty;
      if (canBeEmpty && ['string', 'list', 'objects', 'map'].includes(k.kind) && !substitutes(k, readIn(k), primaryReading(k), probes, [emptyValue(k)], memo, render)) {
        toggles.push({ id: `${k.id}:set`, knob: k.id, type: 'empty', domain: [false, true] });
      }
    }
  }
  toggles.push(...thresholds(knobs.filter((k) => k.kind === 'int'), contexts, reads, probes, memo, render));
  return { toggles, tokenized, opaque };
}

/** How many small values above its minimum an integer knob is tried with when it changes shapes. */
const THRESHOLD_SEARCH = 8;

/**
 * Integer knobs that change what exists at small values (`if (workers > 1)`): a token is large, so the templates
 * read from token renders only show the "large" shape. All integers are tried at their minimum and just above it at
 * once, then halves of the suspects, until the culprits are known; each becomes an `above` toggle at its threshold.
 */
function thresholds(
  ints: readonly Knob[],
  contexts: readonly unknown[],
  reads: readonly Set<string>[],
  probes: ProbeSet,
  memo: DigestMemo,
  renderRaw: (values: unknown) => RawObject[] | undefined,
): Toggle[] {
  const small = (k: Knob, step: number) => (k.minimum ?? 0) + step;
  const mismatch = (set: readonly Knob[], base: unknown, at: (k: Knob) => number): boolean => {
    const probed = cloneJson(base) as any;
    for (const k of set) setPath(probed, k.path, probes.get(k.id));
    const raw = renderRaw(probed);
    if (!raw) return true;
    const templates = templatizeRender(raw, new Registry(probed, set, probes, memo));
    const values = cloneJson(base) as any;
    for (const k of set) setPath(values, k.path, at(k));
    const expected = renderRaw(values);
    if (!expected) return false;
    try {
      const ctx = { values, toggles: new Map() };
      return firstDifference(expected.map((r) => r.obj), [...templates.values()].map((t) => evaluate(t.node, ctx))) !== undefined;
    } catch {
      return true;
    }
  };
  const failing = (set: readonly Knob[], base: unknown): Knob[] => {
    if (!set.length || ![0, 1].some((step) => mismatch(set, base, (k) => small(k, step)))) return [];
    if (set.length === 1) return [...set];
    const half = Math.ceil(set.length / 2);
    return [...failing(set.slice(0, half), base), ...failing(set.slice(half), base)];
  };
  const out: Toggle[] = [];
  const found = new Set<string>();
  for (const [i, base] of contexts.entries()) {
    for (const k of failing(ints.filter((x) => !found.has(x.id) && reads[i].has(x.id)), base)) {
      found.add(k.id);
      let threshold: number | undefined;
      for (let step = 0; step < THRESHOLD_SEARCH; step++) if (mismatch([k], base, () => small(k, step))) threshold = small(k, step);
      if (threshold === undefined) continue;
      for (let step = 1; step <= 3; step++) {
        if (mismatch([k], base, () => threshold! + step)) {
          throw new Error(`'${k.id}' changes the output in a way the chart cannot template (not just above a threshold)`);
        }
      }
      out.push({ id: `${k.id}>${threshold}`, knob: k.id, type: 'above', threshold, domain: [false, true] });
    }
  }
  return out;
}

/**
 * Whether the template read from the token render reproduces the real render for each of `tests`. Tried in the
 * profiles first; the other contexts (a profile with, say, the benchmark on) only for a knob the profiles do not show.
 */
function substitutes(
  k: Knob,
  contexts: readonly unknown[],
  primary: number,
  probes: ProbeSet,
  tests: readonly unknown[],
  memo: DigestMemo,
  renderRaw: (values: unknown) => RawObject[] | undefined,
): boolean {
  let visible = false;
  for (const [i, base] of contexts.entries()) {
    if (i >= primary && visible) break;
    const probed = cloneJson(base) as any;
    setPath(probed, k.path, cloneJson(probes.get(k.id)));
    const raw = renderRaw(probed);
    if (!raw) return false;
    const real = renderRaw(base);
    visible ||= JSON.stringify(raw.map((r) => r.obj)) !== JSON.stringify(real?.map((r) => r.obj));
    const templates = templatizeRender(raw, new Registry(probed, [k], probes, memo));
    // Every value in the first context; after that, the context's own value is enough to catch a knob that
    // decides something only there.
    const own = getPath(base, k.path);
    for (const test of i === 0 ? tests : tests.filter((t) => JSON.stringify(t) === JSON.stringify(own))) {
      const values = cloneJson(base) as any;
      setPath(values, k.path, cloneJson(test));
      const expected = renderRaw(values);
      if (!expected) continue;
      const ctx = { values, toggles: new Map() };
      let actual;
      try {
        actual = [...templates.values()].map((t) => evaluate(t.node, ctx));
      } catch {
        return false;
      }
      if (firstDifference(expected.map((r) => r.obj), actual)) return false;
    }
  }
  return true;
}

/** A value the chart cannot probe must not change the output, or Helm users would turn a knob with no effect. */
function checkOpaque(k: Knob, bases: readonly unknown[]): void {
  for (const base of bases) {
    const current = getPath(base, k.path);
    const altered = cloneJson(base) as any;
    setPath(altered, k.path, isEmptyValue(current) ? undefined : Array.isArray(current) ? [] : {});
    const a = renderRaw(base);
    const b = renderRaw(altered);
    if (a && b && firstDifference(a.map((r) => r.obj), b.map((r) => r.obj))) {
      throw new Error(`'${k.id}' changes the stack but its shape cannot be templated (only scalars, string lists and scalar maps can)`);
    }
  }
}
