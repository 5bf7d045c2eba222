/**
 * Where the gate finds its reference data. The code runs from `lib/` (ts-jest) and from `build/lib/` (compiled),
 * so defaults are resolved from the project root, the nearest folder above this file holding `package.json`.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export function projectRoot(from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json found above ${from}: cannot locate the project root`);
    dir = parent;
  }
}

export function defaultSchemaPath(): string {
  return resolve(projectRoot(), 'reference', 'kubernetes', 'k8s-1.28.0-definitions.json');
}

export function defaultCrdDir(): string {
  return resolve(projectRoot(), 'reference', 'crds');
}

/** Throws when a reference file or folder is missing, naming it and the option that sets it. */
export function requirePath(path: string, what: 'file' | 'directory', option: string, flag: string): string {
  const ok = existsSync(path) && (what === 'file' ? statSync(path).isFile() : statSync(path).isDirectory());
  if (!ok) {
    throw new Error(
      `${what === 'file' ? 'Kubernetes schema file' : 'CRD directory'} not found: ${path}. ` +
        `Set the '${option}' option (CLI: ${flag} PATH) to where it is.`,
    );
  }
  return path;
}
