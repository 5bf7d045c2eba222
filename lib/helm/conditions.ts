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
  private masks?: Int32Array[];
  private readonly position: ReadonlyMap<string, number>;

  constructor(readonly toggles: readonly Toggle[]) {
    this.position = new Map(toggles.map((t, i) => [t.id, i]));
  }

  /** Index of the sample with this assignment (added if new). */
  add(assign: Assign): { index: number; added: boolean } {
    const key = JSON.stringify(assign);
    const known = this.index.get(key);
    if (known !== undefined) return { index: known, added: false };
    this.assigns.push(assign);
    this.index.set(key, this.assigns.length - 1);
    this.masks = undefined;
    return { index: this.assigns.length - 1, added: true };
  }

  indexOf(assign: Assign): number | undefined {
    return this.index.get(JSON.stringify(assign));
  }

  /** For each toggle, an id per sample equal for samples that differ in that toggle only. */
  private maskIds(): Int32Array[] {
    if (this.masks) return this.masks;
    this.masks = this.toggles.map((_, t) => {
      const ids = new Map<string, number>();
      return Int32Array.from(this.assigns, (a) => {
        const key = JSON.stringify(a.map((v, i) => (i === t ? null : v)));
        let id = ids.get(key);
        if (id === undefined) ids.set(key, (id = ids.size));
        return id;
      });
    });
    return this.masks;
  }

  /** Toggles that change the outcome between two samples differing in that toggle alone. */
  relevant(pos: readonly number[], neg: readonly number[]): number[] {
    const masks = this.maskIds();
    return this.toggles.flatMap((_, t) => {
      const seen = new Set(pos.map((s) => masks[t][s]));
      return neg.some((s) => seen.has(masks[t][s])) ? [t] : [];
    });
  }

  /** A condition true on every `pos` sample and false on every `neg` one; `undefined` when `neg` is empty. */
  learn(pos: readonly number[], neg: readonly number[]): Cond | undefined {
    if (!neg.length) return undefined;
    if (!pos.length) throw new Error('cannot learn a condition that never holds');
    const primary = this.relevant(pos, neg);
    const varying = this.toggles.flatMap((_, t) => (new Set([...pos, ...neg].map((s) => this.assigns[s][t])).size > 1 ? [t] : []));
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

function lit(t: string, v: string | boolean, neg: boolean): Cond {
  return { c: 'lit', t, v, neg };
}

export function and(...xs: Cond[]): Cond {
  return { c: 'and', xs };
}

export function or(...xs: Cond[]): Cond {
  return { c: 'or', xs };
}
