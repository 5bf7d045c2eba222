/**
 * The cross-field rules (profiles/cross-field-rules.ts) compiled to Go template: the chart's `mcp-stack.rules`
 * helper. Values are read under `$v` (`.Values`); numbers are compared as int64, since Helm reads YAML numbers as
 * float64 and `--set` numbers as int64.
 */
import { perElement, type CrossFieldRule, type Expr } from '../../profiles/rule-language';

function ref(path: string): string {
  return `$v.${path}`;
}

/** A Go template expression for one expression of the rule language. */
export function goExpr(e: Expr): string {
  const sub = goExpr;
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
    case 'item':
      // The element of a per-element rule's `range` (see goRule); a missing key reads as nothing.
      return `(index $e ${JSON.stringify(e.field)})`;
    case 'matches': {
      const v = sub(e.arg);
      return `(and (kindIs "string" ${v}) (regexMatch ${JSON.stringify(`(?i)${e.pattern}`)} ${v}))`;
    }
  }
}


/** `path: message` as a Go `printf`, the rule's values spelled with %v and a per-element rule's index with %d. */
function goMessage(rule: CrossFieldRule): string {
  const each = perElement(rule.path);
  const path = each ? `${each.list}.\u0001${each.rest}` : rule.path;
  const format = [`${path}: `, ...rule.message.map((p) => (typeof p === 'string' ? p : '\u0000'))]
    .join('')
    .replace(/%/g, '%%')
    .replace(/\u0000/g, '%v')
    .replace(/\u0001/g, '%d');
  const args = [...(each ? ['$i'] : []), ...rule.message.filter((p): p is Expr => typeof p !== 'string').map(goExpr)];
  return `(printf ${JSON.stringify(format)}${args.map((a) => ` ${a}`).join('')})`;
}

/** One rule as a template line appending its problem to `$p`; a per-element rule ranges over its list as `$i`, `$e`. */
function goRule(rule: CrossFieldRule): string {
  const when = goExpr(rule.when);
  const append = `{{ $p = append $p ${goMessage(rule)} }}`;
  const each = perElement(rule.path);
  if (!each) return `{{- if ${when} }}${append}{{ end -}}`;
  return `{{- range $i, $e := ${ref(each.list)} }}{{ if ${when} }}${append}{{ end }}{{ end -}}`;
}

/**
 * Every rule appends its problem to `$p`, then `extra` (template lines that append to `$p` themselves, such as the
 * removed-key refusals); if any, rendering fails listing them all (sorted).
 */
export function goRules(rules: readonly CrossFieldRule[], extra = ''): string {
  return [
    '{{- $v := .Values -}}',
    '{{- $p := list -}}',
    ...rules.map(goRule),
    ...(extra ? [extra] : []),
    '{{- if $p }}{{ fail (printf "invalid values: %d problem(s)\\n  - %s" (len $p) (join "\\n  - " (sortAlpha $p))) }}{{ end -}}',
  ].join('\n');
}
