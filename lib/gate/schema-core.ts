/**
 * Core Kubernetes kinds, checked against the 1.28 OpenAPI definitions made strict: every definition with
 * `properties` rejects unknown fields (as `kubectl apply` with strict field validation does), Quantity strings
 * must parse, and nulls are dropped first because the API server treats them as absent.
 *
 * Which definition checks which group/version/kind (and the versions each kind has, for messages) is derived from
 * the file once and kept in the cache under the file's identity, with the file's content digest; a run with a warm
 * cache reads neither. The definitions themselves are parsed only when a validator has to be compiled.
 */
import { readFileSync, statSync } from 'node:fs';
import { fileIdentity, sha256, type CacheStore } from './cache';
import { isPlainObject } from './model';
import { QUANTITY_PATTERN } from '../../profiles/quantity';
import type { DefinitionsSource } from './validators';

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/**
 * Kinds that became GA after 1.28 with the fields of the version 1.28 already had: checked against that version's
 * definition. ValidatingAdmissionPolicy v1 (1.30) has exactly the fields of v1beta1 in 1.28.
 */
const PROMOTED_SINCE_1_28: Record<string, string> = {
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': 'admissionregistration.k8s.io/v1beta1/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': 'admissionregistration.k8s.io/v1beta1/ValidatingAdmissionPolicyBinding',
};

/** What the gate needs to know about the definitions file without parsing it. */
interface CoreIndex {
  /** sha256 of the file content. */
  digest: string;
  /** `group/version/kind` → definition name. */
  byGvk: [string, string][];
  /** `group/kind` → versions, sorted. */
  versions: [string, string[]][];
}

function strictify(node: any): void {
  if (!isPlainObject(node)) return;
  // List markers only drive server-side apply merging for built-in kinds; the CRD keywords of the same name must not fire here.
  for (const k of Object.keys(node)) if (k.startsWith('x-kubernetes-list-') || k === 'x-kubernetes-validations') delete node[k];
  // Prose is most of the file and no check or message reads it; without it the compiled code is far smaller.
  if (typeof node.description === 'string') delete node.description;
  if (isPlainObject(node.properties)) {
    if (node.additionalProperties === undefined) node.additionalProperties = false;
    for (const child of Object.values(node.properties)) strictify(child);
  }
  if (isPlainObject(node.items)) strictify(node.items);
  if (isPlainObject(node.additionalProperties)) strictify(node.additionalProperties);
  for (const k of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(node[k])) node[k].forEach(strictify);
}

/** Parses the definitions and makes them strict (as compiled). */
function parseDefinitions(text: string, schemaPath: string): Record<string, any> {
  const definitions = JSON.parse(text)?.definitions;
  if (!isPlainObject(definitions)) throw new Error(`${schemaPath} has no 'definitions' object: not a Kubernetes OpenAPI definitions file`);
  for (const def of Object.values<any>(definitions)) strictify(def);
  const quantity = definitions[QUANTITY];
  if (quantity?.oneOf?.[0]?.type === 'string') quantity.oneOf[0].pattern = QUANTITY_PATTERN;
  return definitions;
}

function indexOf(definitions: Record<string, any>, digest: string): CoreIndex {
  const byGvk = new Map<string, string>();
  const versions = new Map<string, Set<string>>();
  for (const [name, def] of Object.entries<any>(definitions)) {
    for (const gvk of def?.['x-kubernetes-group-version-kind'] ?? []) {
      byGvk.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, name);
      const key = `${gvk.group}/${gvk.kind}`;
      if (!versions.has(key)) versions.set(key, new Set());
      versions.get(key)!.add(gvk.version);
    }
  }
  return { digest, byGvk: [...byGvk], versions: [...versions].map(([k, v]) => [k, [...v].sort()]) };
}

function isIndex(x: any): x is CoreIndex {
  return isPlainObject(x) && typeof x.digest === 'string' && Array.isArray(x.byGvk) && Array.isArray(x.versions);
}

/** The core definitions of one file: the kind index, and the parsed definitions on demand. */
export class CoreSchemas implements DefinitionsSource {
  private parsed?: Record<string, any>;
  private readonly index: CoreIndex;
  /** Digest of the content compiled from: the indexed one, or the one parsed when compiling. */
  private contentDigest: string;
  private readonly byGvk: Map<string, string>;
  private readonly versions: Map<string, string[]>;

  constructor(
    readonly schemaPath: string,
    private readonly store: CacheStore | undefined,
  ) {
    this.index = this.loadIndex();
    this.contentDigest = this.index.digest;
    this.byGvk = new Map(this.index.byGvk);
    this.versions = new Map(this.index.versions);
  }

  private loadIndex(): CoreIndex {
    const entry = this.store && `core-index-${this.store.key(fileIdentity(this.schemaPath, statSync(this.schemaPath, { bigint: true })))}.json`;
    const cached = entry ? this.store!.readJson<unknown>(entry) : undefined;
    if (isIndex(cached)) return cached;
    const raw = readFileSync(this.schemaPath);
    this.parsed = parseDefinitions(raw.toString('utf8'), this.schemaPath);
    const index = indexOf(this.parsed, this.store ? sha256(raw) : '');
    if (entry) this.store!.writeJson(entry, index);
    return index;
  }

  /** The definition checking a group/version/kind; undefined for an unknown kind. */
  definitionFor(group: string, version: string, kind: string): string | undefined {
    const gvk = `${group}/${version}/${kind}`;
    return this.byGvk.get(gvk) ?? this.byGvk.get(PROMOTED_SINCE_1_28[gvk] ?? '');
  }

  /** Versions the definitions know for a group/kind, for "did you mean" messages. */
  versionsOf(group: string, kind: string): string[] {
    return [...(this.versions.get(`${group}/${kind}`) ?? [])];
  }

  digest(): string {
    return this.contentDigest;
  }

  definitions(): Record<string, any> {
    if (!this.parsed) {
      const raw = readFileSync(this.schemaPath);
      // Compiled code is stored under the digest of what it was compiled from, even if the file just changed.
      if (this.store) this.contentDigest = sha256(raw);
      this.parsed = parseDefinitions(raw.toString('utf8'), this.schemaPath);
    }
    return this.parsed;
  }
}

/** The schema compiled for a core kind: a reference into the definitions, so shared definitions compile once. */
export function coreSchema(definition: string): object {
  return { $ref: `k8s#/definitions/${definition}` };
}

/** A copy without null-valued fields, which the API server reads as absent. */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== null) out[k] = dropNulls(v);
  }
  return out;
}
