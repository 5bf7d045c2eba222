/**
 * Compiling validators, for a cache miss or with the cache off: one ajv per definitions file holding the core
 * definitions (`k8s`) and every schema compiled so far, each under its validator key. The generated code of a
 * batch comes out as one module (ajv's standalone code), so shared definitions such as PodSpec appear once in it.
 */
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { createAjv } from './ajv';
import { addKubernetesKeywords } from './crd-keywords';

export interface CompileEntry {
  key: string;
  schema: object;
}

export class Compiler {
  private readonly ajv: Ajv;
  private readonly added = new Set<string>();

  constructor(definitions: Record<string, unknown>) {
    this.ajv = createAjv();
    addKubernetesKeywords(this.ajv);
    this.ajv.addSchema({ $id: 'k8s', definitions });
  }

  compile(entries: CompileEntry[]): Map<string, ValidateFunction> {
    const out = new Map<string, ValidateFunction>();
    for (const { key, schema } of entries) {
      if (!this.added.has(key)) {
        // A key without `:` or `/` keeps `k8s#/definitions/...` references resolving as they do without one.
        this.ajv.addSchema(schema, key);
        this.added.add(key);
      }
      const validate = this.ajv.getSchema(key);
      if (!validate) throw new Error(`gate: ajv did not compile ${key}`);
      out.set(key, validate as ValidateFunction);
    }
    return out;
  }

  /** One CommonJS module exporting the validators of `keys` (compiled before) under their keys. */
  moduleCode(keys: string[]): string {
    return standaloneCode(this.ajv, Object.fromEntries(keys.map((k) => [k, k])));
  }
}
