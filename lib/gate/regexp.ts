/**
 * The regular-expression engine of the gate's validators. CRD patterns are Go RE2 (`^[[:print:]]+$` is not a
 * JavaScript regex), so patterns mean what RE2 says: those in the subset where JavaScript's RegExp provably
 * matches the same strings run on RegExp (see `re2-subset.ts`), every other one on RE2JS, which then loads.
 * A module of its own because stored validators load it by name (`code`), without loading the schema compiler.
 */
import { sameInJavaScript } from './re2-subset';
import { REGEXP_ENGINE } from './runtime-names';

export interface Re2Engine {
  (pattern: string, flags: string): { test: (s: string) => boolean; toString: () => string };
  /** How generated code reaches this engine. */
  code: string;
}

function compile(pattern: string): (s: string) => boolean {
  const js = sameInJavaScript(pattern);
  if (js !== undefined) {
    try {
      const rx = new RegExp(js, 'u');
      return (s) => rx.test(s);
    } catch {
      // not expected for the subset; RE2 decides
    }
  }
  const rx = (require('re2js') as typeof import('re2js')).RE2JS.compile(pattern);
  return (s) => rx.test(s);
}

/** ajv caches compiled patterns by `toString()`, so each wrapper must print its own pattern. */
export const re2: Re2Engine = Object.assign(
  (pattern: string) => {
    const test = compile(pattern);
    return { test, toString: () => `re2:${pattern}` };
  },
  { code: `require(${JSON.stringify(REGEXP_ENGINE)}).re2` },
);
