/**
 * Reads YAML files into gate documents. Scalars resolve as in the Go YAML library kubectl uses (YAML 1.1:
 * `on`/`yes` are booleans, `0755` is octal, `9e11` is a float, timestamps become RFC 3339 strings), so a value
 * has the type here that it has for the API server. js-yaml parses (fast); the `yaml` library re-reads a file
 * only when a finding needs a line number, or to explain a syntax error.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { defineScalarTag, load, loadAll, NOT_RESOLVED, YAML11_SCHEMA } from 'js-yaml';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { GateDocument } from './types';

/** go-yaml's float syntax (`yamlStyleFloat`), which unlike YAML 1.1 also accepts `1e3` without a dot. */
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const goFloat = defineScalarTag<number>('tag:yaml.org,2002:float', {
  implicit: true,
  implicitFirstChars: null,
  resolve: (source) => {
    const plain = source.replace(/_/g, '');
    if (GO_FLOAT.test(plain)) return Number(plain);
    if (/^[-+]?\.(inf|Inf|INF)$/.test(source)) return source.startsWith('-') ? -Infinity : Infinity;
    if (/^\.(nan|NaN|NAN)$/.test(source)) return NaN;
    return NOT_RESOLVED;
  },
  identify: (n) => typeof n === 'number' && !Number.isInteger(n),
});
export const KUBECTL_SCHEMA = YAML11_SCHEMA.withTags(goFloat);

/** The documents of a YAML stream as kubectl reads them (empty documents left out). */
export function loadKubectlStream(text: string): unknown[] {
  return loadAll(text, { schema: KUBECTL_SCHEMA })
    .filter((d) => d != null)
    .map(normalize);
}

/** Timestamps reach the API server as RFC 3339 strings (the YAML → JSON step marshals them). */
function normalize(v: unknown): unknown {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString().replace('.000Z', 'Z');
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

function yamlFiles(path: string): string[] {
  const st = statSync(path);
  if (st.isFile()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => {
      const full = join(path, entry);
      return statSync(full).isDirectory() ? yamlFiles(full) : /\.ya?ml$/.test(entry) ? [full] : [];
    });
}

function locateIn(doc: Document, lines: LineCounter, path: readonly (string | number)[]): number | undefined {
  let node: any = doc.contents;
  let found: any = node;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      found = pair.value ?? pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
      node = found = node.items[seg];
    } else break;
  }
  const offset = found?.range?.[0];
  return typeof offset === 'number' ? lines.linePos(offset).line : undefined;
}

/** The `yaml` library's view of a file, built on first use. */
function lazyDocuments(text: string): () => { docs: Document[]; lines: LineCounter } {
  let parsed: { docs: Document[]; lines: LineCounter } | undefined;
  return () => {
    if (!parsed) {
      const lines = new LineCounter();
      parsed = { docs: parseAllDocuments(text, { version: '1.1', lineCounter: lines, uniqueKeys: true }) as Document[], lines };
    }
    return parsed;
  };
}

/** The slow, exact path: every document through the `yaml` library (used when js-yaml refuses the text). */
function parseExact(text: string, file: string): GateDocument[] {
  const { docs, lines } = lazyDocuments(text)();
  const out: GateDocument[] = [];
  for (const doc of docs) {
    const start = doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0;
    const line = lines.linePos(start).line;
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const at = e.linePos?.[0]?.line ?? line;
      const message = e.message.split('\n')[0];
      out.push({ file, object: undefined, line: at, parseError: /line \d+/.test(message) ? message : `${message} (line ${at})` });
      continue;
    }
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) continue;
    out.push({ file, object: normalize(doc.toJS({ maxAliasCount: 100 })), line, locate: (path) => locateIn(doc, lines, path) });
  }
  return out;
}

/** Parses one YAML stream; `file` is the name the report shows. */
export function parseYamlStream(text: string, file: string): GateDocument[] {
  // Directives and inline content after '---' are rare in manifests; leave them to the exact parser.
  if (/^%|^---[ \t]*[^\s#]/m.test(text)) return parseExact(text, file);
  const exact = lazyDocuments(text);
  const out: GateDocument[] = [];
  const rows = text.split('\n');
  let offset = 0;
  let chunk: string[] = [];
  let chunkStart = 0;
  const flush = (): boolean => {
    const body = chunk.join('\n');
    const rowsBefore = chunk;
    const first = chunk.findIndex((l) => /\S/.test(l) && !/^\s*#/.test(l) && !/^\.\.\.\s*$/.test(l));
    chunk = [];
    if (first < 0) return true;
    let object: unknown;
    try {
      object = load(body, { schema: KUBECTL_SCHEMA });
    } catch {
      return false;
    }
    if (object === null || object === undefined) return true;
    const contentAt = chunkStart + rowsBefore.slice(0, first).reduce((n, l) => n + l.length + 1, 0);
    out.push({
      file,
      object: normalize(object),
      line: text.slice(0, chunkStart).split('\n').length + first,
      locate: (path) => {
        const { docs, lines } = exact();
        const doc = docs.find((d) => d.contents?.range && d.contents.range[0] <= contentAt + (rowsBefore[first]?.search(/\S/) ?? 0) && contentAt <= d.contents.range[2]);
        return doc ? locateIn(doc, lines, path) : undefined;
      },
    });
    return true;
  };
  for (const row of rows) {
    if (/^---[ \t]*(#.*)?$/.test(row)) {
      if (!flush()) return parseExact(text, file);
      chunkStart = offset + row.length + 1;
    } else chunk.push(row);
    offset += row.length + 1;
  }
  if (!flush()) return parseExact(text, file);
  return out;
}

/**
 * Reads `*.yaml` / `*.yml` files (folders recursively, in name order). `paths` are relative to `root` (default:
 * `root` itself); report file names are relative to `root`.
 */
export function loadYamlDocuments(root: string, paths?: string[]): GateDocument[] {
  const base = resolve(root);
  const targets = (paths && paths.length ? paths : ['.']).map((p) => (isAbsolute(p) ? p : resolve(base, p)));
  const missing = targets.filter((t) => !existsSync(t));
  if (missing.length) throw new Error(`not found: ${missing.map((m) => relative(base, m) || m).join(', ')}`);
  const files = [...new Set(targets.flatMap(yamlFiles))];
  return files.flatMap((f) => parseYamlStream(readFileSync(f, 'utf8'), relative(base, f).split(sep).join('/') || f));
}
