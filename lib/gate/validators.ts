/**
 * Compiled validators by key, from three places in turn: this process's memory, the persistent cache (one
 * generated module per batch of validators a run needed) and, on a miss, the compiler. The compiler (and ajv
 * with it) loads only on a miss, and only then are the core definitions parsed.
 *
 * Keys: `core-<definition name>` for a core kind, `crd-<sha256 of the pruned schema>` for a custom resource
 * shape. A batch is stored under the cache generation, the definitions' content digest (core kinds, and the
 * ObjectMeta every CRD schema references) and the sorted keys of the batch.
 */
import type { ValidateFunction } from 'ajv';
import { canStore, loadModule, type CacheStore } from './cache';
import type { Compiler } from './compile';

export interface Wanted {
  key: string;
  /** The schema to compile, asked for only on a miss. */
  schema: () => object;
}

export interface DefinitionsSource {
  /** Content digest of the definitions file (read or remembered). */
  digest(): string;
  /** The strict definitions, parsed on first use. */
  definitions(): Record<string, unknown>;
}

export class Validators {
  private readonly ready = new Map<string, ValidateFunction>();
  private compiler?: Compiler;
  private readonly unsavedCodeCache: (() => void)[] = [];

  constructor(
    private readonly source: DefinitionsSource,
    private readonly store: CacheStore | undefined,
  ) {}

  get(key: string): ValidateFunction {
    const v = this.ready.get(key);
    if (!v) throw new Error(`gate: no validator ${key} was prepared`);
    return v;
  }

  /** Makes every wanted validator available; `batch` names the group in the cache (`core`, `crd`). */
  provide(batch: string, wanted: Wanted[]): void {
    const missing = new Map<string, Wanted>();
    for (const w of wanted) if (!this.ready.has(w.key)) missing.set(w.key, w);
    if (missing.size === 0) return;
    const keys = [...missing.keys()].sort();
    if (this.store && this.loadBatch(this.entryName(batch, keys), keys)) return;
    const compiler = this.compilerFor();
    const compiled = compiler.compile(keys.map((key) => ({ key, schema: missing.get(key)!.schema() })));
    for (const [key, validate] of compiled) this.ready.set(key, validate);
    if (this.store) this.storeBatch(this.store, compiler, batch, keys);
  }

  /** Stores a compiled batch; the validators in memory serve this run whether or not that works. */
  private storeBatch(store: CacheStore, compiler: Compiler, batch: string, keys: string[]): void {
    let code: string;
    try {
      code = compiler.moduleCode(keys);
    } catch {
      return;
    }
    // Named after compiling: the definitions' digest is then the one of the content actually compiled.
    if (canStore(code)) store.write(this.entryName(batch, keys), code);
  }

  private entryName(batch: string, keys: string[]): string {
    return `${batch}-${this.store!.key(this.source.digest(), batch, ...keys)}.js`;
  }

  private loadBatch(entry: string, keys: string[]): boolean {
    const loaded = loadModule(this.store!, entry);
    const exports = loaded?.exports;
    if (!exports || !keys.every((k) => typeof exports[k] === 'function')) return false;
    for (const k of keys) this.ready.set(k, exports[k] as ValidateFunction);
    if (loaded.saveCodeCache) this.unsavedCodeCache.push(loaded.saveCodeCache);
    return true;
  }

  /**
   * Stores V8's code cache of the modules loaded without one. Called after validating, so the cache also holds
   * the functions that validation compiled.
   */
  saveCodeCache(): void {
    for (const save of this.unsavedCodeCache.splice(0)) {
      try {
        save();
      } catch {
        // a code cache only saves time
      }
    }
  }

  private compilerFor(): Compiler {
    if (!this.compiler) {
      const { Compiler } = require('./compile') as typeof import('./compile');
      this.compiler = new Compiler(this.source.definitions());
    }
    return this.compiler;
  }
}
