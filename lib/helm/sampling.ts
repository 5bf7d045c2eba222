/**
 * The renders the templates are read from: each context (profile) as it is, each toggle flipped from it, then
 * pairs of toggles that both change some object, until no new pair shows up. A render differing from one already
 * made only in a toggle that render never read is that render, and is not made again.
 */
import type { SampleSpace } from './conditions';
import { toggleValue, type Node, type Toggle } from './ir';
import type { Knob } from './knobs';
import { probedBase, withToggles, type ProbeSet } from './probes';
import { renderTracked, templatizeRender } from './render';
import { Registry, type DigestMemo } from './templatize';

export interface Sample {
  readonly values: any;
  /** Object key → canonical template, or undefined when the constructs refused the values. */
  readonly objects?: Map<string, string>;
  /** Value paths the render read. */
  readonly reads: Set<string>;
}

export interface SamplerSetup {
  readonly knobs: ReadonlyMap<string, Knob>;
  /** Knobs that hold probe tokens. */
  readonly tokenized: readonly Knob[];
  readonly probes: ProbeSet;
  readonly toggles: readonly Toggle[];
  readonly space: SampleSpace;
  readonly memo: DigestMemo;
}

/** Rounds of pair sampling: a pair's renders can make more toggles relevant to an object. */
const PAIR_ROUNDS = 3;

type Assign = (string | boolean)[];

export class Sampler {
  readonly samples: Sample[] = [];
  /** Canonical template → template. */
  readonly nodes = new Map<string, Node>();
  /** Object key → its unit, in order of first appearance. */
  readonly units = new Map<string, { name: string; file: string; order: number }>();
  /** Each context's own toggle values. */
  readonly baseAssign: Assign[];
  private readonly cache = new Map<string, { key: string; node: Node; text: string }>();
  private readonly singles = new Map<number, number[]>();
  /** Each context with its probe tokens set, made once. */
  private readonly probed: unknown[] = [];

  /** `contexts`: values of each context, the first `profiles` of them the profiles themselves. */
  constructor(
    private readonly contexts: readonly unknown[],
    private readonly profiles: number,
    private readonly setup: SamplerSetup,
  ) {
    this.baseAssign = contexts.map((c) => setup.toggles.map((t) => toggleValue(t, c)));
  }

  run(): void {
    const { toggles, space } = this.setup;
    this.contexts.forEach((_, b) => this.sample(b, this.baseAssign[b]));
    this.contexts.forEach((_, b) => {
      const root = space.indexOf(this.baseAssign[b])!;
      const own = [root];
      toggles.forEach((t, ti) =>
        alternatives(t, this.baseAssign[b][ti]).forEach((v) => {
          const assign = withValue(this.baseAssign[b], ti, v);
          this.sample(b, assign, [root]);
          own.push(space.indexOf(assign)!);
        }),
      );
      this.singles.set(b, own);
    });
    const done = new Set<string>();
    for (let round = 0; round < PAIR_ROUNDS; round++) {
      let added = 0;
      for (const [pair, where] of [...this.pairs()].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const [t1, t2] = pair.split(',').map(Number);
        for (const b of [...where].sort()) {
          if (done.has(`${pair}@${b}`)) continue;
          done.add(`${pair}@${b}`);
          for (const v1 of alternatives(toggles[t1], this.baseAssign[b][t1]))
            for (const v2 of alternatives(toggles[t2], this.baseAssign[b][t2])) {
              const parents = [withValue(this.baseAssign[b], t1, v1), withValue(this.baseAssign[b], t2, v2)]
                .map((a) => space.indexOf(a))
                .filter((i): i is number => i !== undefined);
              if (this.sample(b, withValue(withValue(this.baseAssign[b], t1, v1), t2, v2), parents)) added++;
            }
        }
      }
      if (!added) break;
    }
  }

  /** Pairs of toggles that both change some object, with the contexts to flip them from. */
  private pairs(): Map<string, Set<number>> {
    const pairs = new Map<string, Set<number>>();
    const has = (s: number, key: string) => this.samples[s].objects?.has(key) ?? false;
    const valid = this.samples.flatMap((s, i) => (s.objects ? [i] : []));
    for (const key of this.units.keys()) {
      const relevant = this.sensitiveToggles(key, valid);
      if (relevant.length < 2) continue;
      // From every profile that has the object, else from the first context where a single flip creates it.
      const homes = this.contexts.flatMap((_, b) => (b < this.profiles && has(this.singles.get(b)![0], key) ? [b] : []));
      const where = homes.length ? homes : this.contexts.flatMap((_, b) => (this.singles.get(b)!.some((s) => has(s, key)) ? [b] : [])).slice(0, 1);
      for (let i = 0; i < relevant.length; i++)
        for (let j = i + 1; j < relevant.length; j++) {
          const pair = `${relevant[i]},${relevant[j]}`;
          if (!pairs.has(pair)) pairs.set(pair, new Set());
          where.forEach((b) => pairs.get(pair)!.add(b));
        }
    }
    return pairs;
  }

  /** Toggles that change an object (its presence or its template) between two renders differing in them alone. */
  private sensitiveToggles(key: string, valid: readonly number[]): number[] {
    const variants = new Map<string, number>();
    const outcome = valid.map((s) => {
      const v = this.samples[s].objects!.get(key) ?? '-';
      let id = variants.get(v);
      if (id === undefined) variants.set(v, (id = variants.size));
      return id;
    });
    return variants.size < 2 ? [] : this.setup.space.varying(valid, outcome);
  }

  /** Renders (or reuses) the stack for a toggle assignment from a context; false when it was sampled before. */
  private sample(base: number, assign: Assign, parents: number[] = []): boolean {
    const { space, toggles, probes, knobs, tokenized, memo } = this.setup;
    const { index, added } = space.add(assign);
    if (!added) return false;
    this.probed[base] ??= probedBase(this.contexts[base], probes, knobs);
    const values = withToggles(this.probed[base], probes, knobs, toggles, assign);
    const same = parents.find((p) => {
      const diff = toggles.flatMap((_, t) => (space.assigns[p][t] !== assign[t] ? [t] : []));
      return this.samples[p].objects && diff.length === 1 && !this.samples[p].reads.has(toggles[diff[0]].knob);
    });
    if (same !== undefined) {
      this.samples[index] = { values, objects: this.samples[same].objects, reads: this.samples[same].reads };
      return true;
    }
    const { raw, reads } = renderTracked(values);
    let objects: Map<string, string> | undefined;
    if (raw) {
      objects = new Map();
      for (const [key, t] of templatizeRender(raw, () => new Registry(values, tokenized, probes, memo), this.cache)) {
        if (!this.nodes.has(t.text)) this.nodes.set(t.text, t.node);
        objects.set(key, t.text);
        if (!this.units.has(key)) this.units.set(key, { name: t.unit, file: t.file, order: this.units.size });
      }
    }
    this.samples[index] = { values, objects, reads };
    return true;
  }
}

function alternatives(t: Toggle, current: string | boolean): (string | boolean)[] {
  return t.domain.filter((v) => v !== current);
}

function withValue(assign: readonly (string | boolean)[], t: number, v: string | boolean): Assign {
  const out = [...assign];
  out[t] = v;
  return out;
}
