/**
 * The schema stage: every document is a known kind and matches its schema (core definitions or CRD).
 *
 * It runs in two passes: the first finds each document's validator (core kind, or CRD version and the shape of
 * the object), the second validates and reports, document by document. In between, the validators of the whole
 * run are made ready at once, from memory, from the persistent cache (see `cache.ts`) or by compiling them, so a
 * run loads at most one stored module for core kinds and one for custom resources, and replays stored CEL
 * outcomes (see `cel-records.ts`).
 */
import { resolve } from 'node:path';
import { openCache, type CacheStore } from './cache';
import { withCelRecord } from './cel-records';
import { CLUSTER_SCOPED_KINDS, isPlainObject, splitApiVersion } from './model';
import { defaultCrdDir, defaultSchemaPath, requirePath } from './paths';
import { coreSchema, CoreSchemas, dropNulls } from './schema-core';
import { CrdRegistry } from './schema-crd';
import { reportAjvErrors } from './schema-errors';
import type { GateDocument, GateOptions, NotEvaluable, Sink } from './types';
import { Validators, type Wanted } from './validators';

interface Engine {
  core: CoreSchemas;
  validators: Validators;
  registries: Map<string, CrdRegistry>;
  store?: CacheStore;
}

/** Engines by definitions file and cache folder: validating several profiles in one process compiles each kind once. */
const engines = new Map<string, Engine>();

function engine(schemaPath: string, store: CacheStore | undefined): Engine {
  const key = `${schemaPath}\0${store?.dir ?? ''}`;
  let e = engines.get(key);
  if (!e) {
    const core = new CoreSchemas(schemaPath, store);
    e = { core, validators: new Validators(core, store), registries: new Map(), store };
    engines.set(key, e);
  }
  return e;
}

function registry(e: Engine, crdDir: string, pins: Record<string, string>): CrdRegistry {
  const key = `${crdDir}\0${JSON.stringify(Object.entries(pins).sort())}`;
  let r = e.registries.get(key);
  if (!r) {
    r = new CrdRegistry(crdDir, pins, e.store);
    e.registries.set(key, r);
  }
  return r;
}

/** Whether each document's kind is cluster-scoped (undefined when the kind is unknown). */
export type ScopeMap = Map<number, boolean>;

interface Pass {
  e: Engine;
  crds: CrdRegistry;
  crdDir: string;
  sink: Sink;
  notEvaluable: NotEvaluable[];
  scopes: ScopeMap;
  core: Wanted[];
  custom: Wanted[];
}

/** What to report for one document, once its validator is ready. */
type Report = () => void;

export function validateSchemas(docs: GateDocument[], options: GateOptions, sink: Sink, notEvaluable: NotEvaluable[]): ScopeMap {
  const schemaPath = requirePath(resolve(options.schemaPath ?? defaultSchemaPath()), 'file', 'schemaPath', '--schema');
  const crdDir = requirePath(resolve(options.crdDir ?? defaultCrdDir()), 'directory', 'crdDir', '--crds');
  const e = engine(schemaPath, openCache());
  const pass: Pass = { e, crds: registry(e, crdDir, options.crdFiles ?? {}), crdDir, sink, notEvaluable, scopes: new Map(), core: [], custom: [] };
  const reports = docs.map((d, doc) => plan(pass, d, doc));
  e.validators.provide('core', pass.core);
  e.validators.provide('crd', pass.custom);
  for (const report of reports) report();
  e.validators.saveCodeCache();
  return pass.scopes;
}

function plan(p: Pass, d: GateDocument, doc: number): Report {
  const { sink } = p;
  if (d.parseError !== undefined) {
    return () => sink.error('schema/yaml-syntax', doc, [], `YAML does not parse: ${d.parseError}`, 'fix the YAML syntax (indentation, quoting, duplicate keys)');
  }
  const obj = d.object;
  if (!isPlainObject(obj)) {
    return () => sink.error('schema/not-an-object', doc, [], `the document is ${Array.isArray(obj) ? 'a list' : typeof obj}, not a Kubernetes object`, 'each YAML document must be one object with apiVersion, kind and metadata');
  }
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
    const missing = ['apiVersion', 'kind'].filter((k) => typeof obj[k] !== 'string');
    return () => sink.error('schema/missing-type-meta', doc, [missing[0]], `the object has no string ${missing.join(' or ')}`, `set ${missing.join(' and ')}`);
  }
  const { group, version } = splitApiVersion(obj.apiVersion);
  const definition = p.e.core.definitionFor(group, version, obj.kind);
  if (definition) return planCore(p, obj, doc, definition);
  return planCustom(p, obj, doc, group, version);
}

function planCore(p: Pass, obj: any, doc: number, definition: string): Report {
  p.scopes.set(doc, CLUSTER_SCOPED_KINDS.has(obj.kind));
  const key = `core-${definition}`;
  p.core.push({ key, schema: () => coreSchema(definition) });
  return () => {
    const validate = p.e.validators.get(key);
    const data = dropNulls(obj);
    if (!validate(data)) reportAjvErrors(validate.errors ?? [], data, doc, p.sink, `${obj.apiVersion} ${obj.kind}`);
  };
}

function planCustom(p: Pass, obj: any, doc: number, group: string, version: string): Report {
  const { sink } = p;
  const found = p.crds.lookup(group, version, obj.kind);
  if (found.status === 'found') {
    const cv = found.version;
    p.scopes.set(doc, cv.scope === 'Cluster');
    const shape = p.crds.shape(cv, obj);
    p.custom.push({ key: shape.key, schema: () => shape.schema });
    return () => {
      if (cv.deprecated) {
        sink.warn('schema/deprecated-version', doc, ['apiVersion'], `${obj.apiVersion} ${obj.kind} is deprecated: ${cv.deprecated}`, 'move to the version the CRD stores');
      }
      const validate = p.e.validators.get(shape.key);
      const valid = withCelRecord(p.e.store, shape.key, shape.data, cv.crd, p.notEvaluable, () => validate(shape.data));
      if (!valid) reportAjvErrors(validate.errors ?? [], shape.data, doc, sink, `${obj.apiVersion} ${obj.kind} (CRD ${cv.file})`);
    };
  }
  const coreVersions = p.e.core.versionsOf(group, obj.kind);
  const message =
    found.status === 'unserved'
      ? `${obj.apiVersion} ${obj.kind}: CRD ${found.crd} does not serve version '${version}' (served: ${found.served.join(', ') || 'none'})`
      : `unknown apiVersion/kind ${obj.apiVersion} ${obj.kind}: not a Kubernetes 1.28 kind and no CRD for it in ${p.crdDir}`;
  const fix =
    found.status === 'unserved'
      ? `use apiVersion ${group}/${found.served[found.served.length - 1] ?? version}`
      : coreVersions.length
        ? `use apiVersion ${group ? `${group}/` : ''}${coreVersions[coreVersions.length - 1]} (${obj.kind} in 1.28)`
        : 'check the apiVersion and kind spelling, or add the CRD to the CRD directory';
  return () => sink.error('schema/unknown-kind', doc, ['apiVersion'], message, fix);
}
