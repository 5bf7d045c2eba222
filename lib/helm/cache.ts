/**
 * The generated chart, kept in the project cache (the gate's store, `node_modules/.cache/mcp-stack/gate/`, same
 * `MCP_STACK_CACHE_DIR` / `MCP_STACK_CACHE=off` switches) under a digest of everything that decides it: the code
 * that is running (compiled JavaScript, or TypeScript under the test runner), the values schema's TypeScript source
 * (its comments document values.yaml), the assets, package.json and the lockfile. Generating renders the whole stack
 * thousands of times (3,247 when this was written, and growing with the values: classifying the knobs, samples of
 * toggle combinations, the hidden contexts and the final checks), tens of seconds of CPU;
 * `synth --format helm` and `npm run check` with nothing changed then take a fraction of a second. A damaged, missing or unreadable entry means generating again; nothing is ever reused across a change.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { openCache, sha256 } from '../gate/cache';
import { projectRoot } from '../constructs/core/assets';

/** Bump when what is stored changes shape. */
const CHART_CACHE_VERSION = 'chart-1';
/** Folders of the program whose code renders the chart, relative to the running code's root. */
const CODE_DIRS = ['lib', 'profiles', 'imports'];

function filesUnder(dir: string, keep: (file: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (keep(path)) out.push(path);
    }
  };
  walk(dir);
  return out;
}

/**
 * Digest of the chart's inputs. `codeRoot` holds the running code (build/ for the compiled program, the project
 * for TypeScript run directly) and `ext` its file extension; `root` is the project.
 */
export function chartInputsDigest(codeRoot: string, ext: string, root: string): string {
  const code = [join(codeRoot, `main${ext}`), ...CODE_DIRS.flatMap((d) => filesUnder(join(codeRoot, d), (f) => extname(f) === ext))];
  const sources = filesUnder(join(root, 'profiles'), (f) => f.endsWith('.ts'));
  const data = [...filesUnder(join(root, 'assets'), () => true), join(root, 'package.json'), join(root, 'package-lock.json')];
  const files = [...code, ...sources, ...data];
  return sha256(CHART_CACHE_VERSION, ...files.flatMap((f) => [f.slice(root.length), readFileSync(f)]));
}

/** The running code's root and extension: this file is `<codeRoot>/lib/helm/cache.<ext>`. */
function runningCode(): { codeRoot: string; ext: string } {
  return { codeRoot: join(__dirname, '..', '..'), ext: extname(__filename) };
}

/** The chart's files from the cache, or from `generate` (then stored). */
export function cachedChartFiles(generate: () => Map<string, string>): Map<string, string> {
  const store = openCache();
  let name: string | undefined;
  if (store) {
    try {
      const { codeRoot, ext } = runningCode();
      name = `chart-${chartInputsDigest(codeRoot, ext, projectRoot())}.json`;
    } catch {
      name = undefined; // inputs that cannot be read are never cached
    }
  }
  const stored = name ? store!.readJson<[string, string][]>(name) : undefined;
  if (Array.isArray(stored) && stored.every((e) => Array.isArray(e) && e.length === 2 && e.every((x) => typeof x === 'string'))) {
    return new Map(stored);
  }
  const files = generate();
  if (name) store!.writeJson(name, [...files]);
  return files;
}
