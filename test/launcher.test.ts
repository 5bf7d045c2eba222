/**
 * bin/mcp-stack: the fast-start launcher. Whatever path it takes (the start-up snapshot `npm run build` makes, or
 * the plain build), a command must print, write and exit exactly as `node build/main.js` does. Which path it took is
 * read from the shell's own trace (`sh -x`), so nothing in the program exists only for these tests.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, tree } from './support';

const ROOT = join(__dirname, '..');
const LAUNCHER = join(ROOT, 'bin', 'mcp-stack');
const BLOB = join(ROOT, 'build', 'mcp-stack.blob');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The command line the launcher handed over to (from `sh -x`). */
  exec: string;
}

function launch(args: string[], env: NodeJS.ProcessEnv = {}, launcher = LAUNCHER): Run {
  const r = spawnSync('sh', ['-x', launcher, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  // Trace lines start with one `+` per nesting level (`++ ` inside a command substitution).
  const traced = (l: string) => /^\++ /.test(l);
  const exec = r.stderr.split('\n').filter((l) => l.startsWith('+ exec ')).pop() ?? '';
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.split('\n').filter((l) => !traced(l)).join('\n'), exec };
}

function plain(args: string[]): Omit<Run, 'exec'> {
  const r = spawnSync(process.execPath, [join(ROOT, 'build', 'main.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => tempDir('launcher');

beforeAll(() => {
  if (!existsSync(BLOB)) throw new Error('build/mcp-stack.blob is missing: `npm test` and `npm run build` make it');
  // A source edited since the last build makes the launcher build first and say so on stderr: let that happen here,
  // once, so the comparisons below see only what each command prints (`npm test` builds first anyway).
  const warm = spawnSync('sh', [LAUNCHER, 'schema'], { cwd: ROOT, encoding: 'utf8' });
  if (warm.status !== 0) throw new Error(`bin/mcp-stack schema failed (exit ${warm.status}):\n${warm.stderr}`);
}, 300_000);

describe('bin/mcp-stack from the snapshot', () => {
  it.each([
    ['kind', ['--profile', 'kind']],
    ['ocp', ['--profile', 'ocp']],
    ['production with the benchmark', ['--profile', 'production', '--with-benchmark']],
    ['kind with the example tenants', ['--tenants', join(ROOT, 'examples', 'tenants.yaml')]],
  ])('synth %s writes, prints and exits exactly as the plain build', (_name, args) => {
    const a = tmp();
    const b = tmp();
    const fast = launch(['synth', ...args, '--out', a]);
    const slow = plain(['synth', ...args, '--out', b]);
    expect(fast.exec).toContain('--snapshot-blob');
    expect(fast.code).toBe(0);
    expect({ code: fast.code, stdout: fast.stdout.split(a).join('OUT'), stderr: fast.stderr.trimEnd() }).toEqual({
      code: slow.code,
      stdout: slow.stdout.split(b).join('OUT'),
      stderr: slow.stderr.trimEnd(),
    });
    expect(tree(a)).toEqual(tree(b));
  });

  it('reports bad input as the plain build does: every problem, exit 2, nothing written', () => {
    const out = tmp();
    const fast = launch(['synth', '--profile', 'nope', '--set', 'gateway.replicas=0', '--out', out]);
    const slow = plain(['synth', '--profile', 'nope', '--set', 'gateway.replicas=0', '--out', out]);
    expect(fast.exec).toContain('--snapshot-blob');
    expect(fast.code).toBe(2);
    expect(fast.stderr.trimEnd()).toBe(slow.stderr.trimEnd());
    expect(fast.stderr).toContain('--profile: unknown profile; allowed: kind, ocp, production (received "nope")');
    expect(fast.stderr).toContain('gateway.replicas: Too small: expected number to be >=1 (received 0) [from --set gateway.replicas]');
    expect(readdirSync(out)).toEqual([]);
  });

  it('validate, schema and secrets match the plain build', () => {
    for (const args of [['validate'], ['schema'], ['secrets', '--profile', 'ocp']]) {
      const fast = launch(args);
      expect(fast.exec).toContain('--snapshot-blob');
      const slow = plain(args);
      expect({ code: fast.code, stdout: fast.stdout, stderr: fast.stderr.trimEnd() }).toEqual({ code: slow.code, stdout: slow.stdout, stderr: slow.stderr.trimEnd() });
    }
  });
});

describe('bin/mcp-stack falls back to the plain build', () => {
  it('for the chart generator, and for commands that are not start-up bound', () => {
    expect(launch(['synth', '--format', 'helm', '--help']).exec).toContain('build/main.js');
    expect(launch(['check', '--help']).exec).toContain('build/main.js');
  });

  it('with a larger young generation for the commands that may generate the chart, and for no other', () => {
    for (const args of [['synth', '--format', 'helm', '--help'], ['synth', '--format=helm', '--help'], ['check', '--help'], ['diff', '--help']]) {
      expect(launch(args).exec).toContain(' --max-semi-space-size=64 ');
    }
    for (const args of [['synth', '--help'], ['secrets', '--help']]) expect(launch(args, { MCP_STACK_SNAPSHOT: 'off' }).exec).not.toContain('semi-space');
  });

  it('when asked to (MCP_STACK_SNAPSHOT=off)', () => {
    const r = launch(['schema'], { MCP_STACK_SNAPSHOT: 'off' });
    expect(r.exec).toContain('build/main.js');
    expect(r.exec).not.toContain('--snapshot-blob');
    expect(JSON.parse(r.stdout).type).toBe('object');
  });

  it('when the snapshot belongs to another checkout, and still gives the same output', () => {
    // A launcher in another folder whose build/ is this one: the snapshot's stamp names this checkout, not that one.
    const other = tmp();
    mkdirSync(join(other, 'bin'));
    copyFileSync(LAUNCHER, join(other, 'bin', 'mcp-stack'));
    symlinkSync(join(ROOT, 'build'), join(other, 'build'));
    const r = launch(['schema'], {}, join(other, 'bin', 'mcp-stack'));
    expect(r.exec).toContain(`${other}/build/main.js`);
    expect(r.exec).not.toContain('--snapshot-blob');
    expect(r.stdout).toBe(plain(['schema']).stdout);
  });
});

/**
 * The launcher builds before running when the build is missing or older than a source. What is under test is that
 * decision, so the project here is a small copy whose `scripts/build.sh` is a stand-in that records each call and
 * writes a one-line program: running the real compiler in the checkout that other tests are reading would race
 * with them. The real build script itself runs in every `npm test` and every `.ci/run`.
 */
describe('bin/mcp-stack builds first only when a source changed', () => {
  function project(buildExit = 0): string {
    const dir = tmp();
    for (const sub of ['bin', 'scripts', 'lib', 'profiles', 'imports', 'bench', 'node_modules']) mkdirSync(join(dir, sub));
    copyFileSync(LAUNCHER, join(dir, 'bin', 'mcp-stack'));
    writeFileSync(join(dir, 'lib', 'index.ts'), 'export {};\n');
    writeFileSync(join(dir, 'main.ts'), 'export {};\n');
    writeFileSync(
      join(dir, 'scripts', 'build.sh'),
      [
        '#!/bin/sh',
        'root=$(cd "$(dirname "$0")/.." && pwd)',
        'echo build >> "$root/builds.log"',
        `[ ${buildExit} = 0 ] || { echo "main.ts(1,1): error TS2304" >&2; exit ${buildExit}; }`,
        'mkdir -p "$root/build"',
        'echo "process.stdout.write(\'ran \' + process.argv.slice(2).join(\' \'))" > "$root/build/main.js"',
        ': > "$root/build/.built"',
        '',
      ].join('\n'),
    );
    chmodSync(join(dir, 'scripts', 'build.sh'), 0o755);
    return dir;
  }
  const builds = (dir: string) => (existsSync(join(dir, 'builds.log')) ? readFileSync(join(dir, 'builds.log'), 'utf8').split('\n').filter(Boolean).length : 0);
  const run = (dir: string, env: NodeJS.ProcessEnv = {}) =>
    spawnSync(join(dir, 'bin', 'mcp-stack'), ['schema'], { cwd: dir, encoding: 'utf8', env: { ...process.env, MCP_STACK_BUILD: '', ...env } });
  const age = (dir: string, path: string) => utimesSync(join(dir, path), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

  it('builds a fresh clone, then runs without building while nothing changed', () => {
    const dir = project();
    const first = run(dir);
    expect(first.status).toBe(0);
    expect(first.stderr).toContain('sources changed since the last build; building (npm run build)');
    expect(first.stdout).toBe('ran schema');
    expect(builds(dir)).toBe(1);
    const again = run(dir);
    expect(again.stderr).toBe('');
    expect(again.stdout).toBe('ran schema');
    expect(builds(dir)).toBe(1);
  });

  it('builds again after a source is edited, and not after a test file is', () => {
    const dir = project();
    run(dir);
    mkdirSync(join(dir, 'test'));
    writeFileSync(join(dir, 'test', 'x.test.ts'), 'export {};\n');
    run(dir);
    expect(builds(dir)).toBe(1);
    age(dir, 'build/.built');
    writeFileSync(join(dir, 'lib', 'index.ts'), 'export const edited = 1;\n');
    expect(run(dir).stdout).toBe('ran schema');
    expect(builds(dir)).toBe(2);
  });

  it('builds again after a bench script is edited, and not after bench results are saved', () => {
    const dir = project();
    run(dir);
    writeFileSync(join(dir, 'bench', 'results.json'), '{}\n');
    run(dir);
    expect(builds(dir)).toBe(1);
    writeFileSync(join(dir, 'bench', 'run.ts'), 'export {};\n');
    run(dir);
    expect(builds(dir)).toBe(2);
  });

  it('a failing build runs nothing and exits 1 naming the build', () => {
    const dir = project(2);
    const r = run(dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error TS2304');
    expect(r.stderr).toContain('mcp-stack: the build failed (see above); nothing was run');
  });

  it('MCP_STACK_BUILD=off runs the existing build as it is', () => {
    const dir = project();
    run(dir);
    age(dir, 'build/.built');
    writeFileSync(join(dir, 'main.ts'), 'export const edited = 1;\n');
    expect(run(dir, { MCP_STACK_BUILD: 'off' }).stdout).toBe('ran schema');
    expect(builds(dir)).toBe(1);
  });
});
