/**
 * A small expression language for the cross-field rules of the values: each rule is declared once as data, then
 * evaluated here for the synth and compiled to a Go template for the Helm chart (lib/helm/rules-go.ts), so the two
 * can never say different things.
 */

export type Expr =
  | { readonly op: 'ref'; readonly path: string; readonly type: 'int' | 'bool' | 'string' | 'list' }
  | { readonly op: 'lit'; readonly value: string | number | boolean }
  | { readonly op: 'and' | 'or'; readonly args: readonly Expr[] }
  | { readonly op: 'not'; readonly arg: Expr }
  | { readonly op: 'empty'; readonly arg: Expr }
  | { readonly op: 'eq' | 'ne' | 'gt' | 'ge'; readonly a: Expr; readonly b: Expr }
  | { readonly op: 'if'; readonly cond: Expr; readonly then: Expr; readonly else: Expr }
  | { readonly op: 'hasKey'; readonly map: string; readonly key: string }
  | { readonly op: 'item'; readonly field: string }
  | { readonly op: 'matches'; readonly arg: Expr; readonly pattern: string };

/** A whole number of the values, e.g. `gateway.replicas`. */
export const int = (path: string): Expr => ({ op: 'ref', path, type: 'int' });
/** A switch of the values, e.g. `nginx.enabled`. */
export const bool = (path: string): Expr => ({ op: 'ref', path, type: 'bool' });
/** A list of the values, e.g. `database.external.cidrs` (only for `empty`). */
export const list = (path: string): Expr => ({ op: 'ref', path, type: 'list' });
/** A string of the values, e.g. `platform` (missing optional keys read as empty). */
export const str = (path: string): Expr => ({ op: 'ref', path, type: 'string' });
export const lit = (value: string | number | boolean): Expr => ({ op: 'lit', value });
export const and = (...args: Expr[]): Expr => ({ op: 'and', args });
export const or = (...args: Expr[]): Expr => ({ op: 'or', args });
export const not = (arg: Expr): Expr => ({ op: 'not', arg });
/** Empty as Go templates see it: a missing optional key, false, 0, an empty string, list or map. */
export const empty = (arg: Expr): Expr => ({ op: 'empty', arg });
const operand = (x: Expr | string | number | boolean): Expr => (typeof x === 'object' ? x : lit(x));
export const eq = (a: Expr, b: Expr | string | number | boolean): Expr => ({ op: 'eq', a, b: operand(b) });
export const ne = (a: Expr, b: Expr | string | number | boolean): Expr => ({ op: 'ne', a, b: operand(b) });
export const gt = (a: Expr, b: Expr | number): Expr => ({ op: 'gt', a, b: operand(b) });
export const ge = (a: Expr, b: Expr | number): Expr => ({ op: 'ge', a, b: operand(b) });
export const ifThen = (cond: Expr, then: Expr, otherwise: Expr): Expr => ({ op: 'if', cond, then, else: otherwise });
/** The map at `map` has the key `key`. */
export const hasKey = (map: string, key: string): Expr => ({ op: 'hasKey', map, key });

/**
 * A field of the list element a per-element rule is looking at (a rule whose path has `*`, see `CrossFieldRule`),
 * e.g. `item('name')` of an `extraEnv` entry.
 */
export const item = (field: string): Expr => ({ op: 'item', field });
/**
 * A string that matches `pattern`, a regular expression in the syntax JavaScript and Go share, matched
 * case-insensitively; anything other than a string does not match.
 */
export const matches = (arg: Expr, pattern: string): Expr => ({ op: 'matches', arg, pattern });

/**
 * One cross-field rule: when `when` holds, the value at `path` is refused with `message`. A path with one `*`
 * segment (`gateway.extraEnv.*.value`) is checked for each element of the list before the `*`, `item` reading that
 * element, and the problem names the element's index in place of the `*` (`gateway.extraEnv.2.value`).
 */
export interface CrossFieldRule {
  readonly path: string;
  readonly when: Expr;
  /** Words, and values of the rule (numbers) spelled into them. */
  readonly message: readonly (string | Expr)[];
  /**
   * Values that break this rule (a profile, `--set` lines and, for what `--set` cannot write such as a list of
   * objects, a values file's content): the tests break every rule in both outputs with them.
   */
  readonly example: { readonly profile: 'kind' | 'ocp' | 'production'; readonly sets: readonly string[]; readonly values?: Record<string, unknown> };
}

function valueAt(root: unknown, path: string): unknown {
  let cur: any = root;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[seg];
  }
  return cur;
}

export function evaluate(e: Expr, values: unknown, element?: unknown): unknown {
  const sub = (x: Expr) => evaluate(x, values, element);
  switch (e.op) {
    case 'ref': {
      const v = valueAt(values, e.path);
      return e.type === 'string' ? (v ?? '') : v;
    }
    case 'lit':
      return e.value;
    case 'and':
      return e.args.every((a) => sub(a));
    case 'or':
      return e.args.some((a) => sub(a));
    case 'not':
      return !sub(e.arg);
    case 'empty':
      return !isSet(sub(e.arg));
    case 'eq':
      return sub(e.a) === sub(e.b);
    case 'ne':
      return sub(e.a) !== sub(e.b);
    case 'gt':
      return (sub(e.a) as number) > (sub(e.b) as number);
    case 'ge':
      return (sub(e.a) as number) >= (sub(e.b) as number);
    case 'if':
      return sub(e.cond) ? sub(e.then) : sub(e.else);
    case 'hasKey': {
      const m = valueAt(values, e.map);
      return m !== null && typeof m === 'object' && Object.prototype.hasOwnProperty.call(m, e.key);
    }
    case 'item':
      return element !== null && typeof element === 'object' ? (element as Record<string, unknown>)[e.field] : undefined;
    case 'matches': {
      const v = sub(e.arg);
      return typeof v === 'string' && new RegExp(e.pattern, 'i').test(v);
    }
  }
}

/** Not empty as Go templates see it: a value other than nothing, false, 0, "" and an empty list or map. */
function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  return typeof v !== 'object' || Object.keys(v as object).length > 0;
}

/** The list a per-element rule ranges over and the path after the element, or none for a rule of one value. */
export function perElement(path: string): { list: string; rest: string } | undefined {
  const m = /^(.+?)\.\*((?:\..+)?)$/.exec(path);
  return m ? { list: m[1], rest: m[2] } : undefined;
}

/** The problems the rules find in well-typed values: path and message, in declaration order. */
export function ruleProblems(rules: readonly CrossFieldRule[], values: unknown): { path: string; message: string }[] {
  const problem = (r: CrossFieldRule, path: string, element?: unknown) => ({
    path,
    message: r.message.map((part) => (typeof part === 'string' ? part : String(evaluate(part, values, element)))).join(''),
  });
  return rules.flatMap((r) => {
    const each = perElement(r.path);
    if (!each) return evaluate(r.when, values) ? [problem(r, r.path)] : [];
    const items = valueAt(values, each.list);
    return (Array.isArray(items) ? items : []).flatMap((x, i) => (evaluate(r.when, values, x) ? [problem(r, `${each.list}.${i}${each.rest}`, x)] : []));
  });
}
