/**
 * The cross-field rules (profiles/cross-field-rules.ts) compiled to Go template: the chart's `mcp-stack.rules`
 * helper. Values are read under `$v` (`.Values`); numbers are compared as int64, since Helm reads YAML numbers as
 * float64 and `--set` numbers as int64.
 */
import type { CrossFieldRule, Expr } from '../../profiles/rule-language';

function ref(path: string): string {
  return `$v.${path}`;
}

/**
 * Template lines a rule needs before its condition: a list operator cannot be one Go expression, so it is computed
 * into a variable (`$k<n>`) by a `range`, and the expression reads the variable.
 */
export class Preamble {
  readonly lines: string[] = [];
  private readonly vars = new Map<string, string>();
  constructor(private readonly counter: { n: number }) {}

  variable(e: Expr, compute: (name: string) => string): string {
    const key = JSON.stringify(e);
    let name = this.vars.get(key);
    if (!name) {
      name = `$k${this.counter.n++}`;
      this.vars.set(key, name);
      this.lines.push(compute(name));
    }
    return name;
  }
}

/** A Go template expression for one expression of the rule language. */
export function goExpr(e: Expr, pre: Preamble = new Preamble({ n: 0 })): string {
  const sub = (x: Expr) => goExpr(x, pre);
  switch (e.op) {
    case 'ref':
      return e.type === 'int' ? `(int64 ${ref(e.path)})` : ref(e.path);
    case 'lit':
      if (typeof e.value === 'number') return `(int64 ${e.value})`;
      return typeof e.value === 'string' ? JSON.stringify(e.value) : String(e.value);
    case 'and':
    case 'or':
      return `(${e.op} ${e.args.map(sub).join(' ')})`;
    case 'not':
      return `(not ${sub(e.arg)})`;
    case 'empty':
      return `(empty ${sub(e.arg)})`;
    case 'eq':
    case 'ne':
    case 'gt':
    case 'ge':
      return `(${e.op} ${sub(e.a)} ${sub(e.b)})`;
    case 'if':
      return `(ternary ${sub(e.then)} ${sub(e.else)} ${sub(e.cond)})`;
    case 'hasKey':
      return `(hasKey ${ref(e.map)} ${JSON.stringify(e.key)})`;
    case 'keysWhere':
      return pre.variable(e, (name) => {
        const key = `(index . ${JSON.stringify(e.key)})`;
        const matches = `(and (kindIs "string" ${key}) (regexMatch ${JSON.stringify(`(?i)${e.pattern}`)} ${key}) (index . ${JSON.stringify(e.set)}))`;
        return `{{- ${name} := list }}{{ range ${ref(e.list)} }}{{ if ${matches} }}{{ ${name} = append ${name} ${key} }}{{ end }}{{ end -}}`;
      });
    case 'join':
      return `(join ${JSON.stringify(e.sep)} ${sub(e.arg)})`;
  }
}


/** `path: message` as a Go `printf`, the rule's values spelled with %v. */
function goMessage(rule: CrossFieldRule, pre: Preamble): string {
  const format = [`${rule.path}: `, ...rule.message.map((p) => (typeof p === 'string' ? p : '\u0000'))].join('').replace(/%/g, '%%').replace(/\u0000/g, '%v');
  const args = rule.message.filter((p): p is Expr => typeof p !== 'string').map((p) => goExpr(p, pre));
  return `(printf ${JSON.stringify(format)}${args.map((a) => ` ${a}`).join('')})`;
}

/**
 * Every rule appends its problem to `$p`, then `extra` (template lines that append to `$p` themselves, such as the
 * removed-key refusals); if any, rendering fails listing them all (sorted).
 */
export function goRules(rules: readonly CrossFieldRule[], extra = ''): string {
  const counter = { n: 0 };
  return [
    '{{- $v := .Values -}}',
    '{{- $p := list -}}',
    ...rules.flatMap((r) => {
      const pre = new Preamble(counter);
      const line = `{{- if ${goExpr(r.when, pre)} }}{{ $p = append $p ${goMessage(r, pre)} }}{{ end -}}`;
      return [...pre.lines, line];
    }),
    ...(extra ? [extra] : []),
    '{{- if $p }}{{ fail (printf "invalid values: %d problem(s)\\n  - %s" (len $p) (join "\\n  - " (sortAlpha $p))) }}{{ end -}}',
  ].join('\n');
}
