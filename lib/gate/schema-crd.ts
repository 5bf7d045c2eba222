/**
 * Custom resources, checked against the CRDs in a folder. Files are indexed by a cheap header scan; a CRD file
 * is parsed and its versions converted only when a document of one of its kinds shows up, and each object is
 * validated against the CRD schema pruned to the fields it uses (see `pruneSchema`).
 *
 * With the cache on, the header index (under the folder listing's file identities), each parsed file's CRD
 * summary and each converted version schema (as JSON, under the file's content digest) are stored, so a warm
 * run reads no CRD file at all.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileIdentity, sha256, type CacheStore } from './cache';
import { convertCrdSchema, prepareValue, pruneSchema, structureOf } from './crd-convert';
import { isPlainObject } from './model';

interface CrdFile {
  file: string;
  path: string;
  /** sha256 of the content (with the cache on). */
  digest?: string;
  /** group/kind pairs found by the header scan; undefined when a document could not be scanned. */
  defines?: string[];
}

/** One CRD of a file, as much as lookups need; its version schemas are stored apart. */
interface CrdSummary {
  name: string;
  group?: string;
  kind?: string;
  scope: 'Namespaced' | 'Cluster';
  /** Served versions, in file order. */
  versions: { name: string; deprecated?: string }[];
}

interface ParsedFile {
  crds: CrdSummary[];
  /** Converted schemas by `<crd index>/<served version index>`, when the file was parsed in this process. */
  schemas?: Map<string, any>;
}

export interface CrdVersion {
  /** `<plural>.<group>`, for messages. */
  crd: string;
  file: string;
  scope: 'Namespaced' | 'Cluster';
  deprecated?: string;
  /** The converted schema (root included). */
  schema: any;
}

export type CrdLookup =
  | { status: 'found'; version: CrdVersion }
  | { status: 'unserved'; crd: string; served: string[] }
  | { status: 'unknown' };

/** An object ready for validation: as the API server sees it, and the validator key of its shape. */
export interface CrdShape {
  data: unknown;
  key: string;
  schema: object;
}

const HEADER_GROUP = /^ {2}group:\s*['"]?([^'"\s]+)/m;
const HEADER_KIND = /^ {2}names:\s*\n(?: {4,}.*\n)*? {4}kind:\s*['"]?([^'"\s]+)/m;
const DEFAULT_SCHEMA = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

function scanHeaders(text: string): string[] | undefined {
  const docs = text.split(/^---[ \t]*$/m).filter((d) => /\S/.test(d.replace(/#.*$/gm, '')));
  const pairs = docs.map((d) => {
    const head = d.slice(0, 16384);
    const group = HEADER_GROUP.exec(head)?.[1];
    const kind = HEADER_KIND.exec(head)?.[1];
    return group && kind ? `${group}/${kind}` : undefined;
  });
  return pairs.every((x) => x) ? (pairs as string[]) : undefined;
}

function syntaxOf(file: string): string {
  return file.endsWith('.json') ? 'json' : 'yaml';
}

/**
 * Parses a CRD file: the summaries, and every served version's schema converted (and made plain JSON, as the API
 * server holds it). `digest` is the sha256 of the content parsed.
 */
function parseCrdFile(f: CrdFile): { parsed: ParsedFile; json: Map<string, string>; digest: string } {
  const raw = readFileSync(f.path);
  const text = raw.toString('utf8');
  const docs: unknown[] = syntaxOf(f.file) === 'json' ? [JSON.parse(text)] : (require('js-yaml') as typeof import('js-yaml')).loadAll(text);
  const crds = docs.filter((d: any) => isPlainObject(d) && d.kind === 'CustomResourceDefinition') as any[];
  const json = new Map<string, string>();
  const schemas = new Map<string, any>();
  const summaries = crds.map((crd, i): CrdSummary => {
    const group = crd.spec?.group;
    const kind = crd.spec?.names?.kind;
    const versions = ((crd.spec?.versions ?? []) as any[]).filter((v) => v.served !== false);
    versions.forEach((v, j) => {
      const text = JSON.stringify(convertCrdSchema(v.schema?.openAPIV3Schema ?? DEFAULT_SCHEMA));
      json.set(`${i}/${j}`, text);
      schemas.set(`${i}/${j}`, JSON.parse(text));
    });
    return {
      name: crd.metadata?.name ?? `${crd.spec?.names?.plural}.${group}`,
      group,
      kind,
      scope: crd.spec?.scope === 'Cluster' ? 'Cluster' : 'Namespaced',
      versions: versions.map((v) => ({
        name: v.name,
        ...(v.deprecated ? { deprecated: v.deprecationWarning ?? `${group}/${v.name} ${kind} is deprecated` } : {}),
      })),
    };
  });
  return { parsed: { crds: summaries, schemas }, json, digest: sha256(raw) };
}

function isFileList(x: any, names: string[]): x is { files: CrdFile[] } {
  if (!isPlainObject(x) || !Array.isArray(x.files) || x.files.length !== names.length) return false;
  return x.files.every(
    (f: any, i: number) =>
      isPlainObject(f) && f.file === names[i] && typeof f.digest === 'string' && (f.defines === undefined || (Array.isArray(f.defines) && f.defines.every((d: unknown) => typeof d === 'string'))),
  );
}

function isSummaryList(x: any): x is { crds: CrdSummary[] } {
  return (
    isPlainObject(x) &&
    Array.isArray(x.crds) &&
    x.crds.every((c: any) => isPlainObject(c) && typeof c.name === 'string' && Array.isArray(c.versions) && c.versions.every((v: any) => typeof v?.name === 'string'))
  );
}

export class CrdRegistry {
  private readonly files: CrdFile[];
  private readonly parsed = new Map<string, ParsedFile>();
  private readonly versions = new Map<string, CrdVersion>();
  /** Pruned schemas and their validator keys, per CRD version and object structure (see `shape`). */
  private readonly pruned = new Map<CrdVersion, Map<string, { key: string; schema: any }>>();

  constructor(
    readonly dir: string,
    private readonly pins: Record<string, string> = {},
    private readonly store?: CacheStore,
  ) {
    const listing = readdirSync(dir)
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .sort()
      .map((file) => ({ file, path: join(dir, file), stat: statSync(join(dir, file), { bigint: true }) }))
      .filter((f) => f.stat.isFile());
    const entry = store && `crd-dir-${store.key(dir, ...listing.map((f) => fileIdentity(f.path, f.stat)))}.json`;
    const cached = entry ? store!.readJson<unknown>(entry) : undefined;
    if (isFileList(cached, listing.map((f) => f.file))) {
      this.files = cached.files.map((f, i) => ({ ...f, path: listing[i].path }));
      return;
    }
    this.files = listing.map(({ file, path }) => {
      const raw = readFileSync(path);
      return { file, path, digest: store ? sha256(raw) : undefined, defines: scanHeaders(raw.toString('utf8')) };
    });
    if (entry) store!.writeJson(entry, { files: this.files.map(({ file, digest, defines }) => ({ file, digest, defines })) });
  }

  private fileEntry(f: CrdFile, ...parts: string[]): string | undefined {
    return this.store && f.digest ? this.store.key(f.digest, syntaxOf(f.file), ...parts) : undefined;
  }

  private parse(f: CrdFile): ParsedFile {
    const { parsed, json, digest } = parseCrdFile(f);
    this.parsed.set(f.path, parsed);
    const summary = this.fileEntry(f, 'summary');
    // Stored only under the digest of the content actually parsed (the file may have changed since it was indexed).
    if (summary && digest === f.digest) {
      for (const [at, text] of json) this.store!.write(`crd-schema-${this.fileEntry(f, 'schema', at)}.json`, text);
      this.store!.writeJson(`crd-file-${summary}.json`, { crds: parsed.crds });
    }
    return parsed;
  }

  private crdsIn(f: CrdFile): CrdSummary[] {
    let parsed = this.parsed.get(f.path);
    if (!parsed) {
      const summary = this.fileEntry(f, 'summary');
      const cached = summary ? this.store!.readJson<unknown>(`crd-file-${summary}.json`) : undefined;
      if (isSummaryList(cached)) {
        parsed = { crds: cached.crds };
        this.parsed.set(f.path, parsed);
      } else {
        parsed = this.parse(f);
      }
    }
    return parsed.crds;
  }

  /** A version's converted schema: parsed in this process, stored, or parsed now. */
  private schemaOf(f: CrdFile, at: string): any {
    const inMemory = this.parsed.get(f.path)?.schemas;
    if (inMemory) return inMemory.get(at);
    const entry = this.fileEntry(f, 'schema', at);
    const cached = entry ? this.store!.readJson<unknown>(`crd-schema-${entry}.json`) : undefined;
    if (cached !== undefined) return cached;
    return this.parse(f).schemas!.get(at);
  }

  /** Files that may define group/kind: header matches, plus files whose header could not be read. */
  private candidates(group: string, kind: string): CrdFile[] {
    const pin = this.pins[`${group}/${kind}`];
    const files = this.files.filter((f) => !f.defines || f.defines.includes(`${group}/${kind}`));
    return pin ? files.filter((f) => f.file === pin) : files;
  }

  lookup(group: string, version: string, kind: string): CrdLookup {
    const served: string[] = [];
    let crdName = '';
    for (const f of this.candidates(group, kind)) {
      const crds = this.crdsIn(f);
      for (let i = 0; i < crds.length; i++) {
        const crd = crds[i];
        if (crd.group !== group || crd.kind !== kind) continue;
        crdName = crd.name;
        for (const [j, v] of crd.versions.entries()) {
          if (v.name !== version) {
            served.push(v.name);
            continue;
          }
          const key = `${f.path}#${group}/${kind}/${version}`;
          let cv = this.versions.get(key);
          if (!cv) {
            cv = { crd: crdName, file: f.file, scope: crd.scope, deprecated: v.deprecated, schema: this.schemaOf(f, `${i}/${j}`) };
            this.versions.set(key, cv);
          }
          return { status: 'found', version: cv };
        }
      }
    }
    return crdName ? { status: 'unserved', crd: crdName, served: [...new Set(served)].sort() } : { status: 'unknown' };
  }

  /**
   * The object as the API server validates it, and the key and schema of the validator for its shape. Pruning reads
   * only the object's structure (its keys, and which values are objects or lists), so objects with the same
   * structure share one pruned schema: a thousand tenants' MCPServers are pruned and hashed once.
   */
  shape(cv: CrdVersion, obj: unknown): CrdShape {
    const data = prepareValue(obj, cv.schema);
    let byStructure = this.pruned.get(cv);
    if (!byStructure) this.pruned.set(cv, (byStructure = new Map()));
    const structure = structureOf(data);
    let found = byStructure.get(structure);
    if (!found) {
      const schema = pruneSchema(cv.schema, [data]);
      found = { key: `crd-${sha256(JSON.stringify(schema))}`, schema };
      byStructure.set(structure, found);
    }
    return { data, ...found };
  }
}
