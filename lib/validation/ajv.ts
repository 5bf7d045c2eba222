/**
 * The one ajv instance the gate compiles into: Go RE2 patterns (CRD patterns such as `^[[:print:]]+$` are not
 * JavaScript regexes), the formats the API server knows, and lenient schema handling for OpenAPI vocabulary.
 */
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { RE2JS } from 're2js';

interface Re2Engine {
  (pattern: string, flags: string): { test: (s: string) => boolean; toString: () => string };
  code: string;
}

/** ajv caches compiled patterns by `toString()`, so each wrapper must print its own pattern. */
const re2: Re2Engine = Object.assign(
  (pattern: string) => {
    const rx = RE2JS.compile(pattern);
    return { test: (s: string) => rx.test(s), toString: () => `re2:${pattern}` };
  },
  { code: 're2' },
);

/** Go `time.ParseDuration` syntax, which is what `format: duration` means in a CRD. */
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const CIDR = /^(?:(?:\d{1,3}\.){3}\d{1,3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;
const MAC = /^(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;

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
    code: { regExp: re2 as any },
  });
  addFormats(ajv, ['date-time', 'date', 'hostname', 'ipv4', 'ipv6', 'uri', 'email', 'uuid']);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('byte', BASE64);
  ajv.addFormat('duration', GO_DURATION);
  ajv.addFormat('cidr', CIDR);
  ajv.addFormat('mac', MAC);
  return ajv;
}

export type { ErrorObject };
