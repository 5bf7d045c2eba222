import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project root (the folder with package.json), whether running from lib/ under ts-jest or from build/lib/. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (no package.json above the code)');
    dir = up;
  }
  return dir;
}

const cache = new Map<string, string>();

/** A file shipped in `assets/` (scripts that end up in ConfigMaps), read once. */
export function asset(relative: string): string {
  let text = cache.get(relative);
  if (text === undefined) {
    text = readFileSync(join(projectRoot(), 'assets', relative), 'utf8');
    cache.set(relative, text);
  }
  return text;
}
