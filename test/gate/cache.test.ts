/**
 * The gate's persistent cache of compiled validators and derived reference data. Whatever the cache holds, the
 * reports are the same as without it: the same corpus (broken fixtures, a CRD with every extension, real
 * profile output) is validated with the cache off, cold and warm. A warm run reads no reference file and compiles
 * nothing; damaged entries are recompiled; an unwritable location falls back to memory; changed reference content
 * is never served from old entries.
 *
 * Each run loads the gate afresh (`jest.isolateModules`), so nothing is kept in memory from an earlier run, and
 * validates inside that callback, so the modules the gate loads lazily come from the same fresh registry.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { gatePolicy } from '../../lib/cli/gate';
import { renderProfile } from '../../lib/cli/synth';
import type { GateDocument, GateOptions, GateReport } from '../../lib/gate';
import { defaultCrdDir, defaultSchemaPath, projectRoot } from '../../lib/gate';
import { cacheDir, canStore } from '../../lib/gate/cache';
import { values } from '../support';
import { brokenFixtureFiles, FIXTURES, loadBrokenFixture } from './support';

interface Case {
  name: string;
  docs: GateDocument[];
  options: GateOptions;
}

type Mode = 'off' | { dir: string };

const temps: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gate-cache-'));
  temps.push(dir);
  return dir;
}

afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function profileCase(profile: string): Case {
  const v = values(profile, ['benchmark.enabled=true']);
  const docs = [...renderProfile(v)]
    .filter(([file]) => /\.ya?ml$/.test(file))
    .flatMap(([file, text]) => loadAll(text).filter((o) => o != null).map((object) => ({ file, object })));
  return { name: `profile ${profile}`, docs, options: { policy: gatePolicy(v) } };
}

function widgetCase(crdDir = join(FIXTURES, 'crds')): Case {
  const widget = (spec: unknown, apiVersion = 'example.com/v1') => ({ apiVersion, kind: 'Widget', metadata: { name: 'w', namespace: 'demo' }, spec });
  const objects = [
    widget({ replicas: 11, timeout: '2h', tags: ['a', 'a'], ports: [{ name: 'a' }, { name: 'a', protocol: 'TCP' }], code: 'ab1', note: 'too long', size: '1Gi' }),
    widget({ replicas: 2, port: true, bogus: 1 }),
    widget({ anything: 1 }, 'example.com/v1alpha1'),
    widget({}, 'example.com/v1beta1'),
    { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'demo' } },
  ];
  return { name: 'widgets', docs: objects.map((object, i) => ({ file: `w${i}.yaml`, object })), options: { crdDir } };
}

const profiles = ['kind', 'ocp', 'production'].map(profileCase);
const fixtures: Case[] = brokenFixtureFiles().map((f) => {
  const fx = loadBrokenFixture(f);
  return { name: f, docs: fx.docs, options: { policy: fx.policy } };
});
const corpus: Case[] = [...fixtures, widgetCase(), ...profiles];

function setEnv(mode: Mode): () => void {
  const saved = { off: process.env.MCP_STACK_CACHE, dir: process.env.MCP_STACK_CACHE_DIR };
  if (mode === 'off') {
    process.env.MCP_STACK_CACHE = 'off';
    delete process.env.MCP_STACK_CACHE_DIR;
  } else {
    delete process.env.MCP_STACK_CACHE;
    process.env.MCP_STACK_CACHE_DIR = mode.dir;
  }
  return () => {
    for (const [key, value] of [['MCP_STACK_CACHE', saved.off], ['MCP_STACK_CACHE_DIR', saved.dir]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

interface RunOptions {
  /** Fail if the run compiles anything (loads the compiler). */
  noCompile?: boolean;
  /** Fail if the run loads the CEL evaluator. */
  noCel?: boolean;
}

/** Validates every case in a fresh copy of the gate, with the cache in `mode`. */
function run(mode: Mode, cases: Case[], opts: RunOptions = {}): GateReport[] {
  const restore = setEnv(mode);
  const refuse = (what: string) => () => {
    throw new Error(`the run loaded ${what}`);
  };
  if (opts.noCompile) jest.doMock('../../lib/gate/compile', refuse('the compiler'));
  if (opts.noCel) jest.doMock('../../lib/gate/cel', refuse('the CEL evaluator'));
  try {
    let reports: GateReport[] = [];
    jest.isolateModules(() => {
      const gate = require('../../lib/gate') as typeof import('../../lib/gate');
      reports = cases.map((c) => gate.validateDocuments(c.docs, c.options));
    });
    return reports;
  } finally {
    jest.dontMock('../../lib/gate/compile');
    jest.dontMock('../../lib/gate/cel');
    restore();
  }
}

/** Writes a cache entry the way the store does: the sha256 of the body on the first line. */
function writeEntry(path: string, text: string): void {
  const body = Buffer.from(text);
  writeFileSync(path, Buffer.concat([Buffer.from(`${createHash('sha256').update(body).digest('hex')}\n`), body]));
}

/** The cache's files whose names start with `prefix` (the mark of the last scan is not an entry). */
function entries(dir: string, prefix = ''): string[] {
  return readdirSync(dir).filter((f) => f.startsWith(prefix) && f !== '.pruned');
}

describe('the persistent validator cache', () => {
  let baseline: GateReport[];

  beforeAll(() => {
    baseline = run('off', corpus);
  });

  it('gives the same reports with the cache off, cold and warm; a warm run compiles nothing and replays CEL outcomes', () => {
    const dir = tempDir();
    expect(run({ dir }, corpus)).toStrictEqual(baseline);
    expect(entries(dir, 'core-').length).toBeGreaterThan(0);
    expect(entries(dir, 'crd-').length).toBeGreaterThan(0);
    expect(entries(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Stored code names what it needs and carries no path of this checkout, so it runs from a bundle too.
    for (const f of entries(dir).filter((x) => x.endsWith('.js'))) {
      const code = readFileSync(join(dir, f), 'utf8');
      expect(code).not.toContain(projectRoot());
      expect(canStore(code)).toBe(true);
    }
    expect(canStore('const x = require("node:fs");')).toBe(false);
    expect(run({ dir }, corpus, { noCompile: true, noCel: true })).toStrictEqual(baseline);
    // The corpus has findings of every kind, CEL failures and rules that cannot be evaluated here.
    expect(baseline.some((r) => r.notEvaluable.length > 0)).toBe(true);
    expect(baseline.flatMap((r) => r.findings.map((f) => f.rule))).toEqual(expect.arrayContaining(['schema/cel', 'schema/list-map-duplicate', 'schema/unknown-field', 'schema/quantity']));
  });

  it('on a warm cache reads neither the definitions nor any CRD file, and loads no CEL evaluator', () => {
    const dir = tempDir();
    const cases = [profiles[0], profiles[1]];
    run({ dir }, cases);
    const crdDir = defaultCrdDir();
    // The module object itself (an `import *` namespace is a frozen copy that cannot be spied on).
    const spy = jest.spyOn(require('node:fs') as typeof import('node:fs'), 'readFileSync');
    try {
      expect(run({ dir }, cases, { noCompile: true, noCel: true })).toStrictEqual(cases.map((c) => baseline[corpus.indexOf(c)]));
      const read = spy.mock.calls.map(([path]) => String(path));
      expect(read.filter((p) => p === defaultSchemaPath() || p.startsWith(crdDir))).toEqual([]);
      expect(read.filter((p) => p.startsWith(dir)).length).toBeGreaterThan(0);
      const ownCode = join(__dirname, '..', '..', 'lib', 'validation');
      expect(read.filter((p) => !p.startsWith(dir) && !p.startsWith(ownCode) && !p.endsWith('package.json'))).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it('is checked by runs that really refuse to compile or to load CEL', () => {
    expect(() => run({ dir: tempDir() }, [profiles[0]], { noCompile: true })).toThrow('the run loaded the compiler');
    expect(() => run('off', [widgetCase()], { noCel: true })).toThrow('the run loaded the CEL evaluator');
  });

  it('recompiles damaged entries and still reports correctly', () => {
    const dir = tempDir();
    const cases = [profiles[1], widgetCase()];
    const expected = [baseline[corpus.indexOf(profiles[1])], baseline[corpus.indexOf(corpus.find((c) => c.name === 'widgets')!)]];
    run({ dir }, cases);
    const damaged = new Map<string, Buffer>();
    for (const f of entries(dir)) {
      const path = join(dir, f);
      const body = readFileSync(path);
      // Truncate some, flip a byte in the middle of the others.
      const broken = damaged.size % 2 ? body.subarray(0, body.length >> 1) : Buffer.from(body.map((b, i) => (i === body.length >> 1 ? b ^ 0x55 : b)));
      writeFileSync(path, broken);
      damaged.set(f, broken);
    }
    expect(run({ dir }, cases)).toStrictEqual(expected);
    // Every damaged entry was written again, and the next run uses them.
    for (const [f, broken] of damaged) expect(readFileSync(join(dir, f)).equals(broken)).toBe(false);
    expect(run({ dir }, cases, { noCompile: true })).toStrictEqual(expected);
  });

  it('ignores a stored module that does not run, even with a valid checksum', () => {
    const dir = tempDir();
    const cases = [widgetCase()];
    run({ dir }, cases);
    for (const f of entries(dir).filter((x) => x.endsWith('.js'))) writeEntry(join(dir, f), 'exports.nothing = (;');
    expect(run({ dir }, cases)).toStrictEqual([baseline[corpus.findIndex((c) => c.name === 'widgets')]]);
  });

  it('replays CEL outcomes only while they stay in step, and only for objects that are plain JSON', () => {
    const dir = tempDir();
    const cases = [widgetCase()];
    const expected = [baseline[corpus.findIndex((c) => c.name === 'widgets')]];
    run({ dir }, cases);
    const records = entries(dir, 'cel-');
    expect(records.length).toBeGreaterThan(0);
    for (const f of records) writeEntry(join(dir, f), JSON.stringify([{ rule: 'self.other', outcome: { status: 'pass' } }]));
    expect(run({ dir }, cases)).toStrictEqual(expected);

    // YAML's `.inf` and `.nan` both print as null in JSON: such an object has no record.
    const infinite = widgetCase();
    infinite.docs[0].object.spec.extra = { limit: Infinity };
    const before = entries(dir, 'cel-').length;
    expect(run({ dir }, [infinite])).toStrictEqual(run('off', [infinite]));
    expect(entries(dir, 'cel-').length).toBe(before);
  });

  it('drops entries older than 30 days and temporary files of killed runs when it next writes', () => {
    const dir = tempDir();
    const old = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    for (const name of ['core-old.js', 'crd-old.js.123.abc.tmp']) {
      writeFileSync(join(dir, name), 'x');
      utimesSync(join(dir, name), old, old);
    }
    writeFileSync(join(dir, 'crd-new.js.456.def.tmp'), 'x');
    run({ dir }, [widgetCase()]);
    expect(entries(dir).filter((f) => f.includes('old'))).toEqual([]);
    expect(entries(dir)).toContain('crd-new.js.456.def.tmp');
  });

  it('scans the folder at most once an hour', () => {
    const dir = tempDir();
    const old = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    writeFileSync(join(dir, 'core-old.js'), 'x');
    utimesSync(join(dir, 'core-old.js'), old, old);
    // A scan a moment ago: this run writes, and leaves the old entry for the next scan.
    writeFileSync(join(dir, '.pruned'), '');
    run({ dir }, [widgetCase()]);
    expect(entries(dir)).toContain('core-old.js');
    const earlier = new Date(Date.now() - 2 * 3600 * 1000);
    utimesSync(join(dir, '.pruned'), earlier, earlier);
    for (const name of entries(dir)) if (name !== 'core-old.js') rmSync(join(dir, name));
    run({ dir }, [widgetCase()]);
    expect(entries(dir)).not.toContain('core-old.js');
  });

  it('keeps the folder under MCP_STACK_CACHE_MAX_MB: CEL records go first, then the oldest entries', () => {
    const dir = tempDir();
    const put = (name: string, mb: number, minutesAgo: number) => {
      const when = new Date(Date.now() - minutesAgo * 60_000);
      writeFileSync(join(dir, name), Buffer.alloc(mb * 1024 * 1024));
      utimesSync(join(dir, name), when, when);
    };
    put('cel-recent.json', 5, 1);
    put('core-oldest.js', 10, 30);
    put('core-newer.js', 10, 20);
    put('chart-newest.json', 10, 10);
    process.env.MCP_STACK_CACHE_MAX_MB = '30';
    try {
      run({ dir }, [widgetCase()]);
    } finally {
      delete process.env.MCP_STACK_CACHE_MAX_MB;
    }
    // 35 MiB and this run's entries, over 30: trimmed to under 22.5 by the CEL records and then the oldest entry.
    const left = entries(dir);
    expect(left).not.toContain('cel-recent.json');
    expect(left).not.toContain('core-oldest.js');
    expect(left).toEqual(expect.arrayContaining(['core-newer.js', 'chart-newest.json']));
    // What this run wrote (other than CEL records) is the newest, and stays.
    expect(left.filter((name) => /^(?!cel-)[a-z0-9]+-[0-9a-f]{64}\./.test(name)).length).toBeGreaterThan(0);
  });

  it('falls back to compiling in memory when the location cannot be written', () => {
    const parent = tempDir();
    writeFileSync(join(parent, 'a-file'), '');
    const dir = join(parent, 'a-file', 'cache');
    expect(run({ dir }, corpus.slice(0, 3))).toStrictEqual(baseline.slice(0, 3));
    expect(readdirSync(parent)).toEqual(['a-file']);
  });

  it('never serves entries of changed definitions, and reuses them for a copy with the same content', () => {
    const dir = tempDir();
    const work = tempDir();
    const schemaPath = join(work, 'defs.json');
    copyFileSync(defaultSchemaPath(), schemaPath);
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'n' }, spec: { sessionAffinity: 'None', ports: [{ port: 80 }] } };
    const cases = [{ name: 'service', docs: [{ file: 's.yaml', object: service }], options: { schemaPath } }];
    expect(run({ dir }, cases)[0].findings).toEqual([]);

    // One change: ServiceSpec loses `sessionAffinity`, so the same object now has an unknown field.
    const defs = JSON.parse(readFileSync(schemaPath, 'utf8'));
    delete defs.definitions['io.k8s.api.core.v1.ServiceSpec'].properties.sessionAffinity;
    writeFileSync(schemaPath, JSON.stringify(defs));
    const changed = run({ dir }, cases);
    expect(changed).toStrictEqual(run('off', cases));
    expect(changed[0].findings.map((f) => `${f.rule} ${f.path}`)).toEqual(['schema/unknown-field spec.sessionAffinity']);

    // A copy with the same content (another path and identity) reuses the compiled validators.
    const copy = join(work, 'copy.json');
    copyFileSync(schemaPath, copy);
    expect(run({ dir }, [{ ...cases[0], options: { schemaPath: copy } }], { noCompile: true })).toStrictEqual(changed);
  });

  it('never serves entries of a changed CRD', () => {
    const dir = tempDir();
    const crdDir = join(tempDir(), 'crds');
    cpSync(join(FIXTURES, 'crds'), crdDir, { recursive: true });
    const cases = [widgetCase(crdDir)];
    expect(run({ dir }, cases)).toStrictEqual([baseline[corpus.findIndex((c) => c.name === 'widgets')]]);
    const file = readdirSync(crdDir).find((f) => readFileSync(join(crdDir, f), 'utf8').includes('kind: Widget'))!;
    const text = readFileSync(join(crdDir, file), 'utf8');
    expect(text).toContain('maxLength: 5');
    writeFileSync(join(crdDir, file), text.replace('maxLength: 5', 'maxLength: 50'));
    const changed = run({ dir }, cases);
    expect(changed).toStrictEqual(run('off', cases));
    expect(changed[0].findings.map((f) => f.message).filter((m) => m.includes('more than 5 characters'))).toEqual([]);
  });
});

describe('the cache location', () => {
  it('is node_modules/.cache/mcp-stack/gate of the project, overridable and switchable off', () => {
    expect(cacheDir({})).toBe(join(projectRoot(), 'node_modules', '.cache', 'mcp-stack', 'gate'));
    expect(cacheDir({ MCP_STACK_CACHE_DIR: '/tmp/elsewhere' })).toBe('/tmp/elsewhere');
    expect(cacheDir({ MCP_STACK_CACHE: 'off', MCP_STACK_CACHE_DIR: '/tmp/elsewhere' })).toBeUndefined();
  });
});
