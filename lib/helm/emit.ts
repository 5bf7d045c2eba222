/**
 * Templates → Helm template text (YAML with Go template actions). Constant parts are written exactly as the plain
 * output writes them (js-yaml, with any `{{` escaped so Helm prints it instead of evaluating it); conditional map
 * keys and list items get their own `if` lines; multi-line strings whose values cannot hold a line break become
 * YAML literal blocks, line by line.
 */
import { dump } from 'js-yaml';
import type { ChartObject } from './analyze';
import {
  alwaysHolds,
  cond,
  escapeBraces,
  goString,
  inline,
  isScalarLike,
  listSet,
  rawExpr,
  valueExpr,
  valueRef,
  within,
  type Ctx,
} from './go-expr';
import { evaluate, type Cond, type Entry, type Item, type Node, type Toggle } from './ir';
import type { Json } from './knobs';
import { pieces } from './merge';

const DUMP = { lineWidth: -1, noRefs: true } as const;

export function emitObjects(objects: readonly ChartObject[], toggles: readonly Toggle[], lineSafe: (knob: string) => boolean = () => false): string {
  const ctx: Ctx = { toggles: new Map(toggles.map((t) => [t.id, t])), inRange: false, counter: { n: 0 }, known: new Set(), givens: [], lineSafe };
  const out: string[] = [];
  for (const o of objects) {
    if (o.node.n !== 'map') throw new Error(`${o.key}: an object must be a mapping`);
    const inner = o.when ? within(o.when, ctx) : ctx;
    const body = ['---', ...mapLines(o.node.entries, 0, inner)];
    out.push(...(o.when ? wrap(o.when, body, 0, ctx) : body));
  }
  return `${elseBranches(out).join('\n')}\n`;
}

/** `if C … end` followed by `if not C … end` at the same place becomes `if C … else … end`. */
function elseBranches(lines: readonly string[]): string[] {
  const out: string[] = [];
  // The condition of each open `if` (undefined for a `range`, or once an `else` was seen).
  const open: (string | undefined)[] = [];
  // The condition of the block the previous line closed, if it was a plain `if … end`.
  let justClosed: { cond: string; indent: string } | undefined;
  const directive = /^(\s*)\{\{- (if|range|else|end)\b ?(.*?) ?\}\}$/;
  for (const line of lines) {
    const m = directive.exec(line);
    const closed = justClosed;
    justClosed = undefined;
    if (m?.[2] === 'if' && closed && closed.indent === m[1] && negates(closed.cond, m[3])) {
      out[out.length - 1] = `${m[1]}{{- else }}`;
      open.push(undefined);
      continue;
    }
    if (m?.[2] === 'if') open.push(m[3]);
    else if (m?.[2] === 'range') open.push(undefined);
    else if (m?.[2] === 'else') open[open.length - 1] = undefined;
    else if (m?.[2] === 'end') {
      const cond = open.pop();
      if (cond !== undefined) justClosed = { cond, indent: m[1] };
    }
    out.push(line);
  }
  return out;
}

/** Whether one condition's text is the other's negation. */
function negates(a: string, b: string): boolean {
  const flip: Record<string, string> = { eq: 'ne', ne: 'eq', gt: 'le', le: 'gt' };
  const op = /^(eq|ne|gt|le) /.exec(a)?.[1];
  const negated = a.startsWith('not ') ? a.slice(4) : op ? `${flip[op]}${a.slice(2)}` : `not ${a}`;
  return negated === b;
}

function wrap(when: Cond, lines: string[], indent: number, ctx: Ctx): string[] {
  const pad = ' '.repeat(indent);
  const test = cond(when, ctx);
  if (ctx.known.has(test)) return lines;
  return [`${pad}{{- if ${test} }}`, ...lines, `${pad}{{- end }}`];
}

/** A node with no reference and no condition: written as the plain output writes it. */
function constant(node: Node): Json | undefined {
  return isConstant(node) ? evaluate(node, { values: {}, toggles: new Map() }) : undefined;
}

function isConstant(node: Node): boolean {
  if (node.n === 'lit') return true;
  if (node.n === 'map') return node.entries.every((e) => !e.when && isConstant(e.node));
  if (node.n === 'seq') return node.items.every((i) => !i.when && i.range === undefined && isConstant(i.node));
  return false;
}

function dumpLines(value: unknown, indent: number): string[] {
  const pad = ' '.repeat(indent);
  return escapeBraces(dump(value, DUMP))
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => (l ? pad + l : l));
}

function key(k: string): string {
  return escapeBraces(dump({ [k]: null }, DUMP).replace(/: null\n$/, ''));
}

function entryLines(e: Entry, indent: number, ctx: Ctx): string[] {
  const pad = ' '.repeat(indent);
  const value = constant(e.node);
  if (value !== undefined) return dumpLines({ [e.key]: value }, indent);
  const node = e.node;
  const block = blockScalar(node, indent, ctx);
  if (block) return [`${pad}${key(e.key)}: ${block[0]}`, ...block.slice(1)];
  if (node.n === 'join') {
    const { lines, expr } = joinList(node, indent, ctx);
    return [...lines, `${pad}${key(e.key)}: {{ ${expr} | toJson }}`];
  }
  if (isScalarLike(node)) return [`${pad}${key(e.key)}: ${inline(node, ctx)}`];
  switch (node.n) {
    case 'map':
      return [`${pad}${key(e.key)}:${emptyGuard(node.entries, '{}', ctx)}`, ...mapLines(node.entries, indent + 2, ctx)];
    case 'seq':
      return [`${pad}${key(e.key)}:${emptyGuard(node.items, '[]', ctx)}`, ...seqLines(node.items, indent + 2, ctx)];
    case 'mergedMap':
      return [`${pad}${key(e.key)}:`, ...mergedMapLines(node, indent + 2, ctx)];
    case 'switch':
      return switchLines(node.cases, indent, ctx, (n) => entryLines({ key: e.key, node: n }, indent, ctx));
    default:
      throw new Error(`cannot write ${node.n}`);
  }
}

/** A map or list whose every member is conditional writes `{}` / `[]` when none holds (not YAML null). */
function emptyGuard(members: readonly { when?: Cond; range?: string }[], empty: string, ctx: Ctx): string {
  if (!members.length) return ` ${empty}`;
  const conds: Cond[] = [];
  for (const m of members) {
    const parts = [...(m.when ? [m.when] : []), ...(m.range !== undefined ? [listSet(m.range, ctx)] : [])];
    if (!parts.length || parts.every((p) => ctx.known.has(cond(p, ctx)))) return '';
    conds.push(parts.length === 1 ? parts[0] : { c: 'and', xs: parts });
  }
  const any: Cond = conds.length === 1 ? conds[0] : { c: 'or', xs: conds };
  if (ctx.known.has(cond(any, ctx)) || alwaysHolds(any, ctx)) return '';
  return `{{ if not ${cond({ c: 'or', xs: conds }, ctx, true)} }} ${empty}{{ end }}`;
}

function switchLines(cases: readonly { when?: Cond; node: Node }[], indent: number, ctx: Ctx, body: (n: Node) => string[]): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  cases.forEach((c, i) => {
    const head = i === 0 ? 'if' : c.when ? 'else if' : 'else';
    out.push(`${pad}{{- ${head}${c.when ? ` ${cond(c.when, ctx)}` : ''} }}`, ...body(c.node));
  });
  out.push(`${pad}{{- end }}`);
  return out;
}

function mapLines(entries: readonly Entry[], indent: number, ctx: Ctx): string[] {
  const out: string[] = [];
  for (let i = 0; i < entries.length; ) {
    const when = entries[i].when;
    if (!when) {
      out.push(...entryLines(entries[i++], indent, ctx));
      continue;
    }
    // Consecutive entries under the same condition share one `if`.
    const group: Entry[] = [];
    while (i < entries.length && entries[i].when && JSON.stringify(entries[i].when) === JSON.stringify(when)) group.push(entries[i++]);
    out.push(...wrap(when, group.flatMap((e) => entryLines(e, indent, within(when, ctx))), indent, ctx));
  }
  return out;
}

function seqLines(items: readonly Item[], indent: number, ctx: Ctx): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  for (const it of items) {
    let lines: string[];
    if (it.range !== undefined) {
      const inner: Ctx = { ...(it.when ? within(it.when, ctx) : ctx), inRange: true };
      lines = [`${pad}{{- range $item := ${valueRef({ knob: it.range }, ctx)} }}`, ...itemLines(it.node, indent, inner), `${pad}{{- end }}`];
    } else lines = itemLines(it.node, indent, it.when ? within(it.when, ctx) : ctx);
    out.push(...(it.when ? wrap(it.when, lines, indent, ctx) : lines));
  }
  return out;
}

function itemLines(node: Node, indent: number, ctx: Ctx): string[] {
  const pad = ' '.repeat(indent);
  const value = constant(node);
  if (value !== undefined) return dumpLines([value], indent);
  const block = blockScalar(node, indent, ctx);
  if (block) return [`${pad}- ${block[0]}`, ...block.slice(1)];
  if (node.n === 'join') {
    const { lines, expr } = joinList(node, indent, ctx);
    return [...lines, `${pad}- {{ ${expr} | toJson }}`];
  }
  if (isScalarLike(node)) return [`${pad}- ${inline(node, ctx)}`];
  if (node.n === 'switch') return switchLines(node.cases, indent, ctx, (n) => itemLines(n, indent, ctx));
  if (node.n === 'map') {
    // The first line of the first unconditional entry goes right after the dash.
    const entries = [...node.entries];
    const first = entries.findIndex((e) => !e.when && !entryLines(e, indent + 2, ctx)[0].trimStart().startsWith('{{-'));
    if (first < 0) return [`${pad}-${emptyGuard(entries, '{}', ctx)}`, ...mapLines(entries, indent + 2, ctx)];
    entries.unshift(...entries.splice(first, 1));
    const lines = mapLines(entries, indent + 2, ctx);
    return [`${pad}- ${lines[0].slice(indent + 2)}`, ...lines.slice(1)];
  }
  if (node.n === 'seq') return [`${pad}-${emptyGuard(node.items, '[]', ctx)}`, ...seqLines(node.items, indent + 2, ctx)];
  throw new Error(`cannot write ${node.n} as a list item`);
}

/** Fixed entries and a map knob on top: built as a dict, written with toYaml. */
function mergedMapLines(node: Extract<Node, { n: 'mergedMap' }>, indent: number, ctx: Ctx): string[] {
  const pad = ' '.repeat(indent);
  const dict = `$map${ctx.counter.n++}`;
  const out = [`${pad}{{- ${dict} := dict }}`];
  const set = (k: string, n: Node): string[] => {
    if (n.n === 'switch') return switchLines(n.cases, indent, ctx, (c) => set(k, c));
    if (n.n === 'join') {
      const { lines, expr } = joinList(n, indent, ctx);
      return [...lines, `${pad}{{- $_ := set ${dict} ${goString(k)} (${expr}) }}`];
    }
    return [`${pad}{{- $_ := set ${dict} ${goString(k)} ${valueExpr(n, ctx)} }}`];
  };
  for (const e of node.entries) {
    const lines = set(e.key, e.node);
    out.push(...(e.when ? wrap(e.when, lines, indent, ctx) : lines));
  }
  out.push(
    `${pad}{{- range $key, $value := ${valueRef({ knob: node.knob }, ctx)} }}`,
    `${pad}{{- $_ := set ${dict} $key $value }}`,
    `${pad}{{- end }}`,
    `${pad}{{- toYaml ${dict} | nindent ${indent} }}`,
  );
  return out;
}

/** Statements that collect the present pieces of a join into a list variable; `expr` joins them. */
function joinList(node: Extract<Node, { n: 'join' }>, indent: number, ctx: Ctx): { lines: string[]; expr: string } {
  const pad = ' '.repeat(indent);
  const list = `$pieces${ctx.counter.n++}`;
  const lines = [`${pad}{{- ${list} := list }}`];
  const add = (n: Node): string[] => {
    if (n.n === 'switch') return switchLines(n.cases, indent, ctx, add);
    return [`${pad}{{- ${list} = append ${list} ${valueExpr(n, ctx)} }}`];
  };
  for (const it of node.items) {
    if (it.range !== undefined) throw new Error('a list knob inside a joined string is not supported');
    lines.push(...(it.when ? wrap(it.when, add(it.node), indent, ctx) : add(it.node)));
  }
  return { lines, expr: `join ${goString(node.sep)} ${list}` };
}

/** Control characters a YAML block scalar cannot carry (a tab can). */
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/**
 * A multi-line string as a YAML literal block (`|` or `|-`), one line per piece, each conditional piece in its own
 * `if`: what a hand-written chart would do, and only when no value put in it can hold a line break. The lines of
 * the block come after the returned first line (`|`, `|-`, possibly with an indentation indicator).
 */
function blockScalar(node: Node, indent: number, ctx: Ctx): string[] | undefined {
  let items: readonly Item[];
  if (node.n === 'join' && node.sep === '\n') items = node.items;
  else if (node.n === 'str' && !node.label && node.parts.some((p) => p.p === 'lit' && p.s.includes('\n'))) {
    items = pieces(node, '\n')!.map((n) => ({ node: n }));
  } else return undefined;
  if (!items.length || !items.every((it) => it.range === undefined && lineSafe(it.node, ctx))) return undefined;
  const last = items[items.length - 1];
  // `|-` drops the final line break: right when the string cannot end with one (no empty piece at its end).
  const lastFixed = items.map((it) => !it.when).lastIndexOf(true);
  if (last.when && (lastFixed < 0 || items.slice(lastFixed).some((it) => isLit(it.node, '')))) return undefined;
  let chomp = '-';
  let body = items;
  if (!last.when && isLit(last.node, '')) {
    body = items.slice(0, -1);
    const before = body[body.length - 1];
    // `|` keeps exactly one final line break: the line before it must be there and not empty.
    if (!before || before.when || isLit(before.node, '')) return undefined;
    chomp = '';
  }
  const pad = ' '.repeat(indent + 2);
  const first = body[0];
  const indicator = first.when || first.node.n !== 'lit' || typeof first.node.v !== 'string' || /^(\s|$)/.test(first.node.v) ? '2' : '';
  const lines = [`|${indicator}${chomp}`];
  for (const it of body) {
    const line = [`${pad}${pieceText(it.node, ctx)}`];
    lines.push(...(it.when ? wrap(it.when, line, indent + 2, ctx) : line));
  }
  return lines;
}

function isLit(node: Node, v: string): boolean {
  return node.n === 'lit' && node.v === v;
}

function lineSafe(node: Node, ctx: Ctx): boolean {
  switch (node.n) {
    case 'lit':
      return typeof node.v === 'string' && !node.v.includes('\n') && !UNPRINTABLE.test(node.v);
    case 'str':
      return !node.label && node.parts.every((p) => (p.p === 'lit' ? !p.s.includes('\n') && !UNPRINTABLE.test(p.s) : p.p !== 'str' || ('knob' in p.ref && ctx.lineSafe(p.ref.knob))));
    case 'switch':
      return node.cases.every((c) => lineSafe(c.node, ctx));
    default:
      return false;
  }
}

/**
 * One line of a block scalar. Blank lines and trailing blanks go inside an action, or the `{{-` of a following
 * directive line would trim them.
 */
function pieceText(node: Node, ctx: Ctx): string {
  switch (node.n) {
    case 'lit': {
      const s = String(node.v);
      if (!s.trim()) return `{{ ${goString(s)} }}`;
      const tail = /\s*$/.exec(s)![0];
      return `${escapeBraces(s.slice(0, s.length - tail.length))}${tail ? `{{ ${goString(tail)} }}` : ''}`;
    }
    case 'str':
      return node.parts
        .map((p, i) => {
          if (p.p !== 'lit') return `{{ ${rawExpr(p, ctx)} }}`;
          const tail = i === node.parts.length - 1 ? /\s*$/.exec(p.s)![0] : '';
          return `${escapeBraces(p.s.slice(0, p.s.length - tail.length))}${tail ? `{{ ${goString(tail)} }}` : ''}`;
        })
        .join('');
    case 'switch':
      return `${node.cases.map((c, i) => `{{ ${i === 0 ? 'if' : c.when ? 'else if' : 'else'}${c.when ? ` ${cond(c.when, ctx)}` : ''} }}${pieceText(c.node, ctx)}`).join('')}{{ end }}`;
    default:
      throw new Error(`cannot write ${node.n} in a block scalar`);
  }
}

