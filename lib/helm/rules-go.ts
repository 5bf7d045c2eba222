/**
 * The cross-field rules (profiles/cross-field-rules.ts) compiled to Go template: the chart's `mcp-stack.rules`
 * helper. Values are read under `$v` (`.Values`); numbers are compared as int64, since Helm reads YAML numbers as
 * float64 and `--set` numbers as int64.
 */
import type { CrossFieldRule, Expr } from '../../profiles/rule-language';

function ref(path: string): string {
  return `$v.${path}`;
}

/** A Go template expression for one expression of the rule language. */
export function goExpr(e: Expr): string {
  switch (e.op) {
    case 'ref':
      return e.type === 'int' ? `(int64 ${ref(e.path)})` : ref(e.path);
    case 'lit':
      if (typeof e.value === 'number') return `(int64 ${e.value})`;
      return typeof e.value === 'string' ? JSON.stringify(e.value) : String(e.value);
    case 'and':
    case 'or':
      return `(${e.op} ${e.args.map(goExpr).join(' ')})`;
    case 'not':
      return `(not ${goExpr(e.arg)})`;
    case 'empty':
      return `(empty ${goExpr(e.arg)})`;
    case 'eq':
    case 'ne':
    case 'gt':
    case 'ge':
      return `(${e.op} ${goExpr(e.a)} ${goExpr(e.b)})`;
    case 'if':
      return `(ternary ${goExpr(e.then)} ${goExpr(e.else)} ${goExpr(e.cond)})`;
    case 'hasKey':
      return `(hasKey ${ref(e.map)} ${JSON.stringify(e.key)})`;
  }
}

/** `path: message` as a Go `printf`, the rule's values spelled with %v. */
function goMessage(rule: CrossFieldRule): string {
  const format = [`${rule.path}: `, ...rule.message.map((p) => (typeof p === 'string' ? p : '\u0000'))].join('').replace(/%/g, '%%').replace(/\u0000/g, '%v');
  const args = rule.message.filter((p): p is Expr => typeof p !== 'string').map(goExpr);
  return `(printf ${JSON.stringify(format)}${args.map((a) => ` ${a}`).join('')})`;
}

/**
 * Every rule appends its problem to `$p`, then `extra` (template lines that append to `$p` themselves, such as the
 * removed-key refusals); if any, rendering fails listing them all (sorted).
 */
export function goRules(rules: readonly CrossFieldRule[], extra = ''): string {
  return [
    '{{- $v := .Values -}}',
    '{{- $p := list -}}',
    ...rules.map((r) => `{{- if ${goExpr(r.when)} }}{{ $p = append $p ${goMessage(r)} }}{{ end -}}`),
    ...(extra ? [extra] : []),
    '{{- if $p }}{{ fail (printf "invalid values: %d problem(s)\\n  - %s" (len $p) (join "\\n  - " (sortAlpha $p))) }}{{ end -}}',
  ].join('\n');
}
