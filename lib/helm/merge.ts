/**
 * Merges the templates of one object rendered under different toggle settings into one template: map keys and list
 * items that only some settings produce get a condition, scalars that differ become a switch (or, when one
 * expression reproduces every setting, that expression). Field by field, so an object that depends on six toggles
 * stays one readable template instead of 64 copies.
 */
import type { SampleSpace } from './conditions';
import { canonical, evaluate, sameJson, type Case, type Cond, type Entry, type EvalContext, type Item, type Node, type Part } from './ir';

export interface Group {
  readonly node: Node;
  /** Samples (renders) that produced this node, ascending. */
  readonly ss: readonly number[];
}

export class Merger {
  /** The renders each learned presence condition was learned from. */
  private readonly evidence = new Map<Cond, { pos: number[]; neg: number[] }>();

  constructor(
    private readonly space: SampleSpace,
    private readonly contextOf: (sample: number) => EvalContext,
  ) {}

  /**
   * `absent`: renders where this node's parent exists but this node does not. Its members are absent there too,
   * which tells their conditions apart from the node's own (a NetworkPolicy's `ingress` list exists when any of its
   * rules does; each rule's condition must still hold when the list exists for another rule).
   */
  merge(input: readonly Group[], absent: readonly number[] = []): Node {
    const groups = dedupe(input);
    const first = groups[0].node;
    if (groups.length === 1 && !absent.length) return first;
    if (groups.every((g) => g.node.n === first.n)) {
      if (first.n === 'map') return { n: 'map', entries: this.entries(groups, absent) };
      if (first.n === 'mergedMap' && groups.every((g) => g.node.n === 'mergedMap' && g.node.knob === first.knob)) {
        return { n: 'mergedMap', knob: first.knob, entries: this.entries(groups, absent) };
      }
      if (first.n === 'seq') {
        const items = this.items(groups, true, absent);
        if (items) return { n: 'seq', items };
      }
    }
    return groups.length === 1 ? first : this.switch(groups);
  }

  private entries(groups: readonly Group[], absent: readonly number[]): Entry[] {
    const entriesOf = (g: Group) => (g.node as { entries: readonly Entry[] }).entries;
    const order: string[] = [];
    for (const g of groups) {
      let prev = -1;
      for (const e of entriesOf(g)) {
        let at = order.indexOf(e.key);
        if (at < 0) order.splice((at = prev + 1), 0, e.key);
        prev = at;
      }
    }
    return order.map((key) => {
      const having = groups.filter((g) => entriesOf(g).some((e) => e.key === key));
      const when = this.when(having, groups, absent);
      const missing = groups.filter((g) => !having.includes(g)).flatMap((g) => g.ss);
      const node = this.merge(
        having.map((g) => ({ node: entriesOf(g).find((e) => e.key === key)!.node, ss: g.ss })),
        missing,
      );
      return when ? { key, when, node } : { key, node };
    });
  }

  /**
   * Items of lists: position by position when every render has the same slots (or, for lists, the same length),
   * else aligned by identity. Pieces of strings align by identity only: a piece is a line, not a slot.
   */
  private items(groups: readonly Group[], bySlot = true, absent: readonly number[] = []): Item[] | undefined {
    const itemsOf = (g: Group) => (g.node as { items: readonly Item[] }).items;
    const ids = groups.map((g) => identities(itemsOf(g)));
    const sameLength = ids.every((x) => x.length === ids[0].length);
    const positional =
      sameLength &&
      (bySlot || ids.every((x) => x.join('\u0000') === ids[0].join('\u0000'))) &&
      ids[0].every((_, i) => {
        const slot = groups.map((g) => itemsOf(g)[i]);
        if (ids.every((x) => x[i] === ids[0][i])) return true;
        return slot.every((it) => it.range === undefined && !isNamed(it.node));
      });
    const sameIds = ids.every((x) => x.join('\u0000') === ids[0].join('\u0000'));
    if (positional && (!absent.length || sameIds)) {
      return ids[0].map((_, i) => {
        const range = itemsOf(groups[0])[i].range;
        const node = this.merge(groups.map((g) => ({ node: itemsOf(g)[i].node, ss: g.ss })));
        return range === undefined ? { node } : { range, node };
      });
    }
    // Lists that are sorted in every render (joined reasons, say) stay sorted with any mix of their items.
    const keyOf = new Map<string, string>();
    groups.forEach((g, gi) => itemsOf(g).forEach((it, i) => keyOf.set(ids[gi][i], sortKey(it))));
    const sorted = ids.every((list) => list.every((id, i) => i === 0 || keyOf.get(list[i - 1])! <= keyOf.get(id)!));
    const order = sorted ? [...new Set(ids.flat())].sort((a, b) => (keyOf.get(a)! < keyOf.get(b)! ? -1 : keyOf.get(a)! > keyOf.get(b)! ? 1 : 0)) : topoMerge(ids);
    if (!order) return undefined;
    return order.map((id) => {
      const having = groups.filter((_, gi) => ids[gi].includes(id));
      const pick = (g: Group) => itemsOf(g)[ids[groups.indexOf(g)].indexOf(id)];
      const when = this.when(having, groups, absent);
      const range = pick(having[0]).range;
      const node = this.merge(having.map((g) => ({ node: pick(g).node, ss: g.ss })));
      return { ...(when ? { when } : {}), ...(range === undefined ? {} : { range }), node };
    });
  }

  private when(having: readonly Group[], all: readonly Group[], absent: readonly number[] = []) {
    const pos = having.flatMap((g) => g.ss);
    const neg = [...all.filter((g) => !having.includes(g)).flatMap((g) => g.ss), ...absent];
    const cond = this.space.learn(pos, neg);
    if (cond) this.evidence.set(cond, { pos, neg });
    return cond;
  }

  /**
   * A field that exists only when some list is non-empty (`ingress:` of a NetworkPolicy, or `Ingress` in its
   * `policyTypes`) gets "any item of that list" as its condition whenever that fits the renders too: it holds
   * for any mix of the items' own conditions, where a condition learned from a few renders may not.
   */
  refine(node: Node): Node {
    const anyItem: Cond[] = [];
    const collect = (n: Node) => {
      if (n.n === 'seq' || n.n === 'join') {
        const conds = n.items.map((it) => this.presence(it));
        if (conds.length && conds.every((c) => c)) anyItem.push(conds.length === 1 ? conds[0]! : { c: 'or', xs: conds as Cond[] });
        n.items.forEach((it) => collect(it.node));
      } else if (n.n === 'map' || n.n === 'mergedMap') n.entries.forEach((e) => collect(e.node));
      else if (n.n === 'switch') n.cases.forEach((c) => collect(c.node));
    };
    collect(node);
    if (!anyItem.length) return node;
    const better = (when: Cond | undefined): Cond | undefined => {
      const ev = when && when.c !== 'lit' ? this.evidence.get(when) : undefined;
      if (!ev) return when;
      return anyItem.find((c) => c !== when && ev.pos.every((s) => this.space.holds(c, s)) && !ev.neg.some((s) => this.space.holds(c, s))) ?? when;
    };
    const rewrite = (n: Node): Node => {
      switch (n.n) {
        case 'map':
        case 'mergedMap':
          return { ...n, entries: n.entries.map((e) => ({ ...e, ...(e.when ? { when: better(e.when) } : {}), node: rewrite(e.node) })) };
        case 'seq':
        case 'join':
          return { ...n, items: n.items.map((it) => ({ ...it, ...(it.when ? { when: better(it.when) } : {}), node: rewrite(it.node) })) };
        case 'switch':
          return { ...n, cases: n.cases.map((c) => ({ ...c, node: rewrite(c.node) })) };
        default:
          return n;
      }
    };
    return rewrite(node);
  }

  /** The condition under which a list item is present (a range item: its list is not empty). */
  private presence(it: Item): Cond | undefined {
    if (it.range === undefined) return it.when;
    const t = this.space.toggles.find((x) => x.type === 'empty' && x.knob === it.range);
    if (!t) return undefined;
    const set: Cond = { c: 'lit', t: t.id, v: true, neg: false };
    return it.when ? { c: 'and', xs: [it.when, set] } : set;
  }

  /** Different scalars (or shapes): one expression if some reproduces all, else cases by condition. */
  private switch(groups: readonly Group[]): Node {
    const candidates = [...groups.map((g) => g.node), ...this.toggleExpressions(groups)];
    const reproduces = (c: Node) => groups.every((g) => g.ss.every((s) => this.same(c, g.node, s)));
    const found = candidates.find(reproduces);
    if (found) return found;
    for (const sep of PIECE_SEPARATORS) {
      const joined = this.joinPieces(groups, sep);
      if (joined && reproduces(joined)) return joined;
    }
    const ordered = [...groups].sort((a, b) => a.ss.length - b.ss.length || a.ss[0] - b.ss[0]);
    const cases: Case[] = ordered.map((g, i) => {
      if (i === ordered.length - 1) return { node: g.node };
      const rest = ordered.slice(i + 1).flatMap((x) => x.ss);
      return { when: this.space.learn(g.ss, rest), node: g.node };
    });
    // `if X … else …` reads better than `if not X … else …`.
    const first = cases[0].when;
    if (cases.length === 2 && first?.c === 'lit' && first.neg) {
      return { n: 'switch', cases: [{ when: { ...first, neg: false }, node: cases[1].node }, { node: cases[0].node }] };
    }
    return { n: 'switch', cases };
  }

  /** Strings that differ by whole lines (or list entries): one join whose pieces carry their own conditions. */
  private joinPieces(groups: readonly Group[], sep: string): Node | undefined {
    const split = groups.map((g) => pieces(g.node, sep));
    if (split.some((p) => !p) || split.every((p) => p!.length < 2)) return undefined;
    const items = this.items(
      groups.map((g, i) => ({ node: { n: 'seq', items: split[i]!.map((node) => ({ node })) }, ss: g.ss })),
      false,
    );
    return items && { n: 'join', sep, items };
  }

  /** The value of a toggle itself (`"true"`, or an enum's name) is often what differs. */
  private toggleExpressions(groups: readonly Group[]): Node[] {
    const relevant = new Set<number>();
    for (const g of groups) {
      const others = groups.filter((x) => x !== g).flatMap((x) => x.ss);
      for (const t of this.space.relevant(g.ss, others)) relevant.add(t);
    }
    return [...relevant].flatMap((t): Node[] => {
      const tg = this.space.toggles[t];
      const ref = { knob: tg.knob };
      if (tg.type === 'bool') return [{ n: 'str', parts: [{ p: 'bool', ref }] }, { n: 'val', ref }];
      if (tg.type === 'enum') return [{ n: 'str', parts: [{ p: 'str', ref }] }];
      return [];
    });
  }

  private same(a: Node, b: Node, sample: number): boolean {
    const ctx = this.contextOf(sample);
    try {
      return sameJson(evaluate(a, ctx), evaluate(b, ctx));
    } catch {
      return false;
    }
  }
}

/** Separators strings are split at, in order of preference: lines, then `; `-separated lists. */
const PIECE_SEPARATORS = ['\n', '; '];

/** A string node cut at `sep` in its constant text, or undefined if it is not a plain string. */
export function pieces(node: Node, sep: string): Node[] | undefined {
  if (node.n === 'lit' && typeof node.v === 'string') return node.v.split(sep).map((v) => ({ n: 'lit', v }));
  if (node.n !== 'str' || node.label) return undefined;
  const out: Part[][] = [[]];
  for (const part of node.parts) {
    if (part.p !== 'lit') {
      out[out.length - 1].push(part);
      continue;
    }
    part.s.split(sep).forEach((text, i) => {
      if (i > 0) out.push([]);
      if (text) out[out.length - 1].push({ p: 'lit', s: text });
    });
  }
  return out.map((parts): Node => {
    if (parts.every((p) => p.p === 'lit')) return { n: 'lit', v: parts.map((p) => (p as { s: string }).s).join('') };
    return { n: 'str', parts };
  });
}

function dedupe(groups: readonly Group[]): Group[] {
  const byKey = new Map<string, { node: Node; ss: number[] }>();
  for (const g of groups) {
    const key = canonical(g.node);
    const known = byKey.get(key);
    if (known) known.ss.push(...g.ss);
    else byKey.set(key, { node: g.node, ss: [...g.ss] });
  }
  const out = [...byKey.values()];
  for (const g of out) g.ss.sort((a, b) => a - b);
  return out.sort((a, b) => a.ss[0] - b.ss[0]);
}

/** The text a list item sorts by: a constant's own text, else its template. */
function sortKey(it: Item): string {
  return it.node.n === 'lit' ? String(it.node.v) : canonical(it.node);
}

function isNamed(node: Node): boolean {
  return itemName(node) !== undefined;
}

/** Fields that name a list item (a volume, a claim template, a TLS entry, a mount), tried in order. */
const ITEM_NAMES = ['name', 'metadata.name', 'secretName', 'mountPath', 'path'];

/** An item's identity across renders: its list knob, its name, or its whole content. Repeats are numbered. */
function identities(items: readonly Item[]): string[] {
  const seen = new Map<string, number>();
  return items.map((it) => {
    let id: string;
    const name = it.range === undefined ? itemName(it.node) : undefined;
    if (it.range !== undefined) id = `range:${it.range}`;
    else if (name) id = name;
    else id = canonical(it.node);
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    return n ? `${id}#${n}` : id;
  });
}

function itemName(node: Node): string | undefined {
  for (const field of ITEM_NAMES) {
    let cur: Node | undefined = node;
    for (const key of field.split('.')) cur = cur?.n === 'map' ? cur.entries.find((e) => e.key === key && !e.when)?.node : undefined;
    if (cur && (cur.n === 'lit' || cur.n === 'str')) return `${field}:${canonical(cur)}`;
  }
  return undefined;
}

/** One order consistent with every list's own order, or `undefined` if two lists disagree. */
function topoMerge(lists: readonly string[][]): string[] | undefined {
  const after = new Map<string, Set<string>>();
  const indegree = new Map<string, number>();
  const rank = new Map<string, number>();
  lists.forEach((list, li) =>
    list.forEach((id, i) => {
      if (!rank.has(id)) rank.set(id, li * 100000 + i);
      if (!indegree.has(id)) indegree.set(id, 0);
      if (!after.has(id)) after.set(id, new Set());
      if (i > 0 && !after.get(list[i - 1])!.has(id)) {
        after.get(list[i - 1])!.add(id);
        indegree.set(id, indegree.get(id)! + 1);
      }
    }),
  );
  const out: string[] = [];
  const ready = [...indegree.keys()].filter((id) => indegree.get(id) === 0);
  while (ready.length) {
    ready.sort((a, b) => rank.get(a)! - rank.get(b)!);
    const id = ready.shift()!;
    out.push(id);
    for (const next of after.get(id)!) {
      indegree.set(next, indegree.get(next)! - 1);
      if (indegree.get(next) === 0) ready.push(next);
    }
  }
  return out.length === indegree.size ? out : undefined;
}
