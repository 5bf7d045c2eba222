/**
 * Core Kubernetes kinds, checked against the 1.28 OpenAPI definitions made strict: every definition with
 * `properties` rejects unknown fields (as `kubectl apply` with strict field validation does), Quantity strings
 * must parse, and nulls are dropped first because the API server treats them as absent.
 */
import { readFileSync } from 'node:fs';
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { isPlainObject } from './model';
import { QUANTITY_PATTERN } from './quantity';

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

export interface CoreSchemas {
  /** The validator for a group/version/kind, compiled on first use; undefined for an unknown kind. */
  validator(group: string, version: string, kind: string): ValidateFunction | undefined;
  /** Versions the definitions know for a group/kind, for "did you mean" messages. */
  versionsOf(group: string, kind: string): string[];
}

function strictify(node: any): void {
  if (!isPlainObject(node)) return;
  // List markers only drive server-side apply merging for built-in kinds; the CRD keywords of the same name must not fire here.
  for (const k of Object.keys(node)) if (k.startsWith('x-kubernetes-list-') || k === 'x-kubernetes-validations') delete node[k];
  if (isPlainObject(node.properties)) {
    if (node.additionalProperties === undefined) node.additionalProperties = false;
    for (const child of Object.values(node.properties)) strictify(child);
  }
  if (isPlainObject(node.items)) strictify(node.items);
  if (isPlainObject(node.additionalProperties)) strictify(node.additionalProperties);
  for (const k of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(node[k])) node[k].forEach(strictify);
}

/** Loads the definitions into `ajv` once; each kind compiles only when a document needs it. */
export function loadCoreSchemas(ajv: Ajv, schemaPath: string): CoreSchemas {
  const parsed = JSON.parse(readFileSync(schemaPath, 'utf8'));
  const definitions = parsed?.definitions;
  if (!isPlainObject(definitions)) throw new Error(`${schemaPath} has no 'definitions' object: not a Kubernetes OpenAPI definitions file`);
  const byGvk = new Map<string, string>();
  const versions = new Map<string, Set<string>>();
  for (const [name, def] of Object.entries<any>(definitions)) {
    strictify(def);
    for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
      byGvk.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, name);
      const key = `${gvk.group}/${gvk.kind}`;
      if (!versions.has(key)) versions.set(key, new Set());
      versions.get(key)!.add(gvk.version);
    }
  }
  const quantity = definitions[QUANTITY];
  if (quantity?.oneOf?.[0]?.type === 'string') quantity.oneOf[0].pattern = QUANTITY_PATTERN;
  ajv.addSchema({ $id: 'k8s', definitions });
  const compiled = new Map<string, ValidateFunction>();
  return {
    validator(group, version, kind) {
      const name = byGvk.get(`${group}/${version}/${kind}`);
      if (!name) return undefined;
      let v = compiled.get(name);
      if (!v) {
        v = ajv.compile({ $ref: `k8s#/definitions/${name}` });
        compiled.set(name, v);
      }
      return v;
    },
    versionsOf(group, kind) {
      return [...(versions.get(`${group}/${kind}`) ?? [])].sort();
    },
  };
}

/** A copy without null-valued fields, which the API server reads as absent. */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = dropNulls(v);
  return out;
}
