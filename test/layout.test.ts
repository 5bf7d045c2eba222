/**
 * The layout: no module imports itself back through others (madge reads every import, type-only ones too), and the
 * values (profiles/) never import the code that consumes them.
 */
import madge from 'madge';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

test('no import circle in the program', async () => {
  const graph = await madge(['main.ts', 'lib', 'profiles', 'charts'].map((p) => join(ROOT, p)), {
    baseDir: ROOT,
    fileExtensions: ['ts'],
    tsConfig: join(ROOT, 'tsconfig.json'),
  });
  expect(graph.circular()).toEqual([]);
  const fromValues = Object.entries(graph.obj()).filter(([file]) => file.startsWith('profiles/'));
  expect(fromValues.length).toBeGreaterThan(10);
  expect(fromValues.flatMap(([file, deps]) => deps.filter((d) => !d.startsWith('profiles/')).map((d) => `${file} -> ${d}`))).toEqual([]);
}, 60_000);
