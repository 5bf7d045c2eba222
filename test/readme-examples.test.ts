/**
 * The README's example configurations synthesize as written: every `npm run synth -- …` line of its code blocks that
 * sets values or adds tenants (continuation lines joined), run through the same launcher npm runs, with `--stdout`
 * added so nothing in the project is written. Each must pass the output gate without a finding (exit 0, nothing on
 * stderr). Lines that read a file of the user's own (`my-cluster.yaml`) are left out, and said so by count.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const LAUNCHER = join(ROOT, 'bin', 'mcp-stack');

/** Every command line of the README's fenced code blocks, `\` continuations joined. */
export function codeLines(readme: string): string[] {
  return readme
    .split(/^```.*$/m)
    .filter((_, i) => i % 2 === 1)
    .flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

const lines = codeLines(readFileSync(join(ROOT, 'README.md'), 'utf8')).filter((l) => /^npm run synth -- .*--(set|tenants) /.test(l));
/** Files the line names (`--values F`, `--tenants F`) that a clone does not have. */
const userFiles = (l: string) => [...l.matchAll(/--(?:values|tenants) (\S+)/g)].map((m) => m[1]).filter((f) => !existsSync(join(ROOT, f)));
const runnable = lines.filter((l) => userFiles(l).length === 0);

test('the README has example configurations, and all but the ones naming a file of your own are run', () => {
  expect(runnable.length).toBeGreaterThanOrEqual(5);
  expect(lines.filter((l) => userFiles(l).length > 0).map(userFiles)).toEqual([['my-cluster.yaml']]);
});

test.each(runnable)('%s', (line) => {
  const command = `${line.replace(/^npm run synth --/, `'${LAUNCHER}' synth`)} --stdout`;
  const r = spawnSync('bash', ['-c', command], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  expect(r.stdout).toMatch(/^kind: Deployment$/m);
}, 60_000);
