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
  | { readonly op: 'keysWhere'; readonly list: string; readonly key: string; readonly pattern: string; readonly set: string }
  | { readonly op: 'join'; readonly arg: Expr; readonly sep: string };

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
/** An empty string or list, or a missing optional key. */
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
 * A list of objects, e.g. `gateway.extraEnv`: the `key` field of every element whose `key` (a string) matches
 * `pattern` (a regular expression in the syntax JavaScript and Go share, matched case-insensitively) and whose `set`
 * field is there and not empty. Gives a list of strings, for `empty` and `join`.
 */
export const keysWhere = (list: string, where: { key: string; matches: string; set: string }): Expr => ({ op: 'keysWhere', list, key: where.key, pattern: where.matches, set: where.set });
/** A list of strings as one string, e.g. to name them in a message. */
export const join = (arg: Expr, sep: string): Expr => ({ op: 'join', arg, sep });

/** One cross-field rule: when `when` holds, the value at `path` is refused with `message`. */
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

export function evaluate(e: Expr, values: unknown): unknown {
  switch (e.op) {
    case 'ref': {
      const v = valueAt(values, e.path);
      return e.type === 'string' ? (v ?? '') : v;
    }
    case 'lit':
      return e.value;
    case 'and':
      return e.args.every((a) => evaluate(a, values));
    case 'or':
      return e.args.some((a) => evaluate(a, values));
    case 'not':
      return !evaluate(e.arg, values);
    case 'empty': {
      const v = evaluate(e.arg, values);
      return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
    }
    case 'eq':
      return evaluate(e.a, values) === evaluate(e.b, values);
    case 'ne':
      return evaluate(e.a, values) !== evaluate(e.b, values);
    case 'gt':
      return (evaluate(e.a, values) as number) > (evaluate(e.b, values) as number);
    case 'ge':
      return (evaluate(e.a, values) as number) >= (evaluate(e.b, values) as number);
    case 'if':
      return evaluate(e.cond, values) ? evaluate(e.then, values) : evaluate(e.else, values);
    case 'hasKey': {
      const m = valueAt(values, e.map);
      return m !== null && typeof m === 'object' && Object.prototype.hasOwnProperty.call(m, e.key);
    }
    case 'keysWhere': {
      const items = valueAt(values, e.list);
      const re = new RegExp(e.pattern, 'i');
      return (Array.isArray(items) ? items : [])
        .filter((x) => x !== null && typeof x === 'object' && typeof x[e.key] === 'string' && re.test(x[e.key]) && isSet(x[e.set]))
        .map((x) => x[e.key] as string);
    }
    case 'join':
      return (evaluate(e.arg, values) as unknown[]).join(e.sep);
  }
}

/** Not empty as Go templates see it: a value other than nothing, false, 0, "" and an empty list or map. */
function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  return typeof v !== 'object' || Object.keys(v as object).length > 0;
}

/** The problems the rules find in well-typed values: path and message, in declaration order. */
export function ruleProblems(rules: readonly CrossFieldRule[], values: unknown): { path: string; message: string }[] {
  return rules
    .filter((r) => evaluate(r.when, values))
    .map((r) => ({ path: r.path, message: r.message.map((part) => (typeof part === 'string' ? part : String(evaluate(part, values)))).join('') }));
}
