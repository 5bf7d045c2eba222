/**
 * Stored CEL outcomes. A rule's outcome depends only on the rule, the value and its schema node, so the outcomes
 * of validating one custom resource are stored under the validator's key (its pruned schema) and the object's
 * text, and a later run on the same object replays them instead of loading the CEL evaluator.
 */
import type { CacheStore } from './cache';
import { celContext, startCel, type RecordedOutcome } from './keyword-runtime';
import { isPlainObject } from './model';
import type { NotEvaluable } from './types';

/** Whether the value is plain JSON, so that its text identifies it (`.inf` and `.nan` both print as null). */
function isPlainJson(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isPlainJson);
  if (typeof v !== 'object') return false;
  // A plain object's prototype is a root prototype (not Date's, Map's...), in any realm.
  const proto = Object.getPrototypeOf(v);
  return (proto === null || Object.getPrototypeOf(proto) === null) && Object.values(v as object).every(isPlainJson);
}

function isOutcome(o: any): boolean {
  if (!isPlainObject(o) || typeof o.rule !== 'string' || !isPlainObject(o.outcome)) return false;
  const { status, message, reason } = o.outcome;
  return status === 'pass' || (status === 'fail' && typeof message === 'string') || (status === 'not-evaluable' && typeof reason === 'string');
}

function read(store: CacheStore, name: string): RecordedOutcome[] {
  const stored = store.readJson<unknown>(name);
  return Array.isArray(stored) && stored.every(isOutcome) ? (stored as RecordedOutcome[]) : [];
}

/**
 * Runs one validation of a custom resource with the CEL context set up: the stored outcomes for this validator
 * and object to replay, and afterwards the outcomes stored when a rule had to be evaluated.
 */
export function withCelRecord<T>(store: CacheStore | undefined, validatorKey: string, data: unknown, crd: string, notEvaluable: NotEvaluable[], validate: () => T): T {
  const name = store && isPlainJson(data) ? `cel-${store.key(validatorKey, JSON.stringify(data))}.json` : undefined;
  startCel(crd, notEvaluable, name ? read(store!, name) : []);
  const result = validate();
  if (name && celContext.evaluated > 0) store!.writeJson(name, celContext.recorded);
  return result;
}
