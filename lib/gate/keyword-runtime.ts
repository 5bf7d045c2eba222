/**
 * What the Kubernetes schema extensions check while a document is validated: list types (`set` and `map` items
 * must be unique) and `x-kubernetes-validations` (CEL). Compiled validators, fresh or stored, call these
 * functions and add the errors they return, each carrying its rule id and fix in `params` for the report.
 *
 * A rule's outcome depends only on the rule, the value and its schema, so the outcomes of one validation are
 * recorded in order and an earlier run's record of the same object and validator can be replayed instead of
 * evaluating (see `cel-records.ts`). The CEL evaluator is loaded only when a rule is actually evaluated.
 */
import type { ErrorObject } from 'ajv';
import type { CelInput } from '@bufbuild/cel';
import type { CelOutcome, CelRule } from './cel';
import type { NotEvaluable } from './types';

/** One rule's outcome, in the order the validator asked for it. */
export interface RecordedOutcome {
  rule: string;
  message?: string;
  messageExpression?: string;
  outcome: CelOutcome;
}

/** The state of the CEL keyword around one validation call (set by the schema stage). */
export const celContext: {
  /** The CRD being checked, for rules that cannot be evaluated. */
  crd: string;
  /** Where rules that cannot be evaluated are listed. */
  notEvaluable: NotEvaluable[];
  /** Outcomes recorded by an earlier run on the same object and validator, used while they stay in step. */
  replay: RecordedOutcome[];
  /** Outcomes of this validation, in order. */
  recorded: RecordedOutcome[];
  /** How many rules this validation evaluated (rather than replayed). */
  evaluated: number;
} = { crd: '', notEvaluable: [], replay: [], recorded: [], evaluated: 0 };

/** Sets the CEL context up for validating one custom resource. */
export function startCel(crd: string, notEvaluable: NotEvaluable[], replay: RecordedOutcome[]): void {
  Object.assign(celContext, { crd, notEvaluable, replay, recorded: [], evaluated: 0 });
}

let celModule: typeof import('./cel') | undefined;

function cel(): typeof import('./cel') {
  return (celModule ??= require('./cel') as typeof import('./cel'));
}

function err(instancePath: string, message: string, rule: string, fix: string): ErrorObject {
  return { keyword: 'x-kubernetes', instancePath, schemaPath: '', message, params: { rule, fix } };
}

function keyOf(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));
}

function appendFieldPath(instancePath: string, fieldPath: string | undefined): string {
  if (!fieldPath) return instancePath;
  const parts = fieldPath.match(/[^.[\]'"]+/g) ?? [];
  return instancePath + parts.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** `x-kubernetes-list-type: set | map`: the items repeating an earlier item (whole value, or its map keys). */
export function listTypeErrors(data: unknown, listType: string, parentSchema: any, instancePath: string): ErrorObject[] | null {
  if (!Array.isArray(data) || (listType !== 'set' && listType !== 'map')) return null;
  const keys: string[] = parentSchema?.['x-kubernetes-list-map-keys'] ?? [];
  const seen = new Map<string, number>();
  const errors: ErrorObject[] = [];
  data.forEach((item, i) => {
    const id = listType === 'set' ? keyOf(item) : keyOf(keys.map((k) => (item as any)?.[k]));
    const first = seen.get(id);
    if (first === undefined) {
      seen.set(id, i);
      return;
    }
    const what = listType === 'set' ? `value ${id}` : `key (${keys.join(', ')}) = ${id}`;
    errors.push(
      err(
        `${instancePath}/${i}`,
        `duplicate entry in a list of type '${listType}': item ${i} repeats item ${first} (${what})`,
        `schema/list-${listType}-duplicate`,
        listType === 'set' ? 'remove the repeated value' : `give each item a unique ${keys.join(' + ')}`,
      ),
    );
  });
  return errors.length ? errors : null;
}

function replayed(rule: CelRule): CelOutcome | undefined {
  const next = celContext.replay[celContext.recorded.length];
  if (next && next.rule === rule.rule && next.message === rule.message && next.messageExpression === rule.messageExpression) return next.outcome;
  // Out of step: evaluate from here on.
  celContext.replay = [];
  return undefined;
}

function outcomeOf(rule: CelRule, self: () => CelInput): CelOutcome {
  let outcome = replayed(rule);
  if (!outcome) {
    outcome = cel().evaluate(rule, self());
    celContext.evaluated++;
  }
  celContext.recorded.push({ rule: rule.rule, message: rule.message, messageExpression: rule.messageExpression, outcome });
  return outcome;
}

/** `x-kubernetes-validations`: the rules `data` fails; rules that cannot be evaluated go to `celContext`. */
export function validationErrors(data: unknown, rules: CelRule[], parentSchema: any, instancePath: string): ErrorObject[] | null {
  if (rules.length === 0) return null;
  let self: CelInput | undefined;
  const selfOnce = () => (self ??= cel().toCel(data, parentSchema));
  const errors: ErrorObject[] = [];
  for (const rule of rules) {
    const outcome = outcomeOf(rule, selfOnce);
    if (outcome.status === 'fail') {
      errors.push(err(appendFieldPath(instancePath, rule.fieldPath), outcome.message, 'schema/cel', `satisfy the CRD rule: ${rule.rule}`));
    } else if (outcome.status === 'not-evaluable') {
      celContext.notEvaluable.push({ crd: celContext.crd, rule: rule.rule, path: instancePath || '/', reason: outcome.reason });
    }
  }
  return errors.length ? errors : null;
}
