/**
 * The schema stage: every document is a known kind and matches its schema (core definitions or CRD).
 * Compiled schemas live in a per-process cache, so validating several profiles compiles each kind once.
 */
import { resolve } from 'node:path';
import type Ajv from 'ajv';
import { createAjv } from './ajv';
import { addKubernetesKeywords, celContext } from './crd-keywords';
import { CLUSTER_SCOPED_KINDS, isPlainObject, splitApiVersion } from './model';
import { defaultCrdDir, defaultSchemaPath, requirePath } from './paths';
import { dropNulls, loadCoreSchemas, type CoreSchemas } from './schema-core';
import { CrdRegistry } from './schema-crd';
import { reportAjvErrors } from './schema-errors';
import type { GateDocument, GateOptions, NotEvaluable, Sink } from './types';

interface Engine {
  ajv: Ajv;
  core: CoreSchemas;
  registries: Map<string, CrdRegistry>;
}

const engines = new Map<string, Engine>();

function engine(schemaPath: string): Engine {
  let e = engines.get(schemaPath);
  if (!e) {
    const ajv = createAjv();
    addKubernetesKeywords(ajv);
    e = { ajv, core: loadCoreSchemas(ajv, schemaPath), registries: new Map() };
    engines.set(schemaPath, e);
  }
  return e;
}

function registry(e: Engine, crdDir: string, pins: Record<string, string>): CrdRegistry {
  const key = `${crdDir}\0${JSON.stringify(Object.entries(pins).sort())}`;
  let r = e.registries.get(key);
  if (!r) {
    r = new CrdRegistry(e.ajv, crdDir, pins);
    e.registries.set(key, r);
  }
  return r;
}

/** Whether each document's kind is cluster-scoped (undefined when the kind is unknown). */
export type ScopeMap = Map<number, boolean>;

export function validateSchemas(docs: GateDocument[], options: GateOptions, sink: Sink, notEvaluable: NotEvaluable[]): ScopeMap {
  const schemaPath = requirePath(resolve(options.schemaPath ?? defaultSchemaPath()), 'file', 'schemaPath', '--schema');
  const crdDir = requirePath(resolve(options.crdDir ?? defaultCrdDir()), 'directory', 'crdDir', '--crds');
  const e = engine(schemaPath);
  const crds = registry(e, crdDir, options.crdFiles ?? {});
  const scopes: ScopeMap = new Map();

  docs.forEach((d, doc) => {
    if (d.parseError !== undefined) {
      sink.error('schema/yaml-syntax', doc, [], `YAML does not parse: ${d.parseError}`, 'fix the YAML syntax (indentation, quoting, duplicate keys)');
      return;
    }
    const obj = d.object;
    if (!isPlainObject(obj)) {
      sink.error('schema/not-an-object', doc, [], `the document is ${Array.isArray(obj) ? 'a list' : typeof obj}, not a Kubernetes object`, 'each YAML document must be one object with apiVersion, kind and metadata');
      return;
    }
    if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      const missing = ['apiVersion', 'kind'].filter((k) => typeof obj[k] !== 'string');
      sink.error('schema/missing-type-meta', doc, [missing[0]], `the object has no string ${missing.join(' or ')}`, `set ${missing.join(' and ')}`);
      return;
    }
    const { group, version } = splitApiVersion(obj.apiVersion);
    const core = e.core.validator(group, version, obj.kind);
    if (core) {
      scopes.set(doc, CLUSTER_SCOPED_KINDS.has(obj.kind));
      const data = dropNulls(obj);
      if (!core(data)) reportAjvErrors(core.errors ?? [], data, doc, sink, `${obj.apiVersion} ${obj.kind}`);
      return;
    }
    const found = crds.lookup(group, version, obj.kind);
    if (found.status === 'found') {
      const cv = found.version;
      scopes.set(doc, cv.scope === 'Cluster');
      if (cv.deprecated) {
        sink.warn('schema/deprecated-version', doc, ['apiVersion'], `${obj.apiVersion} ${obj.kind} is deprecated: ${cv.deprecated}`, 'move to the version the CRD stores');
      }
      const { data, validate } = crds.prepare(cv, obj);
      celContext.crd = cv.crd;
      celContext.notEvaluable = notEvaluable;
      if (!validate(data)) reportAjvErrors(validate.errors ?? [], data, doc, sink, `${obj.apiVersion} ${obj.kind} (CRD ${cv.file})`);
      return;
    }
    const coreVersions = e.core.versionsOf(group, obj.kind);
    const message =
      found.status === 'unserved'
        ? `${obj.apiVersion} ${obj.kind}: CRD ${found.crd} does not serve version '${version}' (served: ${found.served.join(', ') || 'none'})`
        : `unknown apiVersion/kind ${obj.apiVersion} ${obj.kind}: not a Kubernetes 1.28 kind and no CRD for it in ${crdDir}`;
    const fix =
      found.status === 'unserved'
        ? `use apiVersion ${group}/${found.served[found.served.length - 1] ?? version}`
        : coreVersions.length
          ? `use apiVersion ${group ? `${group}/` : ''}${coreVersions[coreVersions.length - 1]} (${obj.kind} in 1.28)`
          : 'check the apiVersion and kind spelling, or add the CRD to the CRD directory';
    sink.error('schema/unknown-kind', doc, ['apiVersion'], message, fix);
  });
  return scopes;
}
