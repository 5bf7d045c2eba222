/**
 * Custom resources, checked against the CRDs in a folder. Files are indexed by a cheap header scan; a CRD is
 * parsed, converted and compiled only when a document of its kind and version shows up, and the compiled
 * validators are cached by the shape of the object (see `pruneSchema`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { loadAll } from 'js-yaml';
import { convertCrdSchema, prepareValue, pruneSchema } from './crd-convert';
import { isPlainObject } from './model';

interface CrdFile {
  file: string;
  path: string;
  /** group/kind pairs found by the header scan; undefined when a document could not be scanned. */
  defines?: string[];
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

const HEADER_GROUP = /^ {2}group:\s*['"]?([^'"\s]+)/m;
const HEADER_KIND = /^ {2}names:\s*\n(?: {4,}.*\n)*? {4}kind:\s*['"]?([^'"\s]+)/m;

export class CrdRegistry {
  private readonly files: CrdFile[];
  private readonly parsed = new Map<string, any[]>();
  private readonly versions = new Map<string, CrdVersion>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    private readonly ajv: Ajv,
    readonly dir: string,
    private readonly pins: Record<string, string> = {},
  ) {
    this.files = readdirSync(dir)
      .filter((f) => /\.(ya?ml|json)$/.test(f) && statSync(join(dir, f)).isFile())
      .sort()
      .map((file) => {
        const path = join(dir, file);
        const docs = readFileSync(path, 'utf8').split(/^---[ \t]*$/m).filter((d) => /\S/.test(d.replace(/#.*$/gm, '')));
        const pairs = docs.map((d) => {
          const head = d.slice(0, 16384);
          const group = HEADER_GROUP.exec(head)?.[1];
          const kind = HEADER_KIND.exec(head)?.[1];
          return group && kind ? `${group}/${kind}` : undefined;
        });
        return { file, path, defines: pairs.every((x) => x) ? (pairs as string[]) : undefined };
      });
  }

  private crdsIn(f: CrdFile): any[] {
    let crds = this.parsed.get(f.path);
    if (!crds) {
      const text = readFileSync(f.path, 'utf8');
      const docs = f.file.endsWith('.json') ? [JSON.parse(text)] : loadAll(text);
      crds = docs.filter((d: any) => isPlainObject(d) && d.kind === 'CustomResourceDefinition');
      this.parsed.set(f.path, crds);
    }
    return crds;
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
      for (const crd of this.crdsIn(f)) {
        if (crd.spec?.group !== group || crd.spec?.names?.kind !== kind) continue;
        crdName = crd.metadata?.name ?? `${crd.spec.names.plural}.${group}`;
        for (const v of crd.spec.versions ?? []) {
          if (v.served === false) continue;
          if (v.name !== version) {
            served.push(v.name);
            continue;
          }
          const key = `${f.path}#${group}/${kind}/${version}`;
          let cv = this.versions.get(key);
          if (!cv) {
            cv = {
              crd: crdName,
              file: f.file,
              scope: crd.spec.scope === 'Cluster' ? 'Cluster' : 'Namespaced',
              deprecated: v.deprecated ? (v.deprecationWarning ?? `${group}/${version} ${kind} is deprecated`) : undefined,
              schema: convertCrdSchema(v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
            };
            this.versions.set(key, cv);
          }
          return { status: 'found', version: cv };
        }
      }
    }
    return crdName ? { status: 'unserved', crd: crdName, served: [...new Set(served)].sort() } : { status: 'unknown' };
  }

  /** The object as the API server validates it, and the validator for its shape. */
  prepare(cv: CrdVersion, obj: unknown): { data: unknown; validate: ValidateFunction } {
    const data = prepareValue(obj, cv.schema);
    const pruned = pruneSchema(cv.schema, [data]);
    const key = `${cv.crd}#${cv.file}#${JSON.stringify(pruned)}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(pruned);
      this.validators.set(key, validate);
    }
    return { data, validate };
  }
}
