/**
 * The Kubernetes schema extensions ajv does not know, as code keywords: the generated validator calls the
 * functions of `keyword-runtime` by reference (in memory) or by name (stored code), then adds their errors
 * to its own list exactly as it does for its built-in keywords (schema path, schema and data included).
 */
import { _, type Code, type KeywordCxt } from 'ajv';
import type Ajv from 'ajv';
import { getProperty, strConcat } from 'ajv/dist/compile/codegen';
import { extendErrors } from 'ajv/dist/compile/errors';
import N from 'ajv/dist/compile/names';
import { listTypeErrors, validationErrors } from './keyword-runtime';
import { KEYWORD_RUNTIME } from './runtime-names';

type RuntimeCheck = typeof listTypeErrors | typeof validationErrors;

/** Emits `errs = check(data, keywordValue, parentSchema, instancePath)` and appends `errs` to the error list. */
function callRuntime(cxt: KeywordCxt, name: string, check: RuntimeCheck): void {
  const { gen, data, schemaValue, it } = cxt;
  const fn = gen.scopeValue('func', { ref: check, code: _`require(${KEYWORD_RUNTIME})${getProperty(name)}` });
  const parentSchema: Code = _`${it.topSchemaRef}${it.schemaPath}`;
  const errs = gen.const('errs', _`${fn}(${data}, ${schemaValue}, ${parentSchema}, ${strConcat(N.instancePath, it.errorPath)})`);
  gen.if(_`${errs} !== null`, () => {
    gen.assign(N.vErrors, _`${N.vErrors} === null ? ${errs} : ${N.vErrors}.concat(${errs})`).assign(N.errors, _`${N.vErrors}.length`);
    extendErrors(cxt);
  });
  cxt.ok(_`${errs} === null`);
}

export function addKubernetesKeywords(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-type',
    schemaType: 'string',
    trackErrors: true,
    code(cxt) {
      // `atomic` (and anything unknown) only tells server-side apply how to merge: nothing to check.
      if (cxt.schema === 'set' || cxt.schema === 'map') callRuntime(cxt, 'listTypeErrors', listTypeErrors);
    },
  });

  ajv.addKeyword({
    keyword: 'x-kubernetes-validations',
    schemaType: 'array',
    trackErrors: true,
    code(cxt) {
      if (cxt.schema.length > 0) callRuntime(cxt, 'validationErrors', validationErrors);
    },
  });
}
