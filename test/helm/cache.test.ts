/**
 * The chart cache: a warm run returns exactly what generating returns, a damaged entry is generated again, the
 * cache can be turned off, and any change to an input gives another key.
 */
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartInputsDigest, cachedChartFiles } from '../../lib/helm/cache';
import { tempDir } from '../support';

const ROOT = join(__dirname, '..', '..');

/** Runs `fn` with the project cache in a fresh folder (or turned off). */
function withCache<T>(env: Record<string, string>, fn: () => T): T {
  const saved = { dir: process.env.MCP_STACK_CACHE_DIR, off: process.env.MCP_STACK_CACHE };
  Object.assign(process.env, env);
  try {
    return fn();
  } finally {
    for (const [k, v] of [['MCP_STACK_CACHE_DIR', saved.dir], ['MCP_STACK_CACHE', saved.off]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const chartEntries = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('chart-'));

describe('chart cache', () => {
  // A stand-in generator: what is cached is the generator's result, whatever it is.
  const files = new Map([
    ['Chart.yaml', 'apiVersion: v2\nname: mcp-stack\n'],
    ['templates/a.yaml', '{{- if .Values.x }}\nkind: ConfigMap\n{{- end }}\n'],
  ]);

  it('stores the first result and returns it unchanged without generating again', () => {
    const dir = tempDir('chart-cache');
    withCache({ MCP_STACK_CACHE_DIR: dir }, () => {
      let calls = 0;
      const generate = () => (calls++, new Map(files));
      expect(cachedChartFiles(generate)).toEqual(files);
      expect(chartEntries(dir)).toHaveLength(1);
      expect(cachedChartFiles(generate)).toEqual(files);
      expect(calls).toBe(1);
    });
  });

  it('generates again when the entry is damaged', () => {
    const dir = tempDir('chart-cache');
    withCache({ MCP_STACK_CACHE_DIR: dir }, () => {
      let calls = 0;
      const generate = () => (calls++, new Map(files));
      cachedChartFiles(generate);
      writeFileSync(join(dir, chartEntries(dir)[0]), 'not what was stored');
      expect(cachedChartFiles(generate)).toEqual(files);
      expect(calls).toBe(2);
    });
  });

  it('stores nothing with MCP_STACK_CACHE=off', () => {
    const dir = tempDir('chart-cache');
    withCache({ MCP_STACK_CACHE_DIR: dir, MCP_STACK_CACHE: 'off' }, () => {
      let calls = 0;
      const generate = () => (calls++, new Map(files));
      cachedChartFiles(generate);
      cachedChartFiles(generate);
      expect(calls).toBe(2);
      expect(readdirSync(dir)).toEqual([]);
    });
  });

  it('keys on the running code, the values schema source, the assets, package.json and the lockfile', () => {
    const copy = tempDir('chart-inputs');
    for (const d of ['lib', 'profiles', 'imports', 'assets']) cpSync(join(ROOT, d), join(copy, d), { recursive: true });
    for (const f of ['main.ts', 'package.json', 'package-lock.json']) cpSync(join(ROOT, f), join(copy, f));
    const digest = () => chartInputsDigest(copy, '.ts', copy);
    const before = digest();
    expect(digest()).toBe(before);
    const seen = new Set([before]);
    const edits: [string, string][] = [
      ['lib/constructs/gateway.ts', '\n// edit\n'],
      ['imports/k8s-extra.ts', 'export {};\n'],
      ['assets/registration/register.sh', '\n# edit\n'],
      ['package-lock.json', ' '],
      ['main.ts', '\n'],
    ];
    for (const [file, text] of edits) {
      mkdirSync(join(copy, file, '..'), { recursive: true });
      writeFileSync(join(copy, file), text, { flag: 'a' });
      const next = digest();
      expect(seen.has(next)).toBe(false);
      seen.add(next);
    }
  });

  it('cannot be keyed (and so is not used) when the inputs are not there', () => {
    expect(() => chartInputsDigest(tempDir('empty'), '.js', tempDir('empty'))).toThrow();
  });
});
