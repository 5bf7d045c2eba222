/**
 * Reading the YAML files users pass (`--values`, `--tenants`, `secrets --from`): plain files are read by js-yaml for
 * speed, everything else by the `yaml` library. Whatever the path, the data must be exactly what the `yaml` library
 * itself makes of the file with the reader's options, and a file it refuses must be refused.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { MAX_ALIAS_COUNT, MAX_DEPTH, parseYamlText, plainData } from '../profiles/yaml-input';
import { dumpYaml } from '../lib/output/yaml';
import { loadValues, profileNames } from '../profiles/loader';

const ROOT = join(__dirname, '..');

/** What the `yaml` library gives with the reader's options (or `refused`), and how deep it is. */
function reference(text: string): unknown {
  try {
    const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: false, strict: true, logLevel: 'error' });
    if (doc.errors.length) return 'refused';
    const data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? undefined;
    return depth(data) > MAX_DEPTH ? 'refused' : data;
  } catch {
    return 'refused';
  }
}

const depth = (v: unknown): number => (v && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0);

const read = (text: string): unknown => {
  const r = parseYamlText(text);
  return r.ok ? r.data : 'refused';
};

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : yamlFilesUnder(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** A tenants file as people write one: block style with flow-style images. */
function manyTenants(count: number): string {
  const lines = ['tenants:'];
  for (let i = 0; i < count; i++) {
    lines.push(`  - name: t${i}`, '    servers:', '      - name: time', '        image: { repository: ghcr.io/ibm/fast-time-server, tag: "0.8.0" }', '        transport: streamable-http');
  }
  return `${lines.join('\n')}\n`;
}

/** Scalars whose type depends on the schema: YAML 1.1 forms that are strings in 1.2, numbers of every notation. */
const SCALARS = [
  'true', 'True', 'TRUE', 'false', 'yes', 'no', 'on', 'off', 'y', 'n', '~', 'null', 'Null', 'NULL', 'nUll', '',
  '0', '-0', '+1', '007', '0o17', '0o8', '0x1F', '0X1F', '0b101', '1_000', '1,000', '12345678901234567890',
  '.5', '1.', '-1.5e3', '1e3', '1E-2', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', 'NaN', 'inf',
  '2026-12-06', '2026-12-06T10:00:00Z', '12:30', '1:2:3', '0.8.0', 'v1', '"quoted"', "'single'", '"a\\u00e9\\x41\\t"',
  "'it''s'", '"multi\n  line"', '50Gi', '500m', '*.example.com', '"*"', 'a # not a comment', 'a#b', '"@at"', '`tick`',
];

describe('every file read gives exactly what the yaml library gives', () => {
  test('the example, profile and fixture files', () => {
    const files = [...yamlFilesUnder(join(ROOT, 'examples')), ...yamlFilesUnder(join(ROOT, 'test'))];
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect({ file, data: read(text) }).toEqual({ file, data: reference(text) });
    }
    expect(plainData(readFileSync(join(ROOT, 'examples', 'tenants.yaml'), 'utf8')).ok).toBe(true);
  });

  test('the profiles and thousands of tenants, written out as values and tenants files', () => {
    for (const text of [...profileNames.map((p) => dumpYaml(loadValues({ profile: p }))), manyTenants(2000)]) {
      expect(plainData(text).ok).toBe(true);
      expect(read(text)).toEqual(reference(text));
    }
  });

  test.each(SCALARS)('the scalar %j as a value, a key, a list item and in flow style', (s) => {
    const indented = s.replace(/\n/g, '\n    ');
    for (const text of [`a: ${indented}\n`, `${s.includes('\n') ? 'k' : s}: 1\n`, `- ${indented}\n- x\n`, `{ a: ${s.replace(/\n/g, ' ')}, b: [${s.replace(/\n/g, ' ')}] }\n`, s]) {
      expect({ text, data: read(text) }).toEqual({ text, data: reference(text) });
    }
  });

  test.each([
    ['block scalars', 'a: |\n  one\n  two\nb: >-\n  folded\n  text\n\nc: |+\n  kept\n\n'],
    ['comments and document markers', '# head\n---\na: 1 # tail\n...\n'],
    ['a comment-only file', '# nothing here\n'],
    ['an empty file', ''],
    ['merge keys', 'base: &b { x: 1, y: 2 }\nuse:\n  <<: *b\n  y: 3\n'],
    ['an inline merge', 'use:\n  <<: { x: 1 }\n  y: 3\n'],
    ['aliases', 'a: &x [1, 2]\nb: *x\n'],
    ['tags', 'a: !!str 1\nb: !!int "2"\n'],
    ['keys that are not strings', '1: a\ntrue: b\nnull: c\n? [x]\n: d\n'],
    ['a __proto__ key', '__proto__: { polluted: true }\na: 1\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['two documents', 'a: 1\n---\nb: 2\n'],
    ['a tab in the indentation', 'a:\n\tb: 1\n'],
    ['an unclosed quote', 'a: "open\n'],
    ['bad indentation', 'a:\n  b: 1\n c: 2\n'],
    ['a flow mapping left open', 'a: { b: 1\n'],
    ['nesting 70 levels deep', `${'['.repeat(70)}${']'.repeat(70)}\n`],
  ])('%s', (what, text) => {
    expect(read(text)).toEqual(reference(text));
    // Plain files take the fast path; what the reader bounds or treats specially, and every error, the yaml path.
    const plain = ['block scalars', 'comments and document markers', 'tags'].includes(what);
    expect(plainData(text).ok).toBe(plain);
  });
});
