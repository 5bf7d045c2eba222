/**
 * Conditions over toggles, learned from renders: given the renders where something is present and those where it
 * is not, find the simplest condition (a literal, then two, then three) that tells them apart. Only toggles that
 * flip the outcome between two renders differing in that toggle alone are tried first, so conditions name causes.
 */
import type { Cond, Toggle } from './ir';

type Assign = readonly (string | boolean)[];

export class SampleSpace {
  readonly assigns: Assign[] = [];
  private readonly index = new Map<string, number>();
  /**
   * For each toggle, an id per sample, equal for samples that differ in that toggle only. Kept up to date as samples
   * are added (ids never change once given), so asking which toggles matter costs no rebuild.
   */
  private readonly masks: number[][];
  private readonly maskKeys: Map<string, number>[];
  /** One character per distinct toggle value, to spell an assignment as a short string. */
  private readonly valueCodes = new Map<string | boolean, string>();
  /** Scratch marks for `relevant`, stamped rather than cleared. */
  private marks = new Int32Array(0);
  private stamp = 0;
  private readonly position: ReadonlyMap<string, number>;
  /** Conditions learned so far, by the renders they were learned from. */
  private readonly learned = new Map<string, Cond>();

  constructor(readonly toggles: readonly Toggle[]) {
    this.position = new Map(toggles.map((t, i) => [t.id, i]));
    this.masks = toggles.map(() => []);
    this.maskKeys = toggles.map(() => new Map());
  }

  /** Index of the sample with this assignment (added if new). */
  add(assign: Assign): { index: number; added: boolean } {
    const key = JSON.stringify(assign);
    const known = this.index.get(key);
    if (known !== undefined) return { index: known, added: false };
    this.assigns.push(assign);
    this.index.set(key, this.assigns.length - 1);
    const spelled = assign.map((v) => this.code(v)).join('');
    this.toggles.forEach((_, t) => {
      // The assignment with toggle t blanked: equal for samples that differ in t alone.
      const masked = `${spelled.slice(0, t)}\u0000${spelled.slice(t + 1)}`;
      let id = this.maskKeys[t].get(masked);
      if (id === undefined) this.maskKeys[t].set(masked, (id = this.maskKeys[t].size));
      this.masks[t].push(id);
    });
    return { index: this.assigns.length - 1, added: true };
  }

  private code(v: string | boolean): string {
    let c = this.valueCodes.get(v);
    if (c === undefined) this.valueCodes.set(v, (c = String.fromCharCode(0x100 + this.valueCodes.size)));
    return c;
  }

  indexOf(assign: Assign): number | undefined {
    return this.index.get(JSON.stringify(assign));
  }

  /** Toggles that change the outcome between two samples differing in that toggle alone. */
  relevant(pos: readonly number[], neg: readonly number[]): number[] {
    if (this.marks.length < this.assigns.length) this.marks = new Int32Array(this.assigns.length * 2);
    const out: number[] = [];
    this.toggles.forEach((_, t) => {
      const ids = this.masks[t];
      const stamp = ++this.stamp;
      for (const s of pos) this.marks[ids[s]] = stamp;
      if (neg.some((s) => this.marks[ids[s]] === stamp)) out.push(t);
    });
    return out;
  }

  /**
   * Toggles that change the outcome between two samples differing in that toggle alone, for outcomes with any
   * number of values: `outcome[i]` is the outcome (a small integer) of `samples[i]`. Same as the union of
   * `relevant(samples with outcome v, the others)` over every outcome v, in one pass per toggle.
   */
  varying(samples: readonly number[], outcome: readonly number[]): number[] {
    if (this.marks.length < this.assigns.length) this.marks = new Int32Array(this.assigns.length * 2);
    const first = new Int32Array(this.marks.length);
    const out: number[] = [];
    this.toggles.forEach((_, t) => {
      const ids = this.masks[t];
      const stamp = ++this.stamp;
      for (let i = 0; i < samples.length; i++) {
        const id = ids[samples[i]];
        if (this.marks[id] !== stamp) {
          this.marks[id] = stamp;
          first[id] = outcome[i];
        } else if (first[id] !== outcome[i]) {
          out.push(t);
          break;
        }
      }
    });
    return out;
  }

  /** A condition true on every `pos` sample and false on every `neg` one; `undefined` when `neg` is empty. */
  learn(pos: readonly number[], neg: readonly number[]): Cond | undefined {
    if (!neg.length) return undefined;
    if (!pos.length) throw new Error('cannot learn a condition that never holds');
    // The merge asks again for the same renders (every field of an object that shares its parent's presence):
    // the answer is the same, as a fresh copy, since callers tell conditions apart by identity.
    const key = `${pos.join(',')}|${neg.join(',')}`;
    let learned = this.learned.get(key);
    if (!learned) this.learned.set(key, (learned = this.learnNew(pos, neg)));
    return cloneCond(learned);
  }

  private learnNew(pos: readonly number[], neg: readonly number[]): Cond {
    const primary = this.relevant(pos, neg);
    const all = [...pos, ...neg];
    const varying = this.toggles.flatMap((_, t) => {
      const first = this.assigns[all[0]][t];
      return all.some((s) => this.assigns[s][t] !== first) ? [t] : [];
    });
    return (
      this.search(this.literals(primary), pos, neg, 3) ??
      this.search(this.literals(varying), pos, neg, 2) ??
      this.dnf(varying, pos, neg)
    );
  }

  /** Positive literals first (`eq`, `.Values.x`), so conditions read as what they test for. */
  private literals(toggles: readonly number[]): Cond[] {
    const of = (neg: boolean) =>
      toggles.flatMap((t) => {
        const tg = this.toggles[t];
        return tg.type === 'enum' ? tg.domain.map((v) => lit(tg.id, v, neg)) : [lit(tg.id, true, neg)];
      });
    return [...of(false), ...of(true)];
  }

  holds(cond: Cond, sample: number): boolean {
    if (cond.c === 'lit') {
      const t = this.position.get(cond.t)!;
      return (this.assigns[sample][t] === cond.v) !== cond.neg;
    }
    return cond.c === 'and' ? cond.xs.every((x) => this.holds(x, sample)) : cond.xs.some((x) => this.holds(x, sample));
  }

  private fits(cond: Cond, pos: readonly number[], neg: readonly number[]): boolean {
    return pos.every((s) => this.holds(cond, s)) && !neg.some((s) => this.holds(cond, s));
  }

  private search(lits: Cond[], pos: readonly number[], neg: readonly number[], maxSize: number): Cond | undefined {
    const tryAll = (conds: Cond[]) => conds.find((c) => this.fits(c, pos, neg));
    let found = tryAll(lits);
    if (found || maxSize < 2) return found;
    const pairs: Cond[] = [];
    for (let i = 0; i < lits.length; i++) for (let j = i + 1; j < lits.length; j++) pairs.push(and(lits[i], lits[j]), or(lits[i], lits[j]));
    found = tryAll(pairs);
    if (found || maxSize < 3 || lits.length > 16) return found;
    const triples: Cond[] = [];
    for (let i = 0; i < lits.length; i++)
      for (let j = i + 1; j < lits.length; j++)
        for (let k = 0; k < lits.length; k++) {
          if (k === i || k === j) continue;
          if (k > j) triples.push(and(lits[i], lits[j], lits[k]), or(lits[i], lits[j], lits[k]));
          triples.push(or(and(lits[i], lits[j]), lits[k]), and(or(lits[i], lits[j]), lits[k]));
        }
    return tryAll(triples);
  }

  /** Exact on the samples: one conjunction per distinct positive assignment of the varying toggles. */
  private dnf(toggles: readonly number[], pos: readonly number[], neg: readonly number[]): Cond {
    const terms = new Map<string, Cond>();
    for (const s of pos) {
      const lits = toggles.map((t) => lit(this.toggles[t].id, this.assigns[s][t], false));
      terms.set(JSON.stringify(lits), lits.length === 1 ? lits[0] : { c: 'and', xs: lits });
    }
    const cond: Cond = terms.size === 1 ? [...terms.values()][0] : { c: 'or', xs: [...terms.values()] };
    if (!this.fits(cond, pos, neg)) throw new Error('renders that differ in no toggle gave different output');
    return cond;
  }
}

function cloneCond(c: Cond): Cond {
  return c.c === 'lit' ? { ...c } : { c: c.c, xs: c.xs.map(cloneCond) };
}

function lit(t: string, v: string | boolean, neg: boolean): Cond {
  return { c: 'lit', t, v, neg };
}

export function and(...xs: Cond[]): Cond {
  return { c: 'and', xs };
}

export function or(...xs: Cond[]): Cond {
  return { c: 'or', xs };
}
