/**
 * The record a synth leaves for the launcher (`bin/mcp-stack`), so that running the same synth again, when nothing it
 * reads and nothing it wrote has changed, can say so instead of rendering, checking and writing the same bytes.
 *
 * The launcher names the record (`MCP_STACK_RECORD`) by a digest of what this process cannot see for itself: the
 * working folder, the arguments, the node binary, the build and the snapshot, and the files under `assets/` and
 * `reference/` (by size, times and inode). The record holds what only this process knows, by content:
 *
 * - `<record>.sums`, in `sha256sum -c` form: every input file the synth read (values and tenants files, the bytes it
 *   parsed), every file it wrote, and, as standard input (`-`), the listing `find <out> -printf '%p\t%y%m\n' | sort`
 *   must print: the output folder holds exactly these files and folders, with the modes this run gave them;
 * - `<record>`, written last: the output folder, the line to print instead of writing, and the gate's report.
 *
 * - `<record>.ids`, when it can be trusted: the sha256 of what `find -H <out> <inputs> -printf IDENTITY | LC_ALL=C sort`
 *   printed once everything was written (path, size, modification and change times, inode, mode and type of every
 *   entry), then the input paths. Any write changes a file's change time, which no program can set back, so an equal
 *   listing means equal bytes, as git trusts its index. It is left out when a later write could go unseen: when a
 *   listed time is not older than a file made just before the listing (a write in the same tick of the file system's
 *   clock would keep it), or when a time has no fraction (a file system that keeps whole seconds).
 *
 * The launcher compares the identities first, reading no file; when they differ it checks the contents with one
 * `sha256sum -c`, and otherwise runs the synth. So a record can only be taken when the folder is byte for byte,
 * name for name and mode for mode what this synth wrote from these very inputs; anything else (an edit, a
 * `git checkout`, a removed tenant folder, a killed run) runs the synth again.
 * The synth reads no environment variable: one that ever changes its output belongs in the launcher's digest.
 *
 * Records live beside the gate's cache (`<cache>/synth/`), one per output folder at most: writing one removes the
 * others that name the same folder or a folder that is gone. Failing to write one is silent (the next run renders).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { sha256 } from '../constructs/core/checksum';
import type { Modes } from './reuse';

export interface SynthRecord {
  /** The output folder as the synth wrote it (relative or absolute). */
  readonly dir: string;
  /** Every file written, relative to `dir` (the owner mark included), with the sha256 of its text. */
  readonly written: ReadonlyMap<string, string>;
  /** The modes the files and folders of the output got. */
  readonly modes: Modes;
  /**
   * Every input file read, as the synth named it, with the sha256 of the bytes it parsed (`undefined` for what is not
   * a regular file, such as a pipe: the launcher could not read it without taking it from the synth, so no record).
   */
  readonly inputs: ReadonlyMap<string, string | undefined>;
  /** What the launcher prints on standard output instead of running the synth. */
  readonly said: string;
  /** What the synth printed on standard error (the gate's report), printed again with it. */
  readonly report: string;
}

/** Paths `sha256sum` and the listing print as they are: printable ASCII without a backslash. */
const PLAIN_PATH = /^[\x20-\x5b\x5d-\x7e]+$/;

/** The order `LC_ALL=C sort` puts lines in: byte order, the same as JavaScript's for plain ASCII (see PLAIN_PATH). */
const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The lines `find <dir> -printf '%p\t%y%m\n' | LC_ALL=C sort` prints for the output described. */
export function outputListing(dir: string, files: Iterable<string>, modes: Modes): string {
  const perm = (mode: number) => (mode & 0o7777).toString(8);
  const lines = new Set<string>([`${dir}\td${perm(modes.dir)}`]);
  for (const rel of files) {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) lines.add(`${dir}/${parts.slice(0, i).join('/')}\td${perm(modes.dir)}`);
    lines.add(`${dir}/${rel}\tf${perm(modes.file)}`);
  }
  return [...lines].sort(byteOrder).map((l) => `${l}\n`).join('');
}

/** Writes the record at `at` (a path without extension); returns whether it did. */
export function writeRecord(at: string, record: SynthRecord): boolean {
  const dir = resolve(record.dir);
  if ([...record.inputs.values()].includes(undefined)) return false;
  const inputs = [...record.inputs].map(([path, digest]) => [resolve(path), digest!] as const);
  const written = [...record.written].map(([rel, digest]) => [`${dir}/${rel}`, digest] as const);
  const paths = [dir, ...inputs.map(([p]) => p), ...written.map(([p]) => p)];
  if (!paths.every((p) => PLAIN_PATH.test(p)) || /[\n]/.test(record.said)) return false;
  const listing = outputListing(dir, record.written.keys(), record.modes);
  const sums = [`${sha256(listing)}  -`, ...[...inputs, ...written].map(([path, digest]) => `${digest}  ${path}`)].join('\n');
  try {
    mkdirSync(dirname(at), { recursive: true });
    prune(dirname(at), dir, basename(at));
    rmSync(`${at}.ids`, { force: true });
    put(`${at}.sums`, `${sums}\n`);
    const ids = identities(dir, inputs.map(([path]) => path));
    if (ids) put(`${at}.ids`, `${ids}\n${inputs.map(([path]) => `${path}\n`).join('')}`);
    put(at, `${dir}\n${record.said}\n${record.report}`);
    return true;
  } catch {
    return false;
  }
}

/** The `find -H -printf` format of the identity listing; `bin/mcp-stack` prints the same. */
export const IDENTITY_FORMAT = '%p %s %T@ %C@ %i %m %y\\n';

/**
 * The digest of an identity listing (`find -H -printf IDENTITY_FORMAT` output) as `LC_ALL=C sort | sha256sum` prints
 * it, if the listing can be trusted: every time in it has a fraction and is older than `since` (nanoseconds), the
 * time a file got that was made before the listing was taken.
 */
export function identityDigest(listing: string, since: bigint): string | undefined {
  const lines = listing.split('\n');
  if (lines.pop() !== '' || !lines.length) return undefined;
  for (const line of lines) {
    // `%p` may hold spaces: the times are the third and fourth fields from the end of `... %T@ %C@ %i %m %y`.
    const fields = line.split(' ');
    for (const time of fields.slice(-5, -3)) {
      const m = /^([0-9]+)\.([0-9]+)$/.exec(time);
      if (!m || /^0+$/.test(m[2])) return undefined;
      if (BigInt(m[1]) * 1_000_000_000n + BigInt(m[2].slice(0, 9).padEnd(9, '0')) >= since) return undefined;
    }
  }
  return sha256(lines.sort(byteOrder).map((l) => `${l}\n`).join(''));
}

/**
 * The identity digest of the output folder `dir` and the input files, taken now; undefined when it cannot be
 * trusted yet (tried a few times, a few milliseconds apart, since the clock ticks on) or `find` fails.
 */
function identities(dir: string, inputs: readonly string[]): string | undefined {
  for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    // Made beside the output folder, on its file system, so its time has that file system's resolution.
    // (A run killed right here leaves it: the next synth into the folder removes it, see clearLeftovers.)
    const probe = join(dirname(dir), `.${basename(dir)}.probe-${process.pid}`);
    let since: bigint;
    try {
      writeFileSync(probe, '');
      since = statSync(probe, { bigint: true }).mtimeNs;
    } catch {
      return undefined;
    } finally {
      rmSync(probe, { force: true });
    }
    // -H: an input given as a symbolic link is listed as the file it names (whose bytes the synth read).
    const listed = spawnSync('find', ['-H', dir, ...inputs, '-printf', IDENTITY_FORMAT], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (listed.error || listed.status !== 0) return undefined;
    const digest = identityDigest(listed.stdout, since);
    if (digest) return digest;
  }
  return undefined;
}

/** Writes through a temporary file renamed into place, so a reader never sees half a record. */
function put(path: string, text: string): void {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** An hour: a temporary file older than that belongs to a run that died. */
const STALE_MS = 3_600_000;

/**
 * Removes the records that name `dir` (only the newest synth into a folder can still hold) or a folder that is gone,
 * and temporary files of runs that died; `keep` is the record being written.
 */
function prune(records: string, dir: string, keep: string): void {
  const names = readdirSync(records);
  const drop = (name: string) => {
    for (const file of [name, `${name}.sums`, `${name}.ids`]) {
      try {
        unlinkSync(join(records, file));
      } catch {
        // Gone already (another run pruned it).
      }
    }
  };
  for (const name of names) {
    if (name.endsWith('.tmp')) {
      try {
        if (Date.now() - statSync(join(records, name)).mtimeMs > STALE_MS) unlinkSync(join(records, name));
      } catch {
        // Renamed or removed meanwhile.
      }
      continue;
    }
    if (name.includes('.') || name === keep) continue;
    let named: string;
    try {
      named = readFileSync(join(records, name), 'utf8').split('\n', 1)[0];
    } catch {
      continue;
    }
    if (named === dir || !isFolder(named)) drop(name);
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
