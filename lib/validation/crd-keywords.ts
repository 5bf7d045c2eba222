/**
 * The Kubernetes schema extensions ajv does not know: list types (`set` and `map` items must be unique) and
 * `x-kubernetes-validations` (CEL). Errors carry their rule id and fix in `params`, for the report.
 */
import type Ajv from 'ajv';
import type { ErrorObject } from 'ajv';
import { evaluate, toCel, type CelRule } from './cel';
import type { NotEvaluable } from './types';

/** Where the CEL keyword records rules it could not evaluate; set around each validation call. */
export const celContext: { crd: string; notEvaluable: NotEvaluable[] } = { crd: '', notEvaluable: [] };

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

export function addKubernetesKeywords(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-type',
    schemaType: 'string',
    errors: true,
    compile(listType: string, parentSchema: any) {
      const keys: string[] = parentSchema['x-kubernetes-list-map-keys'] ?? [];
      const validate = (data: unknown, cxt?: { instancePath: string }): boolean => {
        if (!Array.isArray(data) || (listType !== 'set' && listType !== 'map')) return true;
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
              `${cxt?.instancePath ?? ''}/${i}`,
              `duplicate entry in a list of type '${listType}': item ${i} repeats item ${first} (${what})`,
              `schema/list-${listType}-duplicate`,
              listType === 'set' ? 'remove the repeated value' : `give each item a unique ${keys.join(' + ')}`,
            ),
          );
        });
        (validate as any).errors = errors;
        return errors.length === 0;
      };
      return validate;
    },
  });

  ajv.addKeyword({
    keyword: 'x-kubernetes-validations',
    schemaType: 'array',
    errors: true,
    compile(rules: CelRule[], parentSchema: any) {
      const validate = (data: unknown, cxt?: { instancePath: string }): boolean => {
        const instancePath = cxt?.instancePath ?? '';
        const self = toCel(data, parentSchema);
        const errors: ErrorObject[] = [];
        for (const rule of rules) {
          const outcome = evaluate(rule, self);
          if (outcome.status === 'fail') {
            errors.push(err(appendFieldPath(instancePath, rule.fieldPath), outcome.message, 'schema/cel', `satisfy the CRD rule: ${rule.rule}`));
          } else if (outcome.status === 'not-evaluable') {
            celContext.notEvaluable.push({ crd: celContext.crd, rule: rule.rule, path: instancePath || '/', reason: outcome.reason });
          }
        }
        (validate as any).errors = errors;
        return errors.length === 0;
      };
      return validate;
    },
  });
}
