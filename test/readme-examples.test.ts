/**
 * The README's example configurations synthesize as written: every `npm run synth -- …` line of its code blocks that
 * sets values or adds tenants (continuation lines joined), run through the same launcher npm runs, with `--stdout`
 * added so nothing in the project is written; and every `npx cdk8s synth` line, with `--output` into a temporary
 * folder. Each must pass the output gate without a finding (exit 0, nothing on stderr). A values file of the user's
 * own (`my-cluster.yaml`) is an empty one here. And every YAML block of values is accepted by the profiles it is
 * written for (all three; a digest pin, production).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { loadValues } from '../profiles/loader';
import { codeBlocks, commandLines, readme } from './readme';

const ROOT = join(__dirname, '..');
const LAUNCHER = join(ROOT, 'bin', 'mcp-stack');

const all = codeBlocks(readme()).flatMap((b) => commandLines(b.text));
const lines = all.filter((l) => /^npm run synth -- .*--(set|tenants) /.test(l));
const cdk8sLines = all.filter((l) => /(^|\s)npx cdk8s synth\b/.test(l));
/** Files a line names (`--values F`, `MCP_STACK_VALUES=F`) that a clone does not have: the user's own. */
const userFiles = (l: string) => [...l.matchAll(/(?:--(?:values|tenants) |MCP_STACK_(?:VALUES|TENANTS)=)(\S+)/g)].map((m) => m[1]).filter((f) => !existsSync(join(ROOT, f)));

let work: string;
/** The line with each file of the user's own replaced by an empty values file. */
let withOwnFiles: (line: string) => string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'readme-examples-'));
  const empty = join(work, 'empty-values.yaml');
  writeFileSync(empty, '{}\n');
  withOwnFiles = (line) => userFiles(line).reduce((l, f) => l.split(f).join(empty), line);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the README has example configurations; the only file they name that a clone lacks is your own values file', () => {
  expect(lines.length).toBeGreaterThanOrEqual(6);
  expect(cdk8sLines.length).toBeGreaterThanOrEqual(4);
  expect([...new Set([...lines, ...cdk8sLines].flatMap(userFiles))]).toEqual(['my-cluster.yaml']);
});

test.each(lines)('%s', (line) => {
  const command = `${withOwnFiles(line).replace(/^npm run synth --/, `'${LAUNCHER}' synth`)} --stdout`;
  const r = spawnSync('bash', ['-c', command], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  expect(r.stdout).toMatch(/^kind: Deployment$/m);
}, 60_000);

test.each(cdk8sLines)('%s', (line) => {
  const out = mkdtempSync(join(work, 'cdk8s-'));
  try {
    const r = spawnSync('bash', ['-c', `${withOwnFiles(line)} --output '${out}'`], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' } });
    // The one line the app prints: where it wrote.
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: expect.stringMatching(/^cdk8s: wrote \d+ files to \S+\n$/) });
    expect(readdirSync(out)).toContain('20-platform.yaml');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 60_000);

/** The README's YAML blocks that are values (every top-level key is one of the values'), `sha256:...` made a digest. */
function valuesExamples(): string[] {
  const topKeys = new Set(Object.keys(loadValues({ profile: 'kind' })));
  return codeBlocks(readme())
    .filter((b) => b.lang === 'yaml')
    .map((b) => b.text.replace(/sha256:\.\.\./g, `sha256:${'a'.repeat(64)}`))
    .filter((text) => Object.keys((load(text) as object) ?? {}).every((k) => topKeys.has(k)));
}

const valuesBlocks = valuesExamples().map((text) => [text.split('\n')[0], text] as const);

test('the README has values examples', () => {
  expect(valuesBlocks.length).toBeGreaterThanOrEqual(3);
});

test.each(valuesBlocks)('the values example starting "%s" is accepted by the profiles it is written for', (_first, text) => {
  const file = join(work, 'example-values.yaml');
  writeFileSync(file, text);
  const outcomes = ['kind', 'ocp', 'production'].map((profile) => spawnSync(LAUNCHER, ['synth', '--profile', profile, '--values', file, '--stdout'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
  // A digest pin is written for the profile that pins by digest (production); the others take every example.
  expect(outcomes.filter((r) => r.status === 0 && r.stderr === '').length).toBeGreaterThanOrEqual(text.includes('requireDigests: true') ? 1 : 3);
}, 60_000);
