/** Reading YAML files into gate documents. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadYamlDocuments, parseYamlStream } from '../../lib/gate';

describe('loadYamlDocuments', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'gate-load-'));
    mkdirSync(join(root, 'out', 'nested'), { recursive: true });
    writeFileSync(join(root, 'out', 'b.yaml'), '---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n');
    writeFileSync(join(root, 'out', 'nested', 'a.yml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n');
    writeFileSync(join(root, 'out', 'notes.txt'), 'not yaml: [');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads folders recursively in name order, skips empty documents and other files, names files relative to the root', () => {
    const docs = loadYamlDocuments(root, ['out']);
    expect(docs.map((d) => [d.file, d.object.metadata.name, d.line])).toEqual([
      ['out/b.yaml', 'b', 4],
      ['out/nested/a.yml', 'a', 1],
    ]);
  });

  it('defaults to the root itself and accepts single files', () => {
    expect(loadYamlDocuments(join(root, 'out')).map((d) => d.file)).toEqual(['b.yaml', 'nested/a.yml']);
    expect(loadYamlDocuments(root, ['out/b.yaml'])).toHaveLength(1);
  });

  it('names every missing path', () => {
    expect(() => loadYamlDocuments(root, ['out', 'nope', 'gone.yaml'])).toThrow('not found: nope, gone.yaml');
  });
});

describe('parseYamlStream', () => {
  it('locates fields by path, falling back to the nearest existing ancestor', () => {
    const [doc] = parseYamlStream('apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n    - port: 80\n      name: http\n', 'svc.yaml');
    expect(doc.locate!(['spec', 'ports', 0, 'name'])).toBe(8);
    expect(doc.locate!(['spec', 'ports', 0, 'targetPort'])).toBe(7);
    expect(doc.locate!(['metadata', 'name'])).toBe(4);
  });

  it('reads YAML 1.1 scalars as kubectl does', () => {
    const [doc] = parseYamlStream('a: on\nb: "on"\nc: 010\nd: 9e11\n', 'x.yaml');
    expect(doc.object).toEqual({ a: true, b: 'on', c: 8, d: 900000000000 });
  });

  it('turns syntax errors and duplicate keys into parse errors with a line', () => {
    const docs = parseYamlStream('a: 1\n---\nb: [1\n---\nc: 1\nc: 2\n', 'x.yaml');
    expect(docs.map((d) => d.parseError === undefined)).toEqual([true, false, false]);
    expect(docs[2].parseError).toMatch(/Map keys must be unique at line 6/);
  });
});

describe('scalar resolution as kubectl sees it', () => {
  it('reads go-yaml floats, octals, YAML 1.1 booleans and timestamps like the API server receives them', () => {
    const [doc] = parseYamlStream('a: 9e11\nb: 1.5\nc: 0755\nd: yes\ne: 2024-01-31\nf: "2024-01-31"\ng: 1_000\n', 'x.yaml');
    expect(doc.object).toEqual({ a: 900000000000, b: 1.5, c: 493, d: true, e: '2024-01-31T00:00:00Z', f: '2024-01-31', g: 1000 });
  });

  it('locates fields in later documents of a stream, after comments', () => {
    const docs = parseYamlStream('# header\n---\napiVersion: v1\nkind: A\n---\n# note\n\napiVersion: v1\nkind: B\nmetadata:\n  name: b\n', 'x.yaml');
    expect(docs.map((d) => [d.object.kind, d.line])).toEqual([['A', 3], ['B', 8]]);
    expect(docs[1].locate!(['metadata', 'name'])).toBe(11);
    expect(docs[0].locate!(['kind'])).toBe(4);
  });
});
