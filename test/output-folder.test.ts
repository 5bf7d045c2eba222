/**
 * The output folder under failure, as users meet it: the compiled program in a child process, interrupted by real
 * signals, pointed at files and at folders it does not own, on a real full or read-only file system (a tmpfs in a
 * user and mount namespace, made with `unshare`), and without write permission. Every test checks the message, the
 * exit code and the disk byte for byte, the parent folder included.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { moveIn, Stager } from '../lib/output/reuse';

const ROOT = join(__dirname, '..');
const MAIN = join(ROOT, 'build', 'main.js');

const made: string[] = [];
const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-stack-out-'));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of made) {
    chmodSync(d, 0o755);
    rmSync(d, { recursive: true, force: true });
  }
});

function run(args: string[], options: { cwd?: string; uid?: number; gid?: number } = {}) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: options.cwd ?? ROOT, encoding: 'utf8', uid: options.uid, gid: options.gid });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Everything under a folder, hidden entries and empty folders included, with file contents. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        out[`${prefix}${name}/`] = '';
        walk(p, `${prefix}${name}/`);
      } else out[`${prefix}${name}`] = readFileSync(p, 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

/** Tenants t0000, t0001, … with one server each; `tags` gives some of them another image tag than 0.8.0. */
function tenantsFile(dir: string, count: number, tags: Record<string, string> = {}): string {
  const lines = ['tenants:'];
  for (let i = 0; i < count; i++) {
    const name = `t${String(i).padStart(4, '0')}`;
    lines.push(`  - name: ${name}`, '    servers:', '      - name: time', `        image: { repository: ghcr.io/ibm/fast-time-server, tag: "${tags[name] ?? '0.8.0'}" }`, '        transport: streamable-http');
  }
  const file = join(dir, `tenants-${count}${Object.keys(tags).length ? '-changed' : ''}.yaml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error('build/main.js is missing: run `npm test` (it compiles first) or `npm run build`');
});

describe('interrupted writes', () => {
  /** Starts a large synth over a previous output and sends `signal` once the staging folder holds files. */
  async function interrupt(signal: NodeJS.Signals) {
    const work = tmp();
    const out = join(work, 'out');
    const tenants = tenantsFile(work, 1500);
    expect(run(['synth', '--out', out, '--no-validate']).code).toBe(0);
    const before = snapshot(work);
    const child = spawn(process.execPath, [MAIN, 'synth', '--out', out, '--no-validate', '--tenants', tenants], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; pid?: number }>((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig, pid: child.pid })));
    const staging = join(out, `.kind.staging-${child.pid}`);
    // Wait until the run is well into writing tenant folders.
    for (let i = 0; i < 2000; i++) {
      if (existsSync(join(staging, 'tenants')) && readdirSync(join(staging, 'tenants')).length > 50) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(existsSync(join(staging, 'tenants'))).toBe(true);
    child.kill(signal);
    const result = await exited;
    return { work, out, before, result, stderr, staging };
  }

  test.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s while writing: exit %i, the previous output and the parent folder exactly as they were', async (signal, code) => {
    const { work, before, result, stderr } = await interrupt(signal);
    expect(result.code).toBe(code);
    expect(stderr).toBe(`mcp-stack: interrupted by ${signal}; nothing was replaced, the previous output is as it was\n`);
    expect(snapshot(work)).toEqual(before);
  }, 60_000);

  test('SIGKILL leaves a staging folder; the next run removes it and writes the output', async () => {
    const { work, out, before, result, staging } = await interrupt('SIGKILL');
    expect(result.signal).toBe('SIGKILL');
    // Nothing can run on SIGKILL: the staging folder stays, and the previous output is untouched.
    expect(existsSync(staging)).toBe(true);
    // Nor can it remove its output lock: the next run finds its process gone and takes the lock.
    expect(readFileSync(join(out, '.kind.lock'), 'utf8')).toBe(`${result.pid}\n`);
    expect(Object.fromEntries(Object.entries(snapshot(work)).filter(([p]) => !p.includes('.kind.staging-') && !p.endsWith('.kind.lock')))).toEqual(before);
    const r = run(['synth', '--out', out, '--no-validate']);
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(['kind']);
    expect(snapshot(work)).toEqual(before);
  }, 60_000);

  test('a run killed between its two renames is put back by the next run', () => {
    const work = tmp();
    const out = join(work, 'out');
    expect(run(['synth', '--out', out, '--no-validate']).code).toBe(0);
    const before = snapshot(work);
    // What a kill between `kind -> .kind.previous-<pid>` and `staging -> kind` leaves: no output folder. PID 2^22+1
    // is above Linux's pid_max, so it belongs to no process.
    const dead = 4194305;
    spawnSync('mv', [join(out, 'kind'), join(out, `.kind.previous-${dead}`)]);
    const bad = run(['synth', '--out', out, '--no-validate', '--set', 'gateway.replicas=0']);
    expect(bad.code).toBe(2);
    const r = run(['synth', '--out', out, '--no-validate']);
    expect(r.code).toBe(0);
    expect(snapshot(work)).toEqual(before);
  });

  test('the clock probe a killed run left beside the output is removed by the next run, and nothing else', () => {
    const work = tmp();
    const out = join(work, 'out');
    const dead = 4194305;
    mkdirSync(out, { recursive: true });
    // The empty file a synth makes beside its output while it takes its record (see lib/output/record.ts).
    writeFileSync(join(out, `.kind.probe-${dead}`), '');
    writeFileSync(join(out, `.kind.probe-${dead + 1}`), 'not ours: it has content');
    expect(run(['synth', '--out', out, '--no-validate']).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual([`.kind.probe-${dead + 1}`, 'kind']);
  });

  test('a staging folder of a run still alive is left alone', () => {
    const work = tmp();
    const out = join(work, 'out');
    const alive = join(out, `.kind.staging-${process.pid}`);
    mkdirSync(alive, { recursive: true });
    writeFileSync(join(alive, '.mcp-stack-output'), '# Written by mcp-stack-cdk8s.\n');
    expect(run(['synth', '--out', out, '--no-validate']).code).toBe(0);
    expect(existsSync(alive)).toBe(true);
  });
});

describe('two runs writing the same output', () => {
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** An output, and a lock beside it held by a live process (a `sleep`), as a run busy writing holds it. */
  function heldOutput() {
    const work = tmp();
    const out = join(work, 'out');
    expect(run(['synth', '--out', out, '--no-validate']).code).toBe(0);
    const holder = spawn('sleep', ['60']);
    const lock = join(out, '.kind.lock');
    writeFileSync(lock, `${holder.pid}\n`);
    return { work, out, holder, lock, before: snapshot(work) };
  }

  /** Starts a synth into `out` and resolves once it says it is waiting for the lock. */
  async function waiting(out: string, args: string[]) {
    const child = spawn(process.execPath, [MAIN, 'synth', '--out', out, '--no-validate', ...args], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 3000 && !stderr.includes('waiting'); i++) await pause(10);
    return { child, exited, stderr: () => stderr };
  }

  test('the second run waits for the first to finish, writing nothing meanwhile, then writes', async () => {
    const { work, out, holder, lock, before } = heldOutput();
    const second = await waiting(out, ['--set', 'gateway.replicas=2']);
    expect(second.stderr()).toBe(`mcp-stack: waiting for another run (process ${holder.pid}) to finish writing ${join(out, 'kind')}\n`);
    await pause(300);
    expect(snapshot(work)).toEqual(before);
    holder.kill();
    expect(await second.exited).toBe(0);
    expect(existsSync(lock)).toBe(false);
    expect(readdirSync(out)).toEqual(['kind']);
    expect(readFileSync(join(out, 'kind', '20-platform.yaml'), 'utf8')).toMatch(/name: mcp-stack-gateway\n[\s\S]*?replicas: 2\n/);
  }, 60_000);

  test('SIGINT while waiting: exit 130, nothing written, the other run\'s lock left alone', async () => {
    const { work, out, holder, before } = heldOutput();
    const second = await waiting(out, ['--set', 'gateway.replicas=2']);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(130);
    expect(second.stderr()).toContain('mcp-stack: interrupted by SIGINT; nothing was replaced, the previous output is as it was\n');
    expect(snapshot(work)).toEqual(before);
    holder.kill();
  }, 60_000);

  test('a lock whose run is gone is taken at once, and removed after the write', () => {
    const work = tmp();
    const out = join(work, 'out');
    expect(run(['synth', '--out', out, '--no-validate']).code).toBe(0);
    // 2^22+1 is above Linux's pid_max: no process has that number.
    writeFileSync(join(out, '.kind.lock'), '4194305\n');
    const r = run(['synth', '--out', out, '--no-validate', '--set', 'gateway.replicas=2']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(readdirSync(out)).toEqual(['kind']);
  });
});

describe('a run over its own output', () => {
  const tenant = (out: string, rel: string) => join(out, 'kind', 'tenants', rel);
  const identity = (path: string) => {
    const st = lstatSync(path);
    return { ino: st.ino, mtimeMs: st.mtimeMs };
  };
  /** The same run into an empty folder: what the output must hold, byte for byte and mode for mode. */
  function fresh(work: string, args: string[]) {
    const out = join(work, `fresh-${made.length}`);
    expect(run(['synth', '--out', out, '--no-validate', ...args]).code).toBe(0);
    return out;
  }
  const modes = (dir: string) => {
    const out: Record<string, number> = {};
    const walk = (d: string, prefix: string) => {
      for (const name of readdirSync(d).sort()) {
        const st = lstatSync(join(d, name));
        out[`${prefix}${name}`] = st.mode;
        if (st.isDirectory()) walk(join(d, name), `${prefix}${name}/`);
      }
    };
    walk(dir, '');
    return out;
  };

  test('unchanged files and folders are kept (same inode and time), everything else is written as a fresh run writes it', () => {
    const work = tmp();
    const out = join(work, 'out');
    expect(run(['synth', '--out', out, '--no-validate', '--tenants', tenantsFile(work, 8)]).code).toBe(0);
    const kept = {
      folder: identity(tenant(out, 't0002')),
      file: identity(tenant(out, 't0002/10-workloads/time.yaml')),
      sibling: identity(tenant(out, 't0001/00-guardrails.yaml')),
    };
    const changed = identity(tenant(out, 't0001/10-workloads/time.yaml'));
    // What a user (or another tool) may leave in the output: another mode, an extra file, a symbolic link.
    chmodSync(tenant(out, 't0003/20-argocd.yaml'), 0o600);
    writeFileSync(tenant(out, 't0004/notes.txt'), 'mine\n');
    copyFileSync(tenant(out, 't0005/00-guardrails.yaml'), join(work, 'guardrails-copy.yaml'));
    rmSync(tenant(out, 't0005/00-guardrails.yaml'));
    symlinkSync(join(work, 'guardrails-copy.yaml'), tenant(out, 't0005/00-guardrails.yaml'));
    rmSync(tenant(out, 't0006'), { recursive: true });
    writeFileSync(tenant(out, 't0006'), 'a file where a folder was\n');

    // t0001 changes its image, t0007 is gone.
    const args = ['--tenants', tenantsFile(work, 7, { t0001: '0.7.0' })];
    expect(run(['synth', '--out', out, '--no-validate', ...args]).code).toBe(0);
    const expected = fresh(work, args);
    expect(snapshot(out)).toEqual(snapshot(expected));
    expect(modes(out)).toEqual(modes(expected));
    expect(readdirSync(out)).toEqual(['kind']);

    expect(identity(tenant(out, 't0002'))).toEqual(kept.folder);
    expect(identity(tenant(out, 't0002/10-workloads/time.yaml'))).toEqual(kept.file);
    expect(identity(tenant(out, 't0001/00-guardrails.yaml'))).toEqual(kept.sibling);
    expect(identity(tenant(out, 't0001/10-workloads/time.yaml')).ino).not.toBe(changed.ino);
    expect(readFileSync(tenant(out, 't0001/10-workloads/time.yaml'), 'utf8')).toContain('fast-time-server:0.7.0');
    expect(lstatSync(tenant(out, 't0005/00-guardrails.yaml')).isFile()).toBe(true);
    expect(readFileSync(join(work, 'guardrails-copy.yaml'), 'utf8')).toBe(readFileSync(tenant(expected, 't0005/00-guardrails.yaml'), 'utf8'));
    expect(existsSync(tenant(out, 't0007'))).toBe(false);
  });

  test('an output that is a symbolic link is replaced by a folder, and the folder it points to is left as it was', () => {
    const work = tmp();
    const elsewhere = join(work, 'elsewhere');
    const args = ['--tenants', tenantsFile(work, 3)];
    expect(run(['synth', '--out', elsewhere, '--no-validate', ...args]).code).toBe(0);
    const before = snapshot(elsewhere);
    const out = join(work, 'out');
    mkdirSync(out);
    symlinkSync(join(elsewhere, 'kind'), join(out, 'kind'));
    expect(run(['synth', '--out', out, '--no-validate', ...args]).code).toBe(0);
    expect(lstatSync(join(out, 'kind')).isDirectory()).toBe(true);
    expect(snapshot(out)).toEqual(snapshot(fresh(work, args)));
    expect(snapshot(elsewhere)).toEqual(before);
  });

  /** A dead run's state: `rels` moved from the output into its staging folder, as the journal beside it lists. */
  function killedWhileMoving(out: string, rels: string[], dead: number) {
    const staging = join(out, `.kind.staging-${dead}`);
    mkdirSync(join(staging, 'tenants'), { recursive: true });
    writeFileSync(join(staging, '.mcp-stack-output'), '# Written by mcp-stack-cdk8s.\n');
    writeFileSync(join(out, `.kind.moves-${dead}`), `${rels.join('\n')}\n`);
    for (const rel of rels) renameSync(join(out, 'kind', rel), join(staging, rel));
  }
  // Above Linux's pid_max: no process has it.
  const dead = 4194305;

  /** A first synth of `count` tenants into `<work>/out`; `again()` runs the same synth over it. */
  function firstRun(count: number) {
    const work = tmp();
    const out = join(work, 'out');
    const args = ['--tenants', tenantsFile(work, count)];
    const again = () => expect(run(['synth', '--out', out, '--no-validate', ...args]).code).toBe(0);
    again();
    /** The output is what a run into an empty folder writes, and nothing else is left beside it. */
    const asFresh = () => {
      expect(snapshot(out)).toEqual(snapshot(fresh(work, args)));
      expect(readdirSync(out)).toEqual(['kind']);
    };
    return { out, again, asFresh };
  }

  test('a run killed while moving folders into its staging folder: the next run puts them back first', () => {
    const { out, again, asFresh } = firstRun(4);
    const moved = identity(tenant(out, 't0001'));
    killedWhileMoving(out, ['tenants/t0001', 'tenants/t0002'], dead);
    expect(existsSync(tenant(out, 't0001'))).toBe(false);

    again();
    // Put back into the output, then kept by this run as unchanged: the very folder, not a new one.
    expect(identity(tenant(out, 't0001'))).toEqual(moved);
    asFresh();
  });

  test('a run killed between its two renames after moving folders: the previous output comes back whole', () => {
    const { out, again, asFresh } = firstRun(4);
    const moved = identity(tenant(out, 't0003'));
    killedWhileMoving(out, ['tenants/t0003'], dead);
    renameSync(join(out, 'kind'), join(out, `.kind.previous-${dead}`));

    again();
    expect(identity(tenant(out, 't0003'))).toEqual(moved);
    asFresh();
  });
});

describe('reusing files where the file system refuses hard links', () => {
  /** A previous output and a staging folder on two devices: /dev/shm is a tmpfs of its own. */
  function twoDevices() {
    const previous = mkdtempSync('/dev/shm/mcp-stack-previous-');
    made.push(previous);
    const staging = join(tmp(), 'staging');
    mkdirSync(staging);
    if (statSync(previous).dev === statSync(staging).dev) throw new Error(`${previous} and ${staging} are on one device: this test needs two`);
    return { previous, staging };
  }

  test('an unchanged file is copied instead (the previous output on another device: EXDEV)', () => {
    const { previous, staging } = twoDevices();
    mkdirSync(join(previous, 'a'));
    writeFileSync(join(previous, 'a', 'x.yaml'), 'kept: true\n');
    writeFileSync(join(previous, 'a', 'y.yaml'), 'changed: false\n');
    writeFileSync(join(staging, 'mark'), '');
    const stager = new Stager(staging, previous, { file: statSync(join(staging, 'mark')).mode, dir: statSync(staging).mode });
    stager.add('a/x.yaml', 'kept: true\n');
    stager.add('a/y.yaml', 'changed: true\n');
    expect(stager.finish()).toEqual([]);
    expect(readFileSync(join(staging, 'a', 'x.yaml'), 'utf8')).toBe('kept: true\n');
    expect(statSync(join(staging, 'a', 'x.yaml')).nlink).toBe(1);
    expect(readFileSync(join(staging, 'a', 'y.yaml'), 'utf8')).toBe('changed: true\n');
    expect(readFileSync(join(previous, 'a', 'y.yaml'), 'utf8')).toBe('changed: false\n');
  });

  test('an unchanged folder is copied instead of moved across devices (EXDEV)', () => {
    const { previous, staging } = twoDevices();
    mkdirSync(join(previous, 't1', 'workloads'), { recursive: true });
    writeFileSync(join(previous, 't1', 'a.yaml'), 'a: 1\n');
    writeFileSync(join(previous, 't1', 'workloads', 'b.yaml'), 'b: 2\n');
    moveIn(previous, staging, 't1');
    expect(snapshot(join(staging, 't1'))).toEqual({ 'a.yaml': 'a: 1\n', 'workloads/': '', 'workloads/b.yaml': 'b: 2\n' });
    expect(snapshot(join(previous, 't1'))).toEqual(snapshot(join(staging, 't1')));
  });
});

describe('folders the tool did not write', () => {
  test('a folder holding other files is refused, exit 3, and left exactly as it was', () => {
    const work = tmp();
    mkdirSync(join(work, 'deploy', 'kind'), { recursive: true });
    writeFileSync(join(work, 'deploy', 'kind', 'my-notes.md'), 'mine\n');
    const before = snapshot(work);
    const r = run(['synth', '--out', join(work, 'deploy'), '--no-validate']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      `mcp-stack: cannot write ${join(work, 'deploy', 'kind')}: the folder holds files mcp-stack did not write (it has no .mcp-stack-output mark), ` +
        'and a synth replaces the folder whole. Move those files away, or choose another --out.\n',
    );
    expect(snapshot(work)).toEqual(before);
  });

  test('an empty folder, and output written before the mark existed, are replaced', () => {
    const work = tmp();
    mkdirSync(join(work, 'a', 'kind'), { recursive: true });
    expect(run(['synth', '--out', join(work, 'a'), '--no-validate']).code).toBe(0);
    mkdirSync(join(work, 'b', 'kind'), { recursive: true });
    writeFileSync(join(work, 'b', 'kind', 'Kustomization'), '# Generated by mcp-stack-cdk8s (profile kind). Do not edit.\n');
    expect(run(['synth', '--out', join(work, 'b'), '--no-validate']).code).toBe(0);
    expect(snapshot(join(work, 'b'))).toEqual(snapshot(join(work, 'a')));
  });

  test('--out naming a file: exit 3, the file untouched, nothing created', () => {
    const work = tmp();
    writeFileSync(join(work, 'deploy'), 'a file\n');
    const before = snapshot(work);
    const r = run(['synth', '--out', join(work, 'deploy'), '--no-validate']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`mcp-stack: cannot write ${join(work, 'deploy', 'kind')}: ${join(work, 'deploy')} is a file, not a folder. Choose another --out, or move the file away.\n`);
    expect(snapshot(work)).toEqual(before);
  });

  test('the chart folder is guarded the same way', () => {
    const work = tmp();
    mkdirSync(join(work, 'helm', 'mcp-stack'), { recursive: true });
    writeFileSync(join(work, 'helm', 'mcp-stack', 'Chart.yaml'), 'name: someone-elses-chart\n');
    const before = snapshot(work);
    const r = run(['synth', '--format', 'helm', '--out', work]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('the folder holds files mcp-stack did not write');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(work)).toEqual(before);
  }, 120_000);
});

describe('file systems that refuse', () => {
  test('a folder this user cannot write: exit 3, a plain message, nothing changed', () => {
    const work = tmp();
    const out = join(work, 'out');
    expect(run(['synth', '--out', out, '--no-validate']).code).toBe(0);
    chmodSync(out, 0o555);
    chmodSync(work, 0o755);
    const before = snapshot(work);
    // Root writes anywhere: run as nobody then, as an ordinary user would be.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = run(['synth', '--out', out, '--no-validate', '--set', 'gateway.replicas=2'], { ...asUser, cwd: '/' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^mcp-stack: cannot write ${out}/kind \\(at ${out}/\\.kind\\.lock\\): permission denied: make the folder writable for this user, or choose another --out\\. Nothing was changed: ${out}/kind is as it was\\.\\n$`));
    expect(snapshot(work)).toEqual(before);
  });

  /** Runs a shell script in a new user and mount namespace, where it may mount a tmpfs. */
  function inNamespace(script: string) {
    const probe = spawnSync('unshare', ['-rm', 'true']);
    if (probe.status !== 0) {
      if (process.env.CI) throw new Error(`unshare -rm is needed for the full and read-only disk tests: ${probe.stderr}`);
      return undefined;
    }
    const r = spawnSync('unshare', ['-rm', 'sh', '-euc', script], { encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  const listing = (dir: string) => `find ${dir} -print0 | sort -z | xargs -0 ls -ld --time-style=+ | awk '{print $1, $5, $NF}'; find ${dir} -type f -print0 | sort -z | xargs -0 sha256sum`;

  test('a full disk: exit 3, the previous output and the parent folder as they were', () => {
    const mnt = tmp();
    const r = inNamespace(`
      mount -t tmpfs -o size=400k tmpfs ${mnt}
      ${process.execPath} ${MAIN} synth --out ${mnt}/out --no-validate > /dev/null
      (${listing(mnt)}) > /tmp/before-$$
      # Fill the disk but for a little room, less than the output needs.
      dd if=/dev/zero of=${mnt}/filler bs=1k count=10000 2>/dev/null || true
      rm ${mnt}/filler; dd if=/dev/zero of=${mnt}/filler bs=1k count=$(( $(df -k ${mnt} | awk 'NR==2 {print $4}') - 24 )) 2>/dev/null
      (${listing(mnt)}) | grep -v filler > /tmp/mid-$$
      set +e
      ${process.execPath} ${MAIN} synth --out ${mnt}/out --no-validate --set gateway.replicas=2 2> /tmp/err-$$
      echo "exit=$?"
      set -e
      rm ${mnt}/filler
      (${listing(mnt)}) > /tmp/after-$$
      cat /tmp/err-$$
      cmp /tmp/before-$$ /tmp/after-$$ && echo same-as-before
      rm -f /tmp/before-$$ /tmp/mid-$$ /tmp/after-$$ /tmp/err-$$
    `);
    if (!r) return;
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('exit=3\n');
    expect(r.stdout).toMatch(new RegExp(`mcp-stack: cannot write ${mnt}/out/kind \\(at [^)]+\\): no space left on the device: free some space and run again\\. Nothing was changed: ${mnt}/out/kind is as it was\\.\\n`));
    expect(r.stdout).toContain('same-as-before');
  });

  test('a read-only file system: exit 3, nothing changed', () => {
    const mnt = tmp();
    const r = inNamespace(`
      mount -t tmpfs -o size=4m tmpfs ${mnt}
      ${process.execPath} ${MAIN} synth --out ${mnt}/out --no-validate > /dev/null
      mount -o remount,ro ${mnt}
      (${listing(mnt)}) > /tmp/before-$$
      set +e
      ${process.execPath} ${MAIN} synth --out ${mnt}/out --no-validate 2> /tmp/err-$$
      echo "exit=$?"
      set -e
      (${listing(mnt)}) > /tmp/after-$$
      cat /tmp/err-$$
      cmp /tmp/before-$$ /tmp/after-$$ && echo same-as-before
      rm -f /tmp/before-$$ /tmp/after-$$ /tmp/err-$$
    `);
    if (!r) return;
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('exit=3\n');
    expect(r.stdout).toContain(`mcp-stack: cannot write ${mnt}/out/kind (at ${mnt}/out/.kind.lock): the file system is read-only: choose another --out.`);
    expect(r.stdout).toContain('the file system is read-only: choose another --out. Nothing was changed');
    expect(r.stdout).toContain('same-as-before');
  });
});
