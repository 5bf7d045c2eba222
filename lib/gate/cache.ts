/**
 * The gate's persistent cache: compiled validators (generated JavaScript) and data derived from the reference
 * files (the kind index of the definitions, converted CRD schemas as JSON), so a later run neither compiles
 * schemas nor parses the large source files.
 *
 * Entries are files named by a sha256 key of everything that determines their content, under
 * `node_modules/.cache/mcp-stack/gate/` of the project (`MCP_STACK_CACHE_DIR` overrides it,
 * `MCP_STACK_CACHE=off` disables the cache). Each entry starts with the sha256 of its body, so a damaged entry
 * reads as missing; writes go to a temporary file that is renamed into place, so concurrent runs never see a
 * partial entry. At most once an hour a run that writes drops entries written over 30 days ago and keeps the folder
 * under `MCP_STACK_CACHE_MAX_MB` (256 by default). Any failure to read or write is silent: the gate then compiles
 * in memory, with the same results.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type BigIntStats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { runInThisContext, Script } from 'node:vm';
import { projectRoot } from './paths';
import { FORMATS, KEYWORD_RUNTIME, REGEXP_ENGINE } from './runtime-names';

/** Bump when the layout of stored entries changes. */
const GATE_CACHE_VERSION = 'gate-cache-1';

/**
 * The gate's own modules whose code shapes what is stored (generated validators, derived reference data, CEL
 * outcomes): their content is part of every key, so an edit never meets entries made by the code before it.
 */
const SHAPING_MODULES = [
  './ajv', './formats', './crd-keywords', './compile', './validators', './cache', './schema', './schema-core', './quantity',
  './schema-crd', './crd-convert', './keyword-runtime', './cel-records', './cel', './cel-optional', './runtime-names',
];
/** Packages whose version shapes it too: the code generator, the formats, the CEL evaluator. */
const SHAPING_PACKAGES = ['ajv', 'ajv-formats', '@bufbuild/cel'];

const OFF = /^(off|0|false|no|disabled?)$/i;
const HASH_LENGTH = 64;

/** sha256 of the parts, each prefixed with its length so that no two lists of parts hash alike. */
export function sha256(...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(`${Buffer.byteLength(p)}:`).update(p);
  return hash.digest('hex');
}

/** The cache folder for this environment, or undefined when the cache is off or has no home. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (OFF.test(env.MCP_STACK_CACHE ?? '')) return undefined;
  if (env.MCP_STACK_CACHE_DIR) return resolve(env.MCP_STACK_CACHE_DIR);
  const modules = join(projectRoot(), 'node_modules');
  return existsSync(modules) ? join(modules, '.cache', 'mcp-stack', 'gate') : undefined;
}

/**
 * A file's identity without reading it: path, size, times and inode. Content derived from a file is stored under
 * its identity (and its content digest, for what is compiled from it); an edit, copy or checkout changes the
 * change time and so the identity.
 */
export function fileIdentity(path: string, st: BigIntStats): string {
  return [path, st.size, st.mtimeNs, st.ctimeNs, st.ino, st.dev].join('\0');
}

/** The installed version of a package (its own package.json, above the file it resolves to). */
function packageVersion(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return String(pkg.version);
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}

/**
 * The files holding the code that shapes stored entries, and the versions of the shaping packages: the gate's
 * module files, or, when the program runs as one bundle (where modules are not files of their own), the bundle.
 */
function shapingCode(): { files: string[]; packages: string[] } {
  try {
    return { files: SHAPING_MODULES.map((m) => require.resolve(m)), packages: SHAPING_PACKAGES.map((name) => `${name}@${packageVersion(name)}`) };
  } catch {
    return { files: [__filename], packages: [] };
  }
}

/** Entries older than this are removed when a run next writes to the cache. */
const MAX_AGE_MS = 30 * 24 * 3600 * 1000;
/** Temporary files older than this were left by a run that was killed while writing. */
const TEMP_AGE_MS = 3600 * 1000;
/**
 * The folder is scanned at most this often: a scan looks at every entry (tens of thousands after a few weeks of
 * thousands of tenants, one CEL record per custom resource), which took most of a second on every run that wrote.
 */
const PRUNE_EVERY_MS = 3600 * 1000;
/** Marks the last scan (its modification time). */
const PRUNED_MARK = '.pruned';
/** Default bound of the folder's size (`MCP_STACK_CACHE_MAX_MB` changes it); the oldest entries go first. */
const DEFAULT_MAX_MB = 256;
/** A scan over the bound trims to this share of it, so that the next one is not due at once. */
const TRIM_TO = 0.75;

/** The size bound from the environment, in bytes. */
export function cacheMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.MCP_STACK_CACHE_MAX_MB);
  return (Number.isFinite(mb) && mb > 0 ? mb : DEFAULT_MAX_MB) * 1024 * 1024;
}

export class CacheStore {
  private writable = true;
  private pruned = false;
  private generationKey?: string;

  constructor(
    readonly dir: string,
    private readonly maxBytes = cacheMaxBytes(),
  ) {}

  /**
   * What every key includes: the layout version, the versions of the shaping packages and the digest of the
   * shaping code. The digest is remembered under the code files' identities, so a run does not read a large bundle.
   */
  generation(): string {
    if (this.generationKey === undefined) {
      const { files, packages } = shapingCode();
      const identities = files.map((f) => fileIdentity(f, statSync(f, { bigint: true })));
      const memo = `code-${sha256(GATE_CACHE_VERSION, ...identities)}.json`;
      let digest = this.readJson<{ digest?: unknown }>(memo)?.digest;
      if (typeof digest !== 'string') {
        digest = sha256(...files.map((f) => readFileSync(f)));
        this.writeJson(memo, { digest });
      }
      this.generationKey = sha256(GATE_CACHE_VERSION, ...packages, digest as string);
    }
    return this.generationKey;
  }

  /** A key for an entry: the generation plus the parts that determine the entry's content. */
  key(...parts: string[]): string {
    return sha256(this.generation(), ...parts);
  }

  private path(name: string): string {
    return join(this.dir, name);
  }

  /** An entry's body and its sha256; undefined when it is missing, unreadable or damaged. */
  readEntry(name: string): { body: Buffer; digest: string } | undefined {
    let raw: Buffer;
    try {
      raw = readFileSync(this.path(name));
    } catch {
      return undefined;
    }
    if (raw.length <= HASH_LENGTH || raw[HASH_LENGTH] !== 0x0a) return undefined;
    const body = raw.subarray(HASH_LENGTH + 1);
    const digest = createHash('sha256').update(body).digest('hex');
    return digest === raw.subarray(0, HASH_LENGTH).toString('latin1') ? { body, digest } : undefined;
  }

  read(name: string): string | undefined {
    return this.readEntry(name)?.body.toString('utf8');
  }

  readJson<T>(name: string): T | undefined {
    const body = this.read(name);
    if (body === undefined) return undefined;
    try {
      return JSON.parse(body) as T;
    } catch {
      return undefined;
    }
  }

  /** Stores an entry atomically; after a failure (read-only or missing folder) the store stops writing. */
  write(name: string, body: string | Buffer): void {
    if (!this.writable) return;
    const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const target = this.path(name);
    const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(temp, Buffer.concat([Buffer.from(`${createHash('sha256').update(data).digest('hex')}\n`, 'latin1'), data]), { flag: 'wx' });
      renameSync(temp, target);
    } catch {
      this.writable = false;
      removeQuietly(temp);
      return;
    }
    this.prune();
  }

  writeJson(name: string, value: unknown): void {
    this.write(name, JSON.stringify(value));
  }

  /**
   * On the first write of a process, when the last scan is over an hour old: drops entries past their age and
   * temporary files of killed runs, then, while the folder is over its size bound, CEL records and then the oldest
   * entries (a run that needs one again makes and stores it again).
   */
  private prune(): void {
    if (this.pruned) return;
    this.pruned = true;
    const now = Date.now();
    const mark = this.path(PRUNED_MARK);
    let names: string[] = [];
    try {
      if (now - statSync(mark).mtimeMs < PRUNE_EVERY_MS) return;
    } catch {
      // never scanned
    }
    try {
      writeFileSync(mark, '');
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    const kept: { path: string; size: number; mtimeMs: number }[] = [];
    for (const name of names) {
      if (name === PRUNED_MARK) continue;
      const path = this.path(name);
      try {
        const st = statSync(path);
        // Folders beside the entries (synth records, cdk8s copies when MCP_STACK_CACHE_DIR is shared) are not ours.
        if (!st.isFile()) continue;
        if (now - st.mtimeMs > (name.endsWith('.tmp') ? TEMP_AGE_MS : MAX_AGE_MS)) unlinkSync(path);
        else if (!name.endsWith('.tmp')) kept.push({ path, size: st.size, mtimeMs: st.mtimeMs });
      } catch {
        // another run removed it first
      }
    }
    let total = kept.reduce((sum, e) => sum + e.size, 0);
    if (total <= this.maxBytes) return;
    // CEL records first (one per custom resource, each cheap to make again), then the oldest of the rest (a chart
    // costs a minute to generate again).
    const rank = (e: { path: string }) => (basename(e.path).startsWith('cel-') ? 0 : 1);
    kept.sort((a, b) => rank(a) - rank(b) || a.mtimeMs - b.mtimeMs);
    for (const entry of kept) {
      if (total <= this.maxBytes * TRIM_TO) break;
      removeQuietly(entry.path);
      total -= entry.size;
    }
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // nothing to remove
  }
}

/** Stores by folder; null for a folder whose store could not be set up. */
const stores = new Map<string, CacheStore | null>();

/**
 * The store for the current environment (one per folder per process), or undefined when the cache is off, or
 * when the code it would be keyed by cannot be identified.
 */
export function openCache(env: NodeJS.ProcessEnv = process.env): CacheStore | undefined {
  const dir = cacheDir(env);
  if (!dir) return undefined;
  if (!stores.has(dir)) {
    const store = new CacheStore(dir, cacheMaxBytes(env));
    try {
      store.generation();
      stores.set(dir, store);
    } catch {
      stores.set(dir, null);
    }
  }
  return stores.get(dir) ?? undefined;
}

/** What stored code may `require`: the gate's runtime modules by name, and ajv's runtime helpers. */
const RUNTIME: Record<string, () => unknown> = {
  [KEYWORD_RUNTIME]: () => require('./keyword-runtime'),
  [REGEXP_ENGINE]: () => require('./regexp'),
  [FORMATS]: () => require('./formats'),
  'ajv/dist/runtime/equal': () => require('ajv/dist/runtime/equal'),
  'ajv/dist/runtime/ucs2length': () => require('ajv/dist/runtime/ucs2length'),
  'ajv/dist/runtime/uri': () => require('ajv/dist/runtime/uri'),
  'ajv/dist/runtime/validation_error': () => require('ajv/dist/runtime/validation_error'),
};

function runtimeRequire(id: string): unknown {
  const load = Object.prototype.hasOwnProperty.call(RUNTIME, id) ? RUNTIME[id] : undefined;
  if (!load) throw new Error(`stored validator code requires '${id}', which the gate does not provide`);
  return load();
}

/** Whether generated code needs nothing but what `loadModule` provides, so that it can be stored. */
export function canStore(code: string): boolean {
  return [...code.matchAll(/\brequire\(("(?:[^"\\]|\\.)*")\)/g)].every((m) => Object.prototype.hasOwnProperty.call(RUNTIME, JSON.parse(m[1]) as string));
}

let mainRealm: boolean | undefined;

/** Whether this code runs in the process's main realm (not inside a test sandbox with its own built-ins). */
function inMainRealm(): boolean {
  mainRealm ??= runInThisContext('Function') === Function;
  return mainRealm;
}

/** A module run from stored code; `saveCodeCache` is set when V8's code cache for it should be stored. */
export interface StoredModule {
  exports: Record<string, unknown>;
  saveCodeCache?: () => void;
}

/**
 * Runs a stored module of generated code as CommonJS. Its `require` provides the modules of `RUNTIME` only, the
 * instances already loaded here. In the main realm it compiles with V8's code cache, stored under the code's own
 * digest (V8 itself only compares the length of the source); elsewhere, e.g. inside a test sandbox, it runs
 * through `Function` in the caller's realm. Undefined when the entry is missing or damaged or its code does not run.
 */
export function loadModule(store: CacheStore, name: string): StoredModule | undefined {
  const entry = store.readEntry(name);
  if (!entry) return undefined;
  const code = entry.body.toString('utf8');
  const module = { exports: {} as Record<string, unknown> };
  try {
    if (!inMainRealm()) {
      new Function('require', 'module', 'exports', code)(runtimeRequire, module, module.exports);
      return { exports: module.exports };
    }
    const codeCacheName = `v8-${sha256(entry.digest, process.versions.v8, process.arch)}.bin`;
    const cachedData = store.readEntry(codeCacheName)?.body;
    const script = new Script(`(function (require, module, exports) {${code}\n})`, { cachedData });
    script.runInThisContext()(runtimeRequire, module, module.exports);
    if (cachedData && !script.cachedDataRejected) return { exports: module.exports };
    return { exports: module.exports, saveCodeCache: () => store.write(codeCacheName, script.createCachedData()) };
  } catch {
    return undefined;
  }
}
