/** The run's temporary folder check (global-teardown.ts): what a test leaves behind fails the run, by name. */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_TMP } from './global-setup';
import globalTeardown from './global-teardown';

function withRunFolder(fill: (dir: string) => void): { dir: string; error?: Error } {
  const dir = mkdtempSync(join(tmpdir(), 'teardown-'));
  fill(dir);
  const saved = process.env[RUN_TMP];
  process.env[RUN_TMP] = dir;
  try {
    globalTeardown();
    return { dir };
  } catch (e) {
    return { dir, error: e as Error };
  } finally {
    process.env[RUN_TMP] = saved;
  }
}

test('a folder and a file left behind fail the run, named, and are removed', () => {
  const { dir, error } = withRunFolder((d) => {
    mkdirSync(join(d, 'mcp-stack-chart-abc123'));
    writeFileSync(join(d, 'leftover.yaml'), 'x');
  });
  expect(error?.message).toBe('the tests left 2 temporary file(s) or folder(s) behind: leftover.yaml, mcp-stack-chart-abc123');
  expect(existsSync(dir)).toBe(false);
});

test('an empty run folder passes and is removed', () => {
  const { dir, error } = withRunFolder(() => undefined);
  expect(error).toBeUndefined();
  expect(existsSync(dir)).toBe(false);
});
