/**
 * The ajv instance the gate compiles into: Go RE2 patterns, the formats the API server knows, and lenient schema
 * handling for OpenAPI vocabulary. `code.source` keeps each validator's generated code, so it can be stored and
 * loaded by a later run; the engine and the formats are reached through `require` of their names in that code.
 */
import Ajv, { _, type ErrorObject } from 'ajv';
import { gateFormats } from './formats';
import { re2 } from './regexp';
import { FORMATS } from './runtime-names';

export function createAjv(): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    // Errors carry the failing data and parent schema, for messages that list the allowed fields.
    verbose: true,
    validateSchema: false,
    // Compile each referenced definition once (PodSpec is shared by every workload kind) instead of inlining copies.
    inlineRefs: false,
    // Unknown formats are ignored by the API server too.
    logger: false,
    code: { source: true, regExp: re2, formats: _`require(${FORMATS}).gateFormats` },
  });
  for (const [name, format] of Object.entries(gateFormats)) ajv.addFormat(name, format);
  return ajv;
}

export type { ErrorObject };
