/**
 * bin/mcp-stack: the fast-start launcher. Whatever path it takes (the start-up snapshot `npm run build` makes, or
 * the plain build), a command must print, write and exit exactly as `node build/main.js` does. Which path it took is
 * read from the shell's own trace (`sh -x`), so nothing in the program exists only for these tests.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
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

/** The gate's cache and the synth records of these tests, apart from the project's (made in `beforeAll`). */
let cache = '';

/** Runs the launcher traced; `fifo.text` is written into the named pipe `fifo.path` meanwhile (by a writer that gives up after a minute). */
function launch(args: string[], env: NodeJS.ProcessEnv = {}, launcher = LAUNCHER, fifo?: { path: string; text: string }): Run {
  const command = fifo
    ? ['-c', 'fifo=$1 text=$2; shift 2; timeout 60 sh -c \'printf %s "$1" > "$0"\' "$fifo" "$text" & sh -x "$@"; code=$?; wait; exit $code', 'sh', fifo.path, fifo.text, launcher, ...args]
    : ['-x', launcher, ...args];
  const r = spawnSync('sh', command, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, MCP_STACK_CACHE_DIR: cache, ...env } });
  // Trace lines start with one `+` per nesting level (`++ ` inside a command substitution). The stages of a traced
  // pipeline write their lines at the same time, so pieces of them can land on one line; but once the shell hands
  // over to node (`+ exec`), everything after is the program's own.
  const lines = r.stderr.split('\n');
  const execAt = lines.map((l) => l.startsWith('+ exec ')).lastIndexOf(true);
  const stderr = execAt >= 0 ? lines.slice(execAt + 1) : lines.filter((l) => !/^\++ /.test(l));
  return { code: r.status, stdout: r.stdout, stderr: stderr.join('\n'), exec: execAt >= 0 ? lines[execAt] : '' };
}

function plain(args: string[]): Omit<Run, 'exec'> {
  const r = spawnSync(process.execPath, [join(ROOT, 'build', 'main.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => tempDir('launcher');

beforeAll(() => {
  cache = tmp();
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
 * A synth run again with nothing changed is answered from the record the last one left (lib/output/record.ts),
 * checked by the launcher with the real `sha256sum` and `find`; whether node started is read from the trace.
 */
describe('bin/mcp-stack answers a synth run again with nothing changed from its record', () => {
  const started = (r: Run) => r.exec !== '';
  /**
   * A `sha256sum` first on PATH that notes each content check (`-c`) before running the real one: the stages of a
   * traced pipeline write their trace lines at the same time, so the trace cannot tell reliably whether it ran.
   */
  let shim = '';
  beforeAll(() => {
    shim = tmp();
    const real = spawnSync('sh', ['-c', 'command -v sha256sum'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(shim, 'sha256sum'), `#!/bin/sh\ncase " $* " in *" -c "*) echo checked >>"${shim}/checks.log" ;; esac\nexec ${real} "$@"\n`);
    chmodSync(join(shim, 'sha256sum'), 0o755);
  });
  /** A launch, and whether it checked the files' contents rather than their identities alone. */
  const counted = (args: string[]) => {
    rmSync(join(shim, 'checks.log'), { force: true });
    const r = launch(args, { PATH: `${shim}:${process.env.PATH}` });
    return { ...r, readContents: existsSync(join(shim, 'checks.log')) };
  };
  const records = () => readdirSync(join(cache, 'synth')).filter((n) => !n.includes('.'));
  const upToDate = (out: string, files: number) => `synth: ${out}/kind is up to date (${files} files; nothing changed since the last synth with these arguments)\n`;
  /** Inode and modification time of every file of a folder. */
  const identities = (dir: string) => Object.fromEntries(Object.keys(tree(dir)).map((rel) => [rel, `${statSync(join(dir, rel)).ino} ${statSync(join(dir, rel)).mtimeMs}`]));
  /** A values file of the test's own, with a gate warning (so the report has something to say again). */
  const valuesFile = (dir: string, nginxReplicas = 1) => {
    const file = join(dir, 'values.yaml');
    writeFileSync(file, `gateway:\n  workers: 4\n  resources: { limits: { cpu: "1" } }\nnginx:\n  replicas: ${nginxReplicas}\n`);
    return file;
  };

  it('prints what the synth printed, starts no node and leaves every file as it was', () => {
    const work = tmp();
    const out = join(work, 'out');
    const args = ['synth', '--values', valuesFile(work), '--out', out];
    const first = launch(args);
    expect(started(first)).toBe(true);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('[invariant/gateway-sizing] the gateway runs 4 Gunicorn workers on a 1 CPU limit');
    const before = identities(join(out, 'kind'));
    const again = counted(args);
    expect(started(again)).toBe(false);
    expect(again.code).toBe(0);
    // The identities of the files told it: no file was read.
    expect(again.readContents).toBe(false);
    // What it prints, from a run without the trace (whose lines would mix with it).
    const quiet = spawnSync('sh', [LAUNCHER, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, MCP_STACK_CACHE_DIR: cache } });
    expect({ code: quiet.status, stdout: quiet.stdout, stderr: quiet.stderr }).toEqual({ code: 0, stdout: upToDate(out, 7), stderr: first.stderr });
    expect(identities(join(out, 'kind'))).toEqual(before);
  });

  it('reads the contents when only the files\' times changed, and still starts no node', () => {
    const work = tmp();
    const out = join(work, 'out');
    const args = ['synth', '--values', valuesFile(work), '--out', out];
    expect(started(launch(args))).toBe(true);
    expect(counted(args).readContents).toBe(false);
    const later = new Date(Date.now() + 60_000);
    for (const file of [join(out, 'kind', '20-platform.yaml'), join(work, 'values.yaml')]) {
      utimesSync(file, later, later);
      const again = counted(args);
      expect(started(again)).toBe(false);
      expect(again.readContents).toBe(true);
      expect(again.stdout).toBe(upToDate(out, 7));
    }
  });

  it('runs the synth again after the file a values file links to is edited (same size)', () => {
    const work = tmp();
    const out = join(work, 'out');
    const target = valuesFile(work);
    const link = join(work, 'current.yaml');
    symlinkSync(target, link);
    const args = ['synth', '--values', link, '--out', out];
    expect(started(launch(args))).toBe(true);
    expect(counted(args).readContents).toBe(false);
    valuesFile(work, 2);
    const again = launch(args);
    expect(started(again)).toBe(true);
    expect(again.code).toBe(0);
    expect(started(launch(args))).toBe(false);
  });

  const changes: [string, (out: string, work: string) => void][] = [
    ['an output file edited (same size)', (out) => writeFileSync(join(out, 'kind', '00-namespace.yaml'), readFileSync(join(out, 'kind', '00-namespace.yaml'), 'utf8').replace('# Generated', '# generated'))],
    ['an output file\'s mode changed', (out) => chmodSync(join(out, 'kind', '10-database.yaml'), 0o600)],
    ['a file added to the output', (out) => writeFileSync(join(out, 'kind', 'argocd', 'extra.yaml'), '{}\n')],
    ['an output folder removed', (out) => rmSync(join(out, 'kind', 'argocd'), { recursive: true })],
    ['the output folder removed', (out) => rmSync(join(out, 'kind'), { recursive: true })],
    ['the output folder a symbolic link to a copy', (out, work) => {
      renameSync(join(out, 'kind'), join(work, 'copy'));
      symlinkSync(join(work, 'copy'), join(out, 'kind'));
    }],
    ['the values file edited (same size)', (_out, work) => valuesFile(work, 2)],
    ['an asset touched (its change time is part of the key)', () => {
      const asset = join(ROOT, 'assets', 'registration', 'register.sh');
      const st = statSync(asset);
      utimesSync(asset, st.atime, st.mtime);
    }],
  ];
  it.each(changes)('runs the synth again after %s, and writes what a first synth writes', (_name, change) => {
    const work = tmp();
    const out = join(work, 'out');
    const args = ['synth', '--values', valuesFile(work), '--out', out];
    expect(started(launch(args))).toBe(true);
    expect(started(launch(args))).toBe(false);
    change(out, work);
    const again = launch(args);
    expect(started(again)).toBe(true);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`synth: wrote 7 files to ${out}/kind\n`);
    const fresh = join(work, 'fresh');
    expect(plain(['synth', '--values', join(work, 'values.yaml'), '--out', fresh]).code).toBe(0);
    expect(lstatSync(join(out, 'kind')).isDirectory()).toBe(true);
    expect(tree(join(out, 'kind'))).toEqual(tree(join(fresh, 'kind')));
    expect(statSync(join(out, 'kind', '10-database.yaml')).mode).toBe(statSync(join(fresh, 'kind', '10-database.yaml')).mode);
    expect(started(launch(args))).toBe(false);
  });

  it('never for input read from a pipe, for --stdout, --all or --previous, or with the skip or the cache off', () => {
    const work = tmp();
    const out = join(work, 'out');
    const twice = (args: string[], env: NodeJS.ProcessEnv = {}, fifo?: { path: string; text: string }) => [0, 1].map(() => launch(['synth', ...args], env, LAUNCHER, fifo));
    // A named pipe can be read once: were it in the record, the launcher's check would take its text from the synth.
    const fifo = join(work, 'values.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const piped = twice(['--values', fifo, '--out', out], {}, { path: fifo, text: 'gateway:\n  replicas: 2\n' });
    expect(piped.map(started)).toEqual([true, true]);
    expect(piped.map((r) => r.code)).toEqual([0, 0]);
    expect(twice(['--stdout']).map(started)).toEqual([true, true]);
    expect(twice(['--all', '--out', out]).map(started)).toEqual([true, true]);
    expect(twice(['--previous', join(out, 'kind'), '--out', out]).map(started)).toEqual([true, true]);
    for (const env of [{ MCP_STACK_SKIP_UNCHANGED: 'off' }, { MCP_STACK_CACHE: 'off' }, { MCP_STACK_CACHE: 'Disabled' }]) {
      expect(twice(['--out', join(work, 'other')], env).map(started)).toEqual([true, true]);
    }
  });

  it('keeps one record per output folder, and none for a folder that is gone', () => {
    const work = tmp();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => join(work, name));
    const mine = () => records().filter((name) => readFileSync(join(cache, 'synth', name), 'utf8').startsWith(`${work}/`)).length;
    launch(['synth', '--out', a]);
    launch(['synth', '--out', a, '--set', 'gateway.replicas=2']);
    expect(mine()).toBe(1);
    // The first arguments' record went with the second synth into the same folder: the first runs again.
    expect(started(launch(['synth', '--out', a]))).toBe(true);
    launch(['synth', '--out', b]);
    expect(mine()).toBe(2);
    rmSync(b, { recursive: true });
    launch(['synth', '--out', c]);
    expect(mine()).toBe(2);
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
