import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';

const root = join(__dirname, '..', 'reference');

/** Rows of the provenance table: file (relative to reference/) → sha256. */
function provenance(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of readFileSync(join(root, 'PROVENANCE.md'), 'utf8').split('\n')) {
    const m = /^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$/.exec(line);
    if (m) rows.set(m[1], m[2]);
  }
  return rows;
}

function dataFiles(): string[] {
  return ['kubernetes', 'crds'].flatMap((dir) => readdirSync(join(root, dir)).map((f) => `${dir}/${f}`)).sort();
}

describe('reference data kept in the repository', () => {
  test('every data file has a provenance row and every row has its file', () => {
    expect(dataFiles()).toEqual([...provenance().keys()].sort());
  });

  test.each([...provenance()])('%s matches its recorded sha256', (file, sha) => {
    expect(createHash('sha256').update(readFileSync(join(root, file))).digest('hex')).toBe(sha);
  });

  test('each CRD file is one CustomResourceDefinition, and no two define the same resource', () => {
    const names = dataFiles()
      .filter((f) => f.startsWith('crds/'))
      .map((f) => {
        const docs: any[] = [];
        for (const d of readFileSync(join(root, f), 'utf8').split(/^---$/m)) if (d.trim()) docs.push(load(d));
        expect(docs).toHaveLength(1);
        expect(docs[0].kind).toBe('CustomResourceDefinition');
        return docs[0].metadata.name as string;
      });
    expect(new Set(names).size).toBe(names.length);
  });

  test('cdk8s import reads the repository copies, never a folder outside it', () => {
    const config = readFileSync(join(__dirname, '..', 'cdk8s.yaml'), 'utf8');
    const imports = [...config.matchAll(/^\s+- (?:[\w-]+:=)?(\S+)$/gm)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const path of imports) expect(dataFiles()).toContain(path.replace(/^reference\//, ''));
  });
});
