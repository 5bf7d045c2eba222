/**
 * Evaluates CRD `x-kubernetes-validations` rules with @bufbuild/cel (+ its strings extension), converting the
 * object the way the API server presents it to CEL: integers as int, `format: duration` strings as durations,
 * `format: date-time` strings as timestamps. What cannot be evaluated here is reported, never silently passed.
 */
import { celEnv, isCelError, parse, plan, type CelInput } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { desugarOptionals } from './cel-optional';
import { isPlainObject } from './model';

export interface CelRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: string;
}

export type CelOutcome =
  | { status: 'pass' }
  | { status: 'fail'; message: string }
  | { status: 'not-evaluable'; reason: string };

type Program = (ctx: { self: CelInput }) => unknown;

const env = celEnv({ funcs: strings });
const programs = new Map<string, Program | { reason: string }>();

/** Parses and plans a rule once; remembers why when it cannot. */
function program(expr: string): Program | { reason: string } {
  const cached = programs.get(expr);
  if (cached) return cached;
  let result: Program | { reason: string };
  if (/\boldSelf\b/.test(expr)) {
    result = { reason: 'transition rule (uses oldSelf): the API server checks it only on update' };
  } else {
    const source = desugarOptionals(expr);
    if (source === undefined) {
      result = { reason: 'uses CEL optional syntax in a form this evaluator cannot rewrite' };
    } else {
      try {
        result = plan(env, parse(source)) as unknown as Program;
      } catch (e) {
        result = { reason: `not supported by the CEL evaluator: ${(e as Error).message.split('\n')[0]}` };
      }
    }
  }
  programs.set(expr, result);
  return result;
}

const durationOf = program('duration(self)') as Program;
const timestampOf = program('timestamp(self)') as Program;

function typesOf(schema: any): string[] {
  if (!schema) return [];
  if (schema['x-kubernetes-int-or-string']) return ['integer', 'string'];
  const t = schema.type;
  return Array.isArray(t) ? t : t ? [t] : [];
}

/** The value as CEL sees it under `schema` (the converted CRD schema node). */
export function toCel(value: unknown, schema: any): CelInput {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    const types = typesOf(schema);
    const integral = Number.isInteger(value) && (types.includes('integer') || (!types.includes('number') && Number.isSafeInteger(value)));
    return integral ? BigInt(value) : value;
  }
  if (typeof value === 'string') {
    const conv = schema?.format === 'duration' ? durationOf : schema?.format === 'date-time' ? timestampOf : undefined;
    if (conv) {
      const r = conv({ self: value });
      if (!isCelError(r)) return r as CelInput;
    }
    return value;
  }
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => toCel(v, schema?.items));
  if (isPlainObject(value)) {
    const out: Record<string, CelInput> = {};
    for (const [k, v] of Object.entries(value)) {
      const child = schema?.properties?.[k] ?? (isPlainObject(schema?.additionalProperties) ? schema.additionalProperties : undefined);
      out[k] = toCel(v, child);
    }
    return out;
  }
  return null;
}

/** Errors the API server also reports as a failed rule (a field the rule reads is absent). */
function isDataError(message: string): boolean {
  return /no such key|field not found|no such field/i.test(message);
}

export function evaluate(rule: CelRule, self: CelInput): CelOutcome {
  const p = program(rule.rule);
  if (!(typeof p === 'function')) return { status: 'not-evaluable', reason: p.reason };
  const result = p({ self });
  if (isCelError(result)) {
    const message = result.message;
    if (isDataError(message)) return { status: 'fail', message: `${describe(rule)} (evaluation error: ${message})` };
    return { status: 'not-evaluable', reason: `evaluation error: ${message}` };
  }
  if (result === true) return { status: 'pass' };
  if (result === false) return { status: 'fail', message: describe(rule, self) };
  return { status: 'not-evaluable', reason: `rule returned ${typeof result}, not a bool` };
}

function describe(rule: CelRule, self?: CelInput): string {
  if (rule.messageExpression && self !== undefined) {
    const p = program(rule.messageExpression);
    if (typeof p === 'function') {
      const m = p({ self });
      if (typeof m === 'string' && m) return m;
    }
  }
  return rule.message ? rule.message : `failed rule: ${rule.rule}`;
}

/** Whether the expression can be evaluated here at all (for listing the rules that cannot). */
export function unsupportedReason(expr: string): string | undefined {
  const p = program(expr);
  return typeof p === 'function' ? undefined : p.reason;
}
