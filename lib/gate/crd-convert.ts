/**
 * CRD `openAPIV3Schema` → JSON Schema that ajv enforces the way the API server does, plus the two per-object
 * steps the API server takes before validating (drop nulls, apply defaults) and a pruning step that keeps only
 * the parts of a large schema (PostgresCluster is 2.8 MB) that the object actually uses, so compiling is cheap.
 */
import { isPlainObject } from './model';

/** Annotation on pruned schema nodes: every property name the full schema allows there. */
export const ALLOWED_FIELDS = 'x-gate-allowed-fields';

export const OBJECT_META_REF = 'k8s#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'] as const;
const DROPPED = new Set(['description', 'example', 'externalDocs', 'nullable', 'x-kubernetes-map-type']);

/**
 * Converts one CRD version's schema. `root` adds apiVersion, kind and a strict ObjectMeta. Inside allOf, anyOf,
 * oneOf and not (`junction`), schemas only constrain values: they must not reject fields they do not list.
 */
export function convertCrdSchema(node: any, root = true, junction = false): any {
  if (!isPlainObject(node)) return node;
  const out: any = {};
  for (const [k, v] of Object.entries(node)) {
    if (DROPPED.has(k)) continue;
    if (k === 'properties' && isPlainObject(v)) {
      out.properties = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, convertCrdSchema(s, false, junction)]));
    } else if ((k === 'items' || k === 'additionalProperties') && isPlainObject(v)) {
      out[k] = convertCrdSchema(v, false, junction);
    } else if (k === 'not' && isPlainObject(v)) {
      out[k] = convertCrdSchema(v, false, true);
    } else if ((SUBSCHEMA_LISTS as readonly string[]).includes(k) && Array.isArray(v)) {
      out[k] = v.map((s) => convertCrdSchema(s, false, true));
    } else {
      out[k] = v;
    }
  }
  // OpenAPI 3.0 writes exclusive bounds as booleans next to minimum/maximum; JSON Schema wants the number.
  for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (out[flag] === true) {
      out[flag] = out[bound];
      delete out[bound];
    } else if (out[flag] === false) delete out[flag];
  }
  if (node['x-kubernetes-int-or-string']) {
    delete out.type;
    if (!out.anyOf && !out.oneOf) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
    if (node.nullable === true && out.anyOf) out.anyOf = [...out.anyOf, { type: 'null' }];
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (node['x-kubernetes-embedded-resource']) {
    out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...(out.properties ?? {}) };
  }
  if (root) {
    out.properties = { ...(out.properties ?? {}), apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { $ref: OBJECT_META_REF } };
  }
  // The API server prunes unknown fields and `kubectl apply` (fieldValidation=Strict) turns that into an error.
  const isObject = out.type === 'object' || (Array.isArray(out.type) && out.type.includes('object')) || out.properties;
  if (isObject && !junction && !node['x-kubernetes-preserve-unknown-fields'] && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

function allowsNull(schema: any): boolean {
  if (Array.isArray(schema?.type) && schema.type.includes('null')) return true;
  return Array.isArray(schema?.anyOf) && schema.anyOf.some((b: any) => b?.type === 'null');
}

function childSchema(schema: any, key: string): any {
  if (schema?.properties && Object.prototype.hasOwnProperty.call(schema.properties, key)) return schema.properties[key];
  return isPlainObject(schema?.additionalProperties) ? schema.additionalProperties : undefined;
}

/**
 * A copy of `value` as the API server validates it: nulls dropped where the schema is not nullable, and
 * `default`s filled in for absent properties of objects that are present.
 */
export function prepareValue(value: unknown, schema: any): unknown {
  if (Array.isArray(value)) return value.map((v) => prepareValue(v, schema?.items));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    const child = childSchema(schema, k);
    if (v === null && !allowsNull(child)) continue;
    out[k] = prepareValue(v, child);
  }
  for (const [k, s] of defaultsOf(schema)) {
    if (out[k] === undefined) out[k] = prepareValue(structuredClone(s.default), s);
  }
  return out;
}

/** The properties of a schema node that have a default, found once per node (a large CRD's objects have many). */
const defaultsFound = new WeakMap<object, [string, any][]>();
function defaultsOf(schema: any): [string, any][] {
  if (!isPlainObject(schema?.properties)) return [];
  let found = defaultsFound.get(schema);
  if (!found) {
    found = Object.entries<any>(schema.properties).filter(([, s]) => isPlainObject(s) && s.default !== undefined);
    defaultsFound.set(schema, found);
  }
  return found;
}

/**
 * What `pruneSchema` reads of a value, as text: the keys of every object and which values are objects or lists (a
 * list as the set of its items' structures, since pruning merges the items). Two values with the same structure
 * prune a schema alike.
 */
export function structureOf(value: unknown): string {
  if (Array.isArray(value)) return `[${[...new Set(value.map(structureOf))].sort().join(',')}]`;
  if (!isPlainObject(value)) return '.';
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${structureOf((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** The schema restricted to what `values` (all the values found at this schema location) use. */
export function pruneSchema(schema: any, values: unknown[]): any {
  if (!isPlainObject(schema)) return schema;
  const out: any = { ...schema };
  const objects = values.filter(isPlainObject) as Record<string, unknown>[];
  if (schema.properties) {
    const props: Record<string, any> = {};
    for (const key of new Set(objects.flatMap((o) => Object.keys(o)))) {
      if (!Object.prototype.hasOwnProperty.call(schema.properties, key)) continue;
      props[key] = pruneSchema(schema.properties[key], objects.map((o) => o[key]).filter((v) => v !== undefined));
    }
    out.properties = props;
    // Pruning drops the properties the object does not use; messages still list every allowed field.
    out[ALLOWED_FIELDS] = Object.keys(schema.properties);
  }
  if (isPlainObject(schema.additionalProperties)) {
    const known = schema.properties ?? {};
    const extra = objects.flatMap((o) => Object.entries(o).filter(([k]) => !(k in known)).map(([, v]) => v));
    out.additionalProperties = pruneSchema(schema.additionalProperties, extra);
  }
  if (isPlainObject(schema.items)) {
    out.items = pruneSchema(schema.items, values.filter(Array.isArray).flat());
  }
  for (const k of SUBSCHEMA_LISTS) {
    if (Array.isArray(schema[k])) out[k] = schema[k].map((s: any) => pruneSchema(s, values));
  }
  if (isPlainObject(schema.not)) out.not = pruneSchema(schema.not, values);
  return out;
}
