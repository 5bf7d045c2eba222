/**
 * The layout: no module imports itself back through others (every import counts, type-only ones too), and the
 * values (profiles/) never import the code that consumes them. Imports are read and resolved by the TypeScript
 * compiler itself (`preProcessFile`, `resolveModuleName`), as the build sees them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Each program file and the program files it imports, by path from the project root. */
function importGraph(): Map<string, string[]> {
  const options: ts.CompilerOptions = { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, resolveJsonModule: true };
  const files = [join(ROOT, 'main.ts'), ...sources(join(ROOT, 'lib')), ...sources(join(ROOT, 'profiles'))];
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const deps = importedFiles
      .map((i) => ts.resolveModuleName(i.fileName, file, options, ts.sys).resolvedModule)
      .filter((m): m is ts.ResolvedModuleFull => m !== undefined && !m.isExternalLibraryImport && !m.resolvedFileName.endsWith('.d.ts'))
      .map((m) => relative(ROOT, m.resolvedFileName));
    graph.set(relative(ROOT, file), [...new Set(deps)]);
  }
  return graph;
}

/** Every cycle, each as the path that closes it (depth-first, each reported once from its first file). */
function cycles(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === 'open') found.push([...stack.slice(stack.indexOf(dep)), dep].join(' > '));
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

const graph = importGraph();

test('the graph is the program: every folder of lib/ and the values are in it, with their imports', () => {
  expect(graph.size).toBeGreaterThan(150);
  expect(graph.get('main.ts')).toEqual(expect.arrayContaining(['profiles/errors.ts', 'lib/cli/synth.ts']));
  expect(graph.get('lib/stack/mcp-stack.ts')).toEqual(expect.arrayContaining(['lib/constructs/core/context.ts', 'lib/stack/units/platform.ts']));
});

test('no import circle', () => {
  expect(cycles(graph)).toEqual([]);
  // The check finds one when there is one.
  expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']]]))).toEqual(['a.ts > b.ts > c.ts > a.ts']);
});

test('the values import nothing of the code', () => {
  const fromValues = [...graph].filter(([file]) => file.startsWith('profiles/'));
  expect(fromValues.flatMap(([file, deps]) => deps.filter((d) => !d.startsWith('profiles/')).map((d) => `${file} -> ${d}`))).toEqual([]);
});
