/**
 * The YAML emitter against js-yaml itself: `dumpYaml(v)` must equal `dump(v, { lineWidth: -1, noRefs: true })`
 * byte for byte, for every object the synth writes, every committed document, a corpus of hostile strings and
 * numbers in every position, and thousands of seeded random values.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { loadValues, profileNames } from '../profiles/loader';
import type { Values } from '../profiles/schema';
import { renderProfile } from '../lib/cli/synth';
import * as output from '../lib/output/index';
import { dumpYaml } from '../lib/output/yaml';
import { sampleTenants, tenantValues } from './tenants/fixtures';

const ROOT = join(__dirname, '..');
const reference = (v: unknown): string => dump(v, { lineWidth: -1, noRefs: true });

/** Values whose text differs, with both texts, so a failure shows what went wrong (empty when all match). */
function mismatches(values: readonly unknown[]): { value: string; expected: string; received: string }[] {
  const out: { value: string; expected: string; received: string }[] = [];
  for (const v of values) {
    const expected = reference(v);
    const received = dumpYaml(v);
    if (received !== expected) out.push({ value: JSON.stringify(v)?.slice(0, 300) ?? String(v), expected, received });
  }
  return out;
}

/** The message a call throws, or '' when it returns. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

// ---------------------------------------------------------------------------------------------------------------

describe('every object the synth writes', () => {
  /** Every profile, with and without the benchmark, with the example tenants or the fixture tenants. */
  const cases: { name: string; values: () => Values }[] = [];
  for (const profile of profileNames) {
    cases.push({ name: `${profile}`, values: () => loadValues({ profile }) });
    cases.push({ name: `${profile} --with-benchmark`, values: () => loadValues({ profile, sets: ['benchmark.enabled=true'] }) });
    cases.push({ name: `${profile} + sample tenants`, values: () => tenantValues(profile, sampleTenants()) });
  }
  for (const profile of ['kind', 'ocp']) {
    cases.push({
      name: `${profile} --tenants examples/tenants.yaml --with-benchmark`,
      values: () => loadValues({ profile, tenantsFile: join(ROOT, 'examples', 'tenants.yaml'), sets: ['benchmark.enabled=true'] }),
    });
  }

  afterEach(() => jest.restoreAllMocks());

  test.each(cases)('$name', ({ values }) => {
    const streams = jest.spyOn(output, 'toYamlStream');
    const files = renderProfile(values());
    expect(files.size).toBeGreaterThan(0);
    const objects = streams.mock.calls.flatMap(([objs]) => [...objs]);
    expect(objects.length).toBeGreaterThan(10);
    expect(mismatches(objects)).toEqual([]);
    // The written streams are exactly what js-yaml would have produced.
    streams.mock.calls.forEach(([objs, header], i) => {
      const expected = `${header ? `${header}\n` : ''}${objs.map((o) => `---\n${reference(o)}`).join('')}`;
      expect(streams.mock.results[i].value).toBe(expected);
    });
  });
});

describe('committed output', () => {
  /** YAML files under dist/ (Helm templates are not YAML until rendered). */
  function yamlFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'templates' ? [] : yamlFiles(path);
      return /\.yaml$|^Kustomization$/.test(name) ? [path] : [];
    });
  }

  const files = existsSync(join(ROOT, 'dist')) ? yamlFiles(join(ROOT, 'dist')) : [];

  test('dist/ holds YAML files to check', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  test.each(files.map((f) => [f.slice(ROOT.length + 1)]))('%s, parsed and written again', (file) => {
    const docs = loadAll(readFileSync(join(ROOT, file), 'utf8')).filter((d) => d !== null && d !== undefined);
    expect(docs.length).toBeGreaterThan(0);
    expect(mismatches(docs)).toEqual([]);
  });
});

describe('the fast path', () => {
  afterEach(() => jest.restoreAllMocks());

  /** A call js-yaml gets for one scalar's text: a one-item sequence of a scalar, or a one-key mapping to null. */
  function isScalarProbe(arg: unknown): boolean {
    if (Array.isArray(arg)) return arg.length === 1 && ['string', 'number'].includes(typeof arg[0]);
    const keys = Object.keys(arg as object);
    return keys.length === 1 && (arg as Record<string, unknown>)[keys[0]] === null;
  }

  test('the synth\'s objects never go to js-yaml whole: it is asked only for single scalars', () => {
    const objects: unknown[] = [];
    const streams = jest.spyOn(output, 'toYamlStream');
    renderProfile(loadValues({ profile: 'ocp', tenantsFile: join(ROOT, 'examples', 'tenants.yaml'), sets: ['benchmark.enabled=true'] }));
    for (const [objs] of streams.mock.calls) objects.push(...objs);
    // The module object itself (an `import * as` namespace would be a frozen copy).
    const dumps = jest.spyOn(require('js-yaml') as typeof import('js-yaml'), 'dump');
    const extra = [{ a: undefined, b: 0, c: undefined, d: [undefined, 1, 'two\n\n'] }, { 'a\nb': 1.5, ['k'.repeat(1100)]: -0 }, [{}, [], { c: {} }]];
    for (const o of [...objects, ...extra]) dumpYaml(o);
    expect(dumps.mock.calls.map(([arg]) => arg).filter((arg) => !isScalarProbe(arg))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** Strings that js-yaml quotes, writes as blocks, or that look like other types in YAML 1.1 or 1.2. */
const HOSTILE_STRINGS: readonly string[] = [
  '', ' ', '  ', 'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF',
  'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL', '~',
  'yES', 'nO', 'oN', 'tRUE', 'nULL', 'nul', 'nulls', 'yess', 'truee', 'o', 'f', 't',
  '0', '-0', '+1', '012', '0x1F', '0o17', '0b101', '1e3', '1E3', '1e+3', '.5', '5.', '-.inf', '.inf', '+.Inf', '.NaN', '.nan',
  '1_000', '1__0', '0.1', '1.5e-7', '190:20:30', '12:30', '1:20:30', '1:2', '2026-11-21', '2026-11-21T10:00:00Z',
  '2026-1-2 10:00:00', '2026-13-45', '500m', '1Gi', '8080', 'v1', '1.2.3', '-', '--', '---', '...', '--- x', '... x', 'a\n---\nb', 'a\n...',
  'a: b', 'a:b', 'a:', ':a', ': a', 'a :b', 'a #b', 'a#b', 'a# b', '#x', '- x', '-x', '? x', '?x', '!x', '&a', '*a', '%x', '@x', '`x', '|', '>',
  '"q"', "'q'", "it's", 'say "hi"', '{a}', '[a]', 'a[0]', 'x{y}', ',', 'a,b', ',a', 'a,', '=', '==', 'a=b', '=a', '<<', '<< x', '<', '<a',
  'line1\nline2', 'trailing\n', 'two\n\n', 'three\n\n\n', '\n', '\n\n', '\nx', '\n x', ' \nx', ' leading', 'trailing ', '  both  ',
  'multi\n  indented\nlines', '  indented\nblock\n', 'x\n\ny\n', 'a \nb', 'a\n b', 'a\t\nb', 'a\r\nb', 'cr\r', 'tab\there', '\ttab', 'tab\t',
  '\u0000', 'nul\u0000byte', '\u0007', '\u001b[0m', '\u007f', '\u0085', '\u00a0', 'nb\u00a0sp', '\u2028', '\u2029', '\ufeff', '\ufeffbom', '\ufffe',
  '\ud800', 'lone\udc00', 'é', 'café', '日本', '日本: 語', '😀', 'emoji 😀 here', 'ß\nü\n',
  'x'.repeat(500), `${'word '.repeat(120)}end`, 'y'.repeat(1100), `a: ${'z'.repeat(1030)}`,
  '{{ .Values.x }}', '{{- include "x" . | nindent 4 }}', '{{ .Release.Name }}-gateway', 'https://example.com:8443/path?q=1#frag',
  'ghcr.io/ibm/mcp-context-forge:0.8.0@sha256:abc', 'app.kubernetes.io/name', 'key=value,other=1', '$(POD_IP)', '${VAR}', '(x)', '_x', '/tmp',
  '\\', 'back\\slash', 'C:\\path', 'a\\nb', '%', '100%', 'a b c', 'a  b', 'a \tb', 'x:\n  y: 1\n', '#!/bin/sh\nset -eu\necho "$X"\n',
  'server {\n  listen 8080;\n}\n', '  \n  \n', 'a\n\n\nb', '|-\nx', '>+', 'key: |\n  nested\n',
];

const HOSTILE_NUMBERS: readonly number[] = [0, -0, 1, -1, 1.5, -3, 0.1, 1e21, -1e21, 1e-7, 2 ** 53, -(2 ** 53), 2 ** 31, 1e20, 123456789.125, Number.MAX_SAFE_INTEGER, 5e-324];

/** Places `s` as a value and as a key at several depths inside mappings and sequences. */
function placements(s: unknown, key: string): unknown[] {
  return [
    { [key]: s },
    { a: s, [key]: 1, z: [s] },
    [s],
    [[s]],
    [[[s, s]]],
    { a: { b: { c: s, [key]: { d: s } } } },
    { a: [s, { [key]: s, k: [s, [s]] }] },
    [{ [key]: s, x: s }, { v: [{ [key]: [s] }] }],
    { list: [{ name: s, items: [{ [key]: { deep: [[{ v: s }]] } }] }] },
    { a: { [key]: [] }, b: { [key]: {} }, c: [[], {}, s] },
  ];
}

describe('hostile strings and numbers', () => {
  test.each(HOSTILE_STRINGS.map((s) => [JSON.stringify(s).slice(0, 60), s]))('string %s as value and key', (_label, s) => {
    expect(mismatches([...placements(s, s), ...placements(s, 'key'), s])).toEqual([]);
  });

  test.each(HOSTILE_NUMBERS.map((n) => [Object.is(n, -0) ? '-0' : String(n), n]))('number %s', (_label, n) => {
    expect(mismatches([...placements(n, 'num'), n, { [String(n)]: n }])).toEqual([]);
  });

  test('booleans, null, undefined properties and items, empty collections', () => {
    expect(
      mismatches([
        true, false, null, undefined, {}, [], [[]], [{}], { a: {} }, { a: [] }, { a: [[], [[]], [{}]] },
        { a: undefined }, { a: undefined, b: 1 }, { a: 1, b: undefined }, { a: { b: undefined } }, [undefined], [1, undefined, [undefined]],
        { a: [undefined, { b: undefined }] }, { a: [{ b: undefined, c: { d: undefined } }] },
        { t: true, f: false, n: null, list: [true, false, null] },
        // A trailing keep-chomped block (the document then ends with `...`), and values after one.
        { a: 'two\n\n' }, [{ a: 'x\n\n' }], { a: 'x\n\n', b: 1 }, { a: 'x\n\n', b: {} }, { a: { b: ['x\n\n'] } }, { a: 'x\n\n', b: [] },
        // Keys with a line break or over 1,024 characters become explicit pairs, whatever their value.
        { 'a\nb': 1 }, { 'a\nb': { c: 1, d: [2, 3] } }, { 'a\nb': [1, { c: 2 }] }, { 'a\nb': [] }, { 'a\nb': 'x\n\n' },
        { outer: { 'k\n': { v: 'multi\nline\n' } } }, [{ 'k\nk': [[1]] }], { ['k'.repeat(1025)]: { a: 1 } }, { ['é'.repeat(1024)]: 1 },
        { ['é'.repeat(1025)]: [1] }, { ['😀'.repeat(600)]: 1 }, { ['x'.repeat(1024)]: 1 }, { ['x'.repeat(1024)]: { a: 1 } },
        // Keys that look like numbers, or are numbers in the source (object keys are strings).
        { 1: 'a', 2: 'b', '-1': 'c', '1.5': 'd', '007': 'e' },
        // An own `__proto__` key, and prototype-less objects.
        JSON.parse('{"__proto__": {"x": 1}, "a": 1}'), Object.assign(Object.create(null), { a: 1, b: [Object.create(null)] }),
        // Holes in a sparse array are written as null.
        [1, , 3],
      ]),
    ).toEqual([]);
  });

  test('arrays of arrays and arrays of mappings with nested arrays', () => {
    expect(
      mismatches([
        [[1, 2], [3, [4, [5, []]]]],
        [[{ a: 1, b: [2, [3]] }]],
        { containers: [{ name: 'c', args: ['-c', 'echo hi\nexit 0\n'], env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] }] },
        [{ a: [{ b: [{ c: [{ d: 'x\ny' }] }] }] }],
        { a: [[{ b: 'multi\n  line' }, ['  lead\nx']]] },
      ]),
    ).toEqual([]);
  });

  test('values that are not JSON-like data are left to js-yaml, errors included', () => {
    class Thing {
      x = 1;
    }
    const fallbacks: unknown[] = [
      'root scalar', 'two\n\n', '---', 42, 1.5, true, null, new Date(0), { when: new Date(0) }, [new Uint8Array([1, 2, 3])], new Set(['a']),
      { a: NaN, b: Infinity, c: -Infinity }, [NaN],
    ];
    expect(mismatches(fallbacks)).toEqual([]);
    for (const bad of [{ f: () => 1 }, [Symbol('s')], { t: new Thing() }, new Thing(), { m: new Map() }, { b: BigInt(1) }]) {
      const expected = errorOf(() => reference(bad));
      expect(expected).not.toBe('');
      expect(errorOf(() => dumpYaml(bad))).toBe(expected);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** A small seeded generator (mulberry32), so the random cases are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = [
  ...'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789',
  ...'       ',
  ...'\n\n\n\t\r',
  ...":#-?[]{},&*!|>'\"%@`=<~._/\\$()+",
  'é', '日', '😀', '\u00a0', '\u2028', '\ufeff', '\u0000', '\u007f', '\u0085', '\ud800',
];
const WORDS = [...HOSTILE_STRINGS.filter((s) => s.length < 40), 'name', 'app', 'value', 'http://x:80', 'mcp-stack'];

function randomString(next: () => number): string {
  if (next() < 0.3) return WORDS[Math.floor(next() * WORDS.length)];
  const length = Math.floor(next() ** 2 * 40);
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return s;
}

function randomScalar(next: () => number): unknown {
  const r = next();
  if (r < 0.6) return randomString(next);
  if (r < 0.7) return Math.floor((next() - 0.5) * 1e6);
  if (r < 0.75) return (next() - 0.5) * 10 ** Math.floor(next() * 30 - 10);
  if (r < 0.8) return next() < 0.5;
  if (r < 0.85) return null;
  if (r < 0.88) return undefined;
  return HOSTILE_NUMBERS[Math.floor(next() * HOSTILE_NUMBERS.length)];
}

function randomValue(next: () => number, depth: number): unknown {
  const r = next();
  if (depth >= 5 || r < 0.4) return randomScalar(next);
  const size = Math.floor(next() * 5);
  if (r < 0.7) {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < size; i++) o[randomString(next)] = randomValue(next, depth + 1);
    return o;
  }
  return Array.from({ length: size }, () => randomValue(next, depth + 1));
}

describe('seeded random values', () => {
  test.each([1, 2, 3, 4, 5, 6])('seed %i: 1,000 nested values', (seed) => {
    const next = random(seed);
    const values = Array.from({ length: 1000 }, () => {
      const v = randomValue(next, 0);
      // Mostly documents whose root is a collection, as the synth writes.
      return next() < 0.9 && (v === null || typeof v !== 'object') ? { root: v } : v;
    });
    expect(mismatches(values)).toEqual([]);
  });
});
