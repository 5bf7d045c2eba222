/**
 * Go template expressions for the templates: references to values, printf formats for strings made of parts,
 * conditions, and the one-line text of scalars. Every value goes through `toJson` when it lands in YAML, so any
 * string comes out as one valid, verbatim YAML scalar.
 */
import { POD_OVERRIDE_KEYS } from '../../profiles/pod-overrides-schema';
import { WITH_SET_POD_OVERRIDES_ONLY } from '../constructs/gateway-jobs';
import { WITHOUT_POD_OVERRIDES, type Cond, type Node, type Part, type Ref, type Toggle } from './ir';

export interface Ctx {
  readonly toggles: ReadonlyMap<string, Toggle>;
  /** Inside a `range`: the root is `$`, the element `$item`. */
  readonly inRange: boolean;
  readonly counter: { n: number };
  /** Conditions known to hold here (the enclosing `if`s), by their text. */
  readonly known: ReadonlySet<string>;
  /** The same conditions. */
  readonly givens: readonly Cond[];
  /** Whether a knob's values can never hold a line break or control character (so they fit in a block scalar). */
  readonly lineSafe: (knob: string) => boolean;
}

/** Helm prints `{{` literally only from inside an action. */
export function escapeBraces(text: string): string {
  return text.replace(/\{\{/g, '{{ "{{" }}');
}

/** A Go string literal (JSON's escapes are a subset of Go's). */
export function goString(s: string): string {
  return JSON.stringify(s);
}

/** The context inside `if when`: its literals (and those of a conjunction) are known to hold. */
export function within(when: Cond, ctx: Ctx): Ctx {
  const parts = when.c === 'and' ? when.xs : [when];
  return { ...ctx, known: new Set([...ctx.known, cond(when, ctx), ...parts.map((l) => cond(l, ctx))]), givens: [...ctx.givens, when] };
}

/** A condition as a Go template pipeline (`nested`: parenthesized, as an argument of `and`/`or`/`not`). */
export function cond(c: Cond, ctx: Ctx, nested = false): string {
  if (c.c === 'lit') {
    const t = ctx.toggles.get(c.t) ?? { id: c.t, knob: c.t, type: 'bool' as const, domain: [true, false] };
    const ref = valueRef({ knob: t.knob }, ctx);
    if (t.type === 'enum') return paren(`${c.neg ? 'ne' : 'eq'} ${ref} ${goString(String(c.v))}`, nested);
    if (t.type === 'above') return paren(`${(c.v === true) !== c.neg ? 'gt' : 'le'} (int64 ${ref}) ${t.threshold}`, nested);
    return (c.v === true) !== c.neg ? ref : paren(`not ${ref}`, nested);
  }
  return paren(`${c.c} ${c.xs.map((x) => cond(x, ctx, true)).join(' ')}`, nested);
}

function paren(s: string, nested: boolean): string {
  return nested ? `(${s})` : s;
}

export function valueRef(ref: Ref, ctx: Ctx): string {
  if ('elem' in ref) return '$item';
  const root = ctx.inRange ? '$.' : '.';
  if (ref.knob === 'release.name') return `${root}Release.Name`;
  if (ref.knob === 'release.namespace') return `${root}Release.Namespace`;
  return `${root}Values.${ref.knob}`;
}

function argRef(arg: string, ctx: Ctx): string {
  if (arg === '@release') return valueRef({ knob: 'release.name' }, ctx);
  if (arg === '@namespace') return valueRef({ knob: 'release.namespace' }, ctx);
  if (arg.endsWith(WITHOUT_POD_OVERRIDES)) {
    const keys = POD_OVERRIDE_KEYS.map((k) => goString(k)).join(' ');
    return `(omit ${valueRef({ knob: arg.slice(0, -WITHOUT_POD_OVERRIDES.length) }, ctx)} ${keys})`;
  }
  if (arg.endsWith(WITH_SET_POD_OVERRIDES_ONLY)) {
    return `(include "mcp-stack.withSetPodOverridesOnly" ${valueRef({ knob: arg.slice(0, -WITH_SET_POD_OVERRIDES_ONLY.length) }, ctx)} | fromJson)`;
  }
  return valueRef({ knob: arg }, ctx);
}

function imageExpr(image: string, ctx: Ctx): string {
  return `include "mcp-stack.image" (list ${valueRef({ knob: `images.${image}` }, ctx)} ${valueRef({ knob: 'global.imageRegistry' }, ctx)})`;
}

/** printf verb and argument of a part. */
function partArg(part: Exclude<Part, { p: 'lit' }>, ctx: Ctx): [string, string] {
  switch (part.p) {
    case 'str':
      return ['%s', valueRef(part.ref, ctx)];
    case 'int':
      return ['%d', `(int64 ${valueRef(part.ref, ctx)})`];
    case 'bool':
      return ['%t', valueRef(part.ref, ctx)];
    case 'listJson':
      return ['%s', `(toJson ${valueRef({ knob: part.knob }, ctx)})`];
    case 'image':
      return ['%s', `(${imageExpr(part.image, ctx)})`];
    case 'imageHash': {
      const input = part.salt === undefined ? imageExpr(part.image, ctx) : `printf "%s\\n%s" (${imageExpr(part.image, ctx)}) ${goString(part.salt)}`;
      return ['%s', `(${input} | sha256sum | trunc 8)`];
    }
    case 'checksum': {
      const list = `list ${part.args.map((a) => argRef(a, ctx)).join(' ')}`;
      const input = part.salt === undefined ? `${list} | toJson` : `printf "%s\\n%s" (${list} | toJson) ${goString(part.salt)}`;
      return ['%s', `(${input} | sha256sum${part.short ? ' | trunc 8' : ''})`];
    }
  }
}

/** A Go expression for the string the parts make. */
function stringExpr(parts: readonly Part[], label: boolean | undefined, ctx: Ctx): string {
  let expr: string;
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only && only.p === 'str') expr = valueRef(only.ref, ctx);
  else if (only && only.p !== 'lit' && only.p !== 'int' && only.p !== 'bool') expr = partArg(only, ctx)[1].slice(1, -1);
  else {
    let fmt = '';
    const args: string[] = [];
    for (const p of parts) {
      if (p.p === 'lit') fmt += p.s.replace(/%/g, '%%');
      else {
        const [verb, arg] = partArg(p, ctx);
        fmt += verb;
        args.push(arg);
      }
    }
    expr = `printf ${goString(fmt)} ${args.join(' ')}`;
  }
  return label ? `include "mcp-stack.labelValue" (${expr})` : expr;
}

export function isScalarLike(node: Node): boolean {
  return ['lit', 'str', 'int', 'val', 'seconds', 'wholeMap'].includes(node.n) || (node.n === 'switch' && node.cases.every((c) => isScalarLike(c.node)));
}

/** One-line text of a scalar-like node in value position (`key: <here>` or `- <here>`). */
export function inline(node: Node, ctx: Ctx): string {
  switch (node.n) {
    case 'lit':
      return escapeBraces(JSON.stringify(node.v));
    case 'str':
      return `{{ ${stringExpr(node.parts, node.label, ctx)} | toJson }}`;
    case 'int':
      return node.offset ? `{{ add (int64 ${valueRef(node.ref, ctx)}) ${node.offset} }}` : `{{ int64 ${valueRef(node.ref, ctx)} }}`;
    case 'val':
      return `{{ toJson ${valueRef(node.ref, ctx)} }}`;
    case 'seconds':
      return `{{ add (include "mcp-stack.seconds" ${valueRef({ knob: node.knob }, ctx)}) ${node.offset} }}`;
    case 'wholeMap':
      return `{{ toJson ${valueRef({ knob: node.knob }, ctx)} }}`;
    case 'switch':
      return node.cases
        .map((c, i) => `{{ ${i === 0 ? 'if' : c.when ? 'else if' : 'else'}${c.when ? ` ${cond(c.when, ctx)}` : ''} }}${inline(c.node, ctx)}`)
        .join('')
        .concat('{{ end }}');
    default:
      throw new Error(`${node.n} is not a scalar`);
  }
}

/** "The list knob holds something", as a condition on its emptiness toggle (or on the list itself). */
export function listSet(knob: string, ctx: Ctx): Cond {
  const t = [...ctx.toggles.values()].find((x) => x.type === 'empty' && x.knob === knob);
  return { c: 'lit', t: t ? t.id : knob, v: true, neg: false };
}

/**
 * Whether a condition holds for every value of the toggles it names wherever the enclosing conditions hold (tried
 * exhaustively; they are few).
 */
export function alwaysHolds(c: Cond, ctx: Ctx): boolean {
  const ids: string[] = [];
  const collect = (x: Cond) => (x.c === 'lit' ? ids.includes(x.t) || ids.push(x.t) : x.xs.forEach(collect));
  collect(c);
  // Enclosing conditions over the same toggles narrow the cases; others say nothing about this one.
  const names = (x: Cond): string[] => (x.c === 'lit' ? [x.t] : x.xs.flatMap(names));
  const givens = ctx.givens.filter((g) => names(g).every((t) => ids.includes(t)));
  const domains = ids.map((id) => ctx.toggles.get(id)?.domain ?? [true, false]);
  if (domains.reduce((n, d) => n * d.length, 1) > 4096) return false;
  const test = (x: Cond, a: Map<string, string | boolean>): boolean =>
    x.c === 'lit' ? (a.get(x.t) === x.v) !== x.neg : x.c === 'and' ? x.xs.every((y) => test(y, a)) : x.xs.some((y) => test(y, a));
  const all = (i: number, a: Map<string, string | boolean>): boolean =>
    i === ids.length ? !givens.every((g) => test(g, a)) || test(c, a) : domains[i].every((v) => all(i + 1, new Map(a).set(ids[i], v)));
  return all(0, new Map());
}

/** A Go expression for a node's value (for `set`): scalars, and maps and lists without conditions. */
export function valueExpr(node: Node, ctx: Ctx): string {
  switch (node.n) {
    case 'lit':
      return typeof node.v === 'string' ? goString(node.v) : JSON.stringify(node.v);
    case 'str':
      return `(${stringExpr(node.parts, node.label, ctx)})`;
    case 'int':
      return node.offset ? `(add (int64 ${valueRef(node.ref, ctx)}) ${node.offset})` : `(int64 ${valueRef(node.ref, ctx)})`;
    case 'val':
      return valueRef(node.ref, ctx);
    // Unconditional maps and lists (a fixed affinity a map knob merges into) as nested dict and list calls.
    case 'map':
      if (node.entries.some((e) => e.when)) break;
      return `(dict${node.entries.map((e) => ` ${goString(e.key)} ${valueExpr(e.node, ctx)}`).join('')})`;
    case 'seq':
      if (node.items.some((i) => i.when || i.range !== undefined)) break;
      return `(list${node.items.map((i) => ` ${valueExpr(i.node, ctx)}`).join('')})`;
    default:
      break;
  }
  throw new Error(`cannot set ${node.n} in a map`);
}

/** A Go expression printing a part as plain text. */
export function rawExpr(part: Exclude<Part, { p: 'lit' }>, ctx: Ctx): string {
  const arg = partArg(part, ctx)[1];
  return arg.startsWith('(') ? arg.slice(1, -1) : arg;
}
