/**
 * Replaces an output folder with exactly a set of files, so that nothing is ever half-written or lost:
 *
 * - everything is written to a staging folder beside the output and swapped in with two renames once complete;
 *   what the output already holds is linked or moved into it instead of written again (see ./reuse);
 * - the folder carries a mark (`OWNER_MARK`); a folder without it that holds anything is someone else's, and is
 *   refused instead of replaced;
 * - staging and previous folders left by a run that was killed (`SIGKILL`, power loss) are removed by the next run,
 *   or put back when the kill fell between the two renames; folders moved out of the output just before the swap
 *   are listed first in a journal beside it, and a run killed while moving them has them put back the same way;
 * - `writeOutput` yields to the event loop while it writes, so `SIGINT`, `SIGTERM` and `SIGHUP` stop it before the
 *   swap: the staging folder is removed and the output and its parent folder stay exactly as they were;
 * - two runs writing the same output take turns on a lock file beside it (`OutputLock`).
 *
 * File system failures (permissions, a full disk, a file where a folder should be) become an `EnvironmentError`
 * naming the path, what went wrong and what to do.
 */
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { EnvironmentError } from '../../profiles/errors';
import { sha256 } from '../constructs/core/checksum';
import { moveIn, Stager, type Modes } from './reuse';

/** Files whose text may be rendered only when it is written (and dropped right after). */
export type LazyFileSet = ReadonlyMap<string, string | (() => string)>;

/** The file that marks a folder as written by this tool, and so safe to replace whole. */
export const OWNER_MARK = '.mcp-stack-output';
const MARK_TEXT = '# Written by mcp-stack-cdk8s. The next synth replaces this folder whole: keep your own files elsewhere.\n';

/** A run stopped by a signal before the swap; the output is as it was. */
export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = 'Interrupted';
  }
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** How long the writer works between looks at pending signals. */
const YIELD_EVERY_MS = 15;

/** Replaces `dir` with exactly `files` (relative paths), synchronously. Stale files (e.g. of a removed tenant) disappear. */
export function writeAtomically(dir: string, files: LazyFileSet): void {
  const lock = new OutputLock(dir);
  while (!lock.take()) sleepSync(LOCK_POLL_MS);
  try {
    const plan = prepare(dir);
    try {
      for (const [path, content] of plan.entries(files)) writeOne(plan, path, content);
      swap(plan);
    } catch (e) {
      abandon(plan);
      throw asEnvironmentError(e, plan);
    }
    removeOwned(plan.previous);
  } finally {
    lock.release();
  }
}

/**
 * Like `writeAtomically`, but a signal received while writing stops the run before the swap (`Interrupted`).
 * `digests`, when given, receives the sha256 of every file of the output (the mark included); the modes its files
 * and folders got are returned.
 */
export async function writeOutput(dir: string, files: LazyFileSet, digests?: Map<string, string>): Promise<Modes> {
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    received ??= signal;
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  const lock = new OutputLock(dir);
  try {
    while (!lock.take()) {
      await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
      if (received) throw new Interrupted(received);
    }
    const plan = prepare(dir);
    plan.digests = digests;
    digests?.set(OWNER_MARK, sha256(MARK_TEXT));
    try {
      let since = Date.now();
      for (const [path, content] of plan.entries(files)) {
        writeOne(plan, path, content);
        if (Date.now() - since >= YIELD_EVERY_MS) {
          await new Promise((r) => setImmediate(r));
          if (received) throw new Interrupted(received);
          since = Date.now();
        }
      }
      await new Promise((r) => setImmediate(r));
      if (received) throw new Interrupted(received);
      swap(plan);
    } catch (e) {
      abandon(plan);
      throw e instanceof Interrupted ? e : asEnvironmentError(e, plan);
    }
    removeOwned(plan.previous);
    return plan.modes!;
  } finally {
    lock.release();
    for (const s of SIGNALS) process.off(s, onSignal);
  }
}

/** How often a run waiting for another one's output lock looks again. */
const LOCK_POLL_MS = 50;
/**
 * A lock older than this is taken as abandoned even if a process of its number lives (numbers are reused): a synth
 * of thousands of tenants holds it for seconds.
 */
const LOCK_ABANDONED_MS = 10 * 60_000;
/** A lock file still empty after this long was left by a run killed between making it and writing its number. */
const LOCK_UNWRITTEN_MS = 5_000;

/**
 * Two runs writing the same output folder take turns: each holds `.<name>.lock` beside it (made exclusively, holding
 * its process number) from clearing leftovers to the swap. Without it, both would move folders out of the same
 * output and the later one's clean-up could put its folders into the other's result. A lock whose process is gone
 * (a killed run) or that is older than any run is taken as abandoned and removed. (Two runs that find the same
 * abandoned lock at the same instant can both take it: that needs a killed run and two new ones racing.)
 */
class OutputLock {
  private readonly path: string;
  private held = false;
  private told = false;

  constructor(private readonly dir: string) {
    this.path = join(dirname(dir), `.${basename(dir)}.lock`);
  }

  /** Takes the lock if it is free or abandoned; false while another live run holds it. */
  take(): boolean {
    try {
      checkPath(this.dir);
      mkdirSync(dirname(this.dir), { recursive: true });
      for (;;) {
        let fd: number;
        try {
          fd = openSync(this.path, 'wx');
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
          const holder = this.holder();
          if (holder === 'gone') continue;
          if (holder === 'abandoned') {
            rmSync(this.path, { force: true });
            continue;
          }
          if (!this.told) process.stderr.write(`mcp-stack: waiting for another run (process ${holder || 'starting'}) to finish writing ${this.dir}\n`);
          this.told = true;
          return false;
        }
        try {
          writeSync(fd, `${process.pid}\n`);
        } catch (e) {
          // A full disk: the parent folder is left as it was.
          closeSync(fd);
          unlinkSync(this.path);
          throw e;
        }
        closeSync(fd);
        this.held = true;
        return true;
      }
    } catch (e) {
      throw asEnvironmentError(e, { dir: this.dir, current: this.path });
    }
  }

  /** The number of the live process holding the lock (0: being written), or what became of it. */
  private holder(): number | 'gone' | 'abandoned' {
    let text: string;
    let age: number;
    try {
      text = readFileSync(this.path, 'utf8');
      age = Date.now() - statSync(this.path).mtimeMs;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      throw e;
    }
    const pid = /^\d+\n$/.test(text) ? Number(text.trim()) : undefined;
    if (pid === undefined) return age < LOCK_UNWRITTEN_MS ? 0 : 'abandoned';
    return pid !== process.pid && isAlive(pid) && age < LOCK_ABANDONED_MS ? pid : 'abandoned';
  }

  /** Removes the lock if this run still holds it (a run that took it as abandoned meanwhile holds its own). */
  release(): void {
    if (!this.held) return;
    this.held = false;
    try {
      if (readFileSync(this.path, 'utf8') === `${process.pid}\n`) unlinkSync(this.path);
    } catch {
      // Gone already.
    }
  }
}

/** Blocks the thread for `ms` (the synchronous writer has no event loop turn to give). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

interface Plan {
  readonly dir: string;
  readonly staging: string;
  readonly previous: string;
  /** Lists the folders moved from the output into the staging folder, written just before they are moved. */
  readonly journal: string;
  stager?: Stager;
  modes?: Modes;
  /** Receives the digest of each file written, when given. */
  digests?: Map<string, string>;
  /** Folders moved so far, to put back if the swap fails. */
  readonly moved: string[];
  entries(files: LazyFileSet): [string, string | (() => string)][];
  /** The path being worked on, for the message when the file system refuses. */
  current: string;
}

/** Checks the target, clears what killed runs left, and creates the staging folder with its mark. */
function prepare(dir: string): Plan {
  const parent = dirname(dir);
  const name = basename(dir);
  const plan: Plan = {
    dir,
    staging: join(parent, `.${name}.staging-${process.pid}`),
    previous: join(parent, `.${name}.previous-${process.pid}`),
    journal: join(parent, `.${name}.moves-${process.pid}`),
    moved: [],
    entries: (files) => [...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    current: dir,
  };
  try {
    // The output lock (taken first) checked the path and made the parent folder.
    clearLeftovers(parent, name);
    if (existsSync(dir) && !ownedByUs(dir)) {
      throw new EnvironmentError(
        `cannot write ${dir}: the folder holds files mcp-stack did not write (it has no ${OWNER_MARK} mark), and a synth replaces the folder whole. ` +
          'Move those files away, or choose another --out.',
      );
    }
    plan.current = plan.staging;
    rmSync(plan.staging, { recursive: true, force: true });
    mkdirSync(plan.staging);
    writeFileSync(join(plan.staging, OWNER_MARK), MARK_TEXT);
    const modes = { file: statSync(join(plan.staging, OWNER_MARK)).mode, dir: statSync(plan.staging).mode };
    // An output that is a symbolic link is replaced by a folder as before, and nothing is taken from where it points.
    const reusable = lstatSync(dir, { throwIfNoEntry: false })?.isDirectory();
    plan.stager = new Stager(plan.staging, reusable ? dir : undefined, modes);
    plan.modes = modes;
  } catch (e) {
    abandon(plan);
    throw asEnvironmentError(e, plan);
  }
  return plan;
}

function writeOne(plan: Plan, rel: string, content: string | (() => string)): void {
  plan.current = join(plan.staging, rel);
  const text = typeof content === 'function' ? content() : content;
  plan.digests?.set(rel, sha256(text));
  plan.stager!.add(rel, text);
}

/** Moves the unchanged folders in (journal first), then swaps the staging folder in with two renames. */
function swap(plan: Plan): void {
  plan.current = plan.dir;
  const moves = plan.stager!.finish();
  if (moves.length) {
    writeFileSync(plan.journal, `${moves.join('\n')}\n`);
    for (const rel of moves) {
      moveIn(plan.dir, plan.staging, rel);
      plan.moved.push(rel);
    }
  }
  if (existsSync(plan.dir)) renameSync(plan.dir, plan.previous);
  renameSync(plan.staging, plan.dir);
  if (moves.length) unlinkSync(plan.journal);
}

/**
 * Puts folders moved into a staging folder back where they came from: the output, or the previous folder when the
 * output was already renamed to it. What is already back (or was never moved) is left alone.
 */
function putBack(staging: string, dir: string, previous: string, moved: readonly string[]): void {
  const home = existsSync(dir) ? dir : previous;
  if (!existsSync(home)) return;
  for (const rel of [...moved].reverse()) {
    if (existsSync(join(staging, rel)) && !existsSync(join(home, rel))) renameSync(join(staging, rel), join(home, rel));
  }
}

/** Removes the staging folder and puts the previous output back if the swap got halfway. */
function abandon(plan: Plan): void {
  try {
    putBack(plan.staging, plan.dir, plan.previous, plan.moved);
    rmSync(plan.journal, { force: true });
    rmSync(plan.staging, { recursive: true, force: true });
    if (!existsSync(plan.dir) && existsSync(plan.previous)) renameSync(plan.previous, plan.dir);
  } catch {
    // Best effort: the message of the original failure matters more, and the next run clears what is left.
  }
}

/** A folder is ours when it carries the mark, is empty, or is output of a release from before the mark. */
function ownedByUs(dir: string): boolean {
  if (!statSync(dir).isDirectory()) return false;
  const entries = readdirSync(dir);
  if (entries.length === 0 || entries.includes(OWNER_MARK)) return true;
  const head = (file: string) => (existsSync(join(dir, file)) && statSync(join(dir, file)).isFile() ? readFileSync(join(dir, file), 'utf8').slice(0, 200) : '');
  return head('Kustomization').startsWith('# Generated by mcp-stack-cdk8s') || /^name: mcp-stack$/m.test(head('Chart.yaml'));
}

function removeOwned(dir: string): void {
  if (existsSync(dir) && ownedByUs(dir)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Staging and previous folders, and record probes, of runs that no longer exist. Folders a journal lists as moved
 * into a staging folder go back first; then a staging folder is removed, and a previous folder is put back when the
 * output is missing (the run died between its two renames), else removed. Folders of a run still alive are left
 * alone, and so is anything without the mark.
 */
function clearLeftovers(parent: string, name: string): void {
  const pattern = new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(moves|previous|staging|probe)-(\\d+)$`);
  // In name order a run's journal comes before its previous and staging folders.
  for (const entry of readdirSync(parent).sort()) {
    const m = pattern.exec(entry);
    if (!m || Number(m[2]) === process.pid || isAlive(Number(m[2]))) continue;
    const path = join(parent, entry);
    if (m[1] === 'probe') {
      // The empty file a synth record times the file system's clock with (lib/output/record.ts).
      if (statSync(path).isFile() && statSync(path).size === 0) rmSync(path, { force: true });
      continue;
    }
    if (m[1] === 'moves') {
      const staging = join(parent, `.${name}.staging-${m[2]}`);
      if (existsSync(staging) && ownedByUs(staging)) {
        const moved = readFileSync(path, 'utf8').split('\n').filter((rel) => rel && !rel.split('/').includes('..'));
        putBack(staging, join(parent, name), join(parent, `.${name}.previous-${m[2]}`), moved);
      }
      rmSync(path, { force: true });
      continue;
    }
    if (!ownedByUs(path)) continue;
    if (m[1] === 'previous' && !existsSync(join(parent, name))) renameSync(path, join(parent, name));
    else rmSync(path, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every existing ancestor of the output must be a folder: `--out` naming a file is refused before anything is made. */
function checkPath(dir: string): void {
  for (let p = resolve(dir); ; p = dirname(p)) {
    if (existsSync(p)) {
      if (!statSync(p).isDirectory()) {
        throw new EnvironmentError(`cannot write ${dir}: ${p} is a file, not a folder. Choose another --out, or move the file away.`);
      }
      return;
    }
    if (dirname(p) === p) return;
  }
}

const ADVICE: Record<string, string> = {
  EACCES: 'permission denied: make the folder writable for this user, or choose another --out',
  EPERM: 'operation not permitted: make the folder writable for this user, or choose another --out',
  EROFS: 'the file system is read-only: choose another --out',
  ENOSPC: 'no space left on the device: free some space and run again',
  EDQUOT: 'the disk quota is used up: free some space and run again',
  ENOTDIR: 'a part of the path is a file, not a folder: choose another --out',
  EISDIR: 'a folder is where a file should be: choose another --out',
  ENAMETOOLONG: 'the path is too long: choose a shorter --out',
  EMFILE: 'too many open files: raise the limit (ulimit -n) and run again',
  EIO: 'the device reported an input/output error: check the disk',
  ELOOP: 'too many symbolic links in the path: choose another --out',
};

/** A file system failure as an `EnvironmentError`; other errors pass through. */
function asEnvironmentError(e: unknown, plan: Pick<Plan, 'dir' | 'current'>): unknown {
  if (e instanceof EnvironmentError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return e;
  const at = (e as NodeJS.ErrnoException).path ?? plan.current;
  const advice = ADVICE[code] ?? `the file system refused (${code})`;
  return new EnvironmentError(`cannot write ${plan.dir} (at ${at}): ${advice}. Nothing was changed: ${plan.dir} is as it was.`);
}
