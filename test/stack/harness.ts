/**
 * Runs the rendered stack's processes on this machine, without a cluster: each process gets the command, arguments,
 * environment and ConfigMap files of its rendered container, with only what a cluster would provide mapped to this
 * machine (Service hosts and ports to loopback ports, mount paths to a temporary folder, the image's paths to the
 * installed packages). Every process is started here and stopped by its PID; the folder is removed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadAll } from 'js-yaml';

export const ROOT = resolve(__dirname, '..', '..');
export const VENV = join(ROOT, '.venv-stack');
export const GATEWAY_PY = join(VENV, 'gateway', 'bin', 'python3');
export const LOCUST_BIN = join(VENV, 'locust', 'bin', 'locust');
/** Helm 3, installed into .tools/ before the tests (scripts/install-tools.sh). */
export const HELM3 = join(ROOT, '.tools', 'bin', 'helm3');

export type Doc = { kind: string; metadata: { name: string }; data?: Record<string, string>; spec?: any; stringData?: Record<string, string> };

/** Postgres's server binaries from the Debian package (any major version). */
export function postgresBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : undefined;
}

/** What the tier needs and is missing; empty when it can run. */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (!postgresBin()) missing.push('postgresql (Debian package)');
  for (const [bin, pkg] of [['/usr/bin/redis-server', 'redis-server'], ['/usr/sbin/nginx', 'nginx']]) if (!existsSync(bin)) missing.push(`${pkg} (Debian package)`);
  if (!existsSync(GATEWAY_PY)) missing.push('.venv-stack/gateway (mcp-contextforge-gateway from PyPI)');
  if (!existsSync(LOCUST_BIN)) missing.push('.venv-stack/locust (locust from PyPI)');
  if (!existsSync(HELM3)) missing.push('.tools/bin/helm3 (bash scripts/install-tools.sh)');
  return missing;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function parseDocs(text: string): Doc[] {
  return (loadAll(text) as Doc[]).filter((d) => d && typeof d === 'object');
}

export class Stack {
  readonly dir = mkdtempSync(join(tmpdir(), 'mcp-stack-real-'));
  readonly bin = join(this.dir, 'bin');
  private readonly procs: { name: string; child: ChildProcess; log: string }[] = [];

  constructor() {
    // Readable by the unprivileged account Postgres runs as when the tests run as root.
    chmodSync(this.dir, 0o755);
    mkdirSync(this.bin);
    // The images' `python3` and `locust`, as the rendered commands call them (wrappers, not links: a virtual
    // environment's interpreter finds its packages from its own path).
    for (const [name, target] of [['python3', GATEWAY_PY], ['locust', LOCUST_BIN]]) {
      writeFileSync(join(this.bin, name), `#!/bin/sh\nexec '${target}' "$@"\n`, { mode: 0o755 });
    }
  }

  path(...parts: string[]): string {
    const p = join(this.dir, ...parts);
    mkdirSync(join(p, '..'), { recursive: true });
    return p;
  }

  folder(...parts: string[]): string {
    const p = join(this.dir, ...parts);
    mkdirSync(p, { recursive: true });
    return p;
  }

  env(extra: Record<string, string>): NodeJS.ProcessEnv {
    return { PATH: `${this.bin}:/usr/sbin:/usr/bin:/bin`, HOME: this.dir, LANG: 'C.UTF-8', ...extra };
  }

  /**
   * Starts a long-running process with its output in a log file (a file, not a pipe, so programs that open
   * /dev/stderr themselves, like NGINX, can), kept for failure messages and the warning check.
   */
  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, cwd = this.dir): void {
    const log = this.path('logs', `${name}.log`);
    const fd = openSync(log, 'a', 0o644);
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    this.procs.push({ name, child, log });
  }

  /** Runs a command to completion: exit status and all it printed. */
  run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000, input?: string): Promise<{ code: number | null; out: string }> {
    return new Promise((done) => {
      const child = spawn(command, args, { env, cwd: this.dir, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], detached: true });
      if (input !== undefined) child.stdin!.end(input);
      let out = '';
      child.stdout!.on('data', (b) => (out += b));
      child.stderr!.on('data', (b) => (out += b));
      const timer = setTimeout(() => {
        out += `\n[killed after ${timeoutMs} ms]`;
        killGroup(child);
      }, timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        done({ code, out });
      });
    });
  }

  logOf(name: string): string {
    return this.procs.filter((p) => p.name === name).map((p) => (existsSync(p.log) ? readFileSync(p.log, 'utf8') : '')).join('\n');
  }

  /** Polls until `check` passes, or fails with the last reason and the named process's log. */
  async waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, logName?: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check().catch(() => false)) return;
      // The newest process of that name (one stopped before a restart does not count).
      const newest = this.procs.filter((p) => p.name === logName).pop();
      if (newest && newest.child.exitCode !== null) break;
      await sleep(500);
    }
    throw new Error(`${what} did not happen within ${timeoutMs} ms\n${logName ? this.logOf(logName).slice(-4000) : ''}`);
  }

  /** Stops every process by its PID (its whole group), newest first, then removes the folder. */
  async stop(): Promise<void> {
    for (const p of [...this.procs].reverse()) await endGroup(p.child);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Stops the processes started under `name` (as a pod's container stops: TERM, then KILL after 10 s). */
  async stopProcess(name: string): Promise<void> {
    for (const p of this.procs.filter((x) => x.name === name)) await endGroup(p.child);
  }

  /** A folder the given user owns (Postgres refuses to run as root). */
  ownedFolder(user: string | undefined, ...parts: string[]): string {
    const p = this.folder(...parts);
    if (user) {
      const [uid, gid] = execFileSync('id', ['-u', user]).toString().trim().split('\n').concat(execFileSync('id', ['-g', user]).toString().trim());
      chownSync(p, Number(uid), Number(gid));
    }
    return p;
  }

  write(file: string, text: string, mode = 0o600): string {
    const p = this.path(file);
    writeFileSync(p, text, { mode });
    return p;
  }
}

async function endGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  killGroup(child, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) await sleep(100);
  if (child.exitCode === null && child.signalCode === null) killGroup(child, 'SIGKILL');
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Expands `$(NAME)` references the way the kubelet does, from the variables defined so far. */
export function expandKubelet(value: string, env: Record<string, string>): string {
  return value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => (name in env ? env[name] : whole));
}

/** A container's environment as the kubelet builds it: envFrom, then env in order, with references expanded. */
export function containerEnv(container: any, configMaps: Map<string, Record<string, string>>, secrets: Map<string, Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  const source = (kind: 'configMap' | 'secret', name: string) => {
    const found = (kind === 'configMap' ? configMaps : secrets).get(name);
    if (!found) throw new Error(`${kind} ${name} is not rendered or not created`);
    return found;
  };
  for (const f of container.envFrom ?? []) {
    if (f.configMapRef) Object.assign(env, source('configMap', f.configMapRef.name));
    if (f.secretRef) Object.assign(env, source('secret', f.secretRef.name));
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = expandKubelet(e.value, env);
    else if (e.valueFrom?.secretKeyRef) env[e.name] = source('secret', e.valueFrom.secretKeyRef.name)[e.valueFrom.secretKeyRef.key];
    else if (e.valueFrom?.configMapKeyRef) env[e.name] = source('configMap', e.valueFrom.configMapKeyRef.name)[e.valueFrom.configMapKeyRef.key];
  }
  return env;
}

/** The result of a finished command, or an error that shows what it printed. */
export function ok(r: { code: number | null; out: string }, what: string): string {
  if (r.code !== 0) throw new Error(`${what} exited with ${r.code}:\n${r.out.slice(-6000)}`);
  return r.out;
}
