/**
 * A real Kubernetes control plane for the cluster tier: etcd, kube-apiserver and kube-controller-manager, found
 * through `KUBEBUILDER_ASSETS` (controller-runtime's envtest convention: `setup-envtest use 1.32 -p path` gives the
 * same folder). Everything listens on free loopback ports and lives in one temp folder; `stop()` ends exactly the
 * processes started here, by PID, and removes that folder.
 *
 * There is no kubelet and no scheduler: pods stay Pending and Jobs never finish unless a test marks them through
 * the status subresource.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const KUBECTL = join(ROOT, '.tools', 'bin', 'kubectl');
export const CRDS_DIR = join(ROOT, 'reference', 'crds');
const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager'] as const;

/** The folder with the control-plane binaries, or why there is none. */
export function assets(): { dir: string } | { missing: string } {
  const dir = process.env.KUBEBUILDER_ASSETS;
  if (!dir) return { missing: 'KUBEBUILDER_ASSETS is not set' };
  const absent = BINARIES.filter((b) => !existsSync(join(dir, b)));
  if (absent.length) return { missing: `KUBEBUILDER_ASSETS=${dir} lacks ${absent.join(', ')}` };
  return { dir };
}

export const HOW_TO_ENABLE =
  'install the control plane with `bash scripts/install-envtest.sh` (or `setup-envtest use 1.32 -p path`) and ' +
  'export KUBEBUILDER_ASSETS=<that folder>';

/**
 * `describe` when a control plane can start; otherwise, outside CI, `describe.skip` (the global setup has said once
 * which suites did not run), and under CI=true an error, so a missing control plane fails the run.
 */
export function describeCluster(): jest.Describe {
  const a = assets();
  if ('dir' in a) return describe;
  if (process.env.CI === 'true') throw new Error(`the cluster tier needs a control plane under CI: ${a.missing}; ${HOW_TO_ENABLE}`);
  return describe.skip;
}

/**
 * One control plane for the tests of a suite: started before them, stopped after. Returns how to get it, for the
 * tests and for the suite's own `beforeAll` (registered after this one, so it runs after the start).
 */
export function suiteControlPlane(options: ControlPlaneOptions = {}): () => ControlPlane {
  let cp: ControlPlane | undefined;
  beforeAll(async () => {
    cp = await ControlPlane.start(options);
  }, 120_000);
  afterAll(async () => {
    await cp?.stop();
  }, 60_000);
  return () => {
    if (!cp) throw new Error('the control plane did not start (see the error of the suite setup)');
    return cp;
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

function get(url: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = (url.startsWith('https') ? request : httpRequest)(
      url,
      { rejectUnauthorized: false, headers: token ? { Authorization: `Bearer ${token}` } : {}, timeout: 2000 },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function waitFor(what: string, proc: ChildProcess, log: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode}:\n${tail(log)}`);
    if (await ok()) return;
    await sleep(250);
  }
  throw new Error(`${what} not ready after ${timeoutMs / 1000}s:\n${tail(log)}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface KubectlResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface ControlPlaneOptions {
  /**
   * How the API server authorizes requests. `AlwaysAllow` (the default) is enough for applying output as the
   * administrator; `RBAC` makes the output's Roles and bindings mean something, for access reviews of other subjects
   * (the administrator's token is in `system:masters`, which RBAC always allows).
   */
  readonly authorization?: 'AlwaysAllow' | 'RBAC';
}

export class ControlPlane {
  private readonly procs: ChildProcess[] = [];
  private constructor(
    readonly dir: string,
    readonly kubeconfig: string,
    readonly server: string,
  ) {}

  /** Starts etcd, the API server and the controller-manager, then installs the project's CRDs. */
  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const a = assets();
    if (!('dir' in a)) throw new Error(`${a.missing}; ${HOW_TO_ENABLE}`);
    const bin = (b: string) => join(a.dir, b);
    const dir = mkdtempSync(join(tmpdir(), 'mcp-stack-cluster-'));
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const token = randomBytes(24).toString('hex');
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,system:masters\n`, { mode: 0o600 });
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: envtest, cluster: {server: "' + server + '", insecure-skip-tls-verify: true}}]',
        `users: [{name: admin, user: {token: "${token}"}}]`,
        'contexts: [{name: envtest, context: {cluster: envtest, user: admin}}]',
        'current-context: envtest',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const cp = new ControlPlane(dir, kubeconfig, server);
    try {
      const etcdUrl = `http://127.0.0.1:${etcdPort}`;
      const peerUrl = `http://127.0.0.1:${peerPort}`;
      const etcd = cp.spawn('etcd', bin('etcd'), [
        '--data-dir', join(dir, 'etcd'),
        '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
        '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
        '--initial-cluster', `default=${peerUrl}`, '--listen-metrics-urls', '',
        // Tests throw everything away: no fsync per write.
        '--unsafe-no-fsync',
      ]);
      await waitFor('etcd', etcd, join(dir, 'etcd.log'), async () => /"health":\s*"true"/.test((await get(`${etcdUrl}/health`)).body), 30_000);
      // The API server makes its own self-signed serving certificate in --cert-dir (kubectl skips verification
      // on loopback); the service-account keys are one RSA pair made above.
      const api = cp.spawn('kube-apiserver', bin('kube-apiserver'), [
        `--etcd-servers=${etcdUrl}`, '--bind-address=127.0.0.1', `--secure-port=${apiPort}`,
        `--cert-dir=${join(dir, 'certs')}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`, `--authorization-mode=${options.authorization ?? 'AlwaysAllow'}`,
        '--service-account-issuer=https://kubernetes.default.svc',
        `--service-account-key-file=${join(dir, 'sa.pub')}`, `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        '--service-cluster-ip-range=10.96.0.0/16', '--disable-admission-plugins=ServiceAccount',
        '--enable-priority-and-fairness=false', '--allow-privileged=false',
      ]);
      await waitFor('kube-apiserver', api, join(dir, 'kube-apiserver.log'), async () => (await get(`${server}/readyz`, token)).body === 'ok', 90_000);
      const caFile = join(dir, 'certs', 'apiserver.crt');
      const cm = cp.spawn('kube-controller-manager', bin('kube-controller-manager'), [
        `--kubeconfig=${kubeconfig}`, '--secure-port=0', '--leader-elect=false',
        `--service-account-private-key-file=${join(dir, 'sa.key')}`, `--root-ca-file=${caFile}`,
        '--use-service-account-credentials=false',
        '--controllers=*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller,-persistentvolume-attach-detach-controller',
      ]);
      await sleep(200);
      if (cm.exitCode !== null) throw new Error(`kube-controller-manager exited:\n${tail(join(dir, 'kube-controller-manager.log'))}`);
      // The default namespace exists once the API server's bootstrap controllers ran.
      await waitFor('namespace default', api, join(dir, 'kube-apiserver.log'), async () => cp.kubectl(['get', 'namespace', 'default']).status === 0, 30_000);
      const crds = cp.kubectl(['apply', '--server-side', '--field-manager=mcp-stack-tests', '-f', CRDS_DIR]);
      if (crds.status !== 0) throw new Error(`installing the CRDs failed: ${crds.stderr}`);
      // Where ArgoCD runs: the output's Applications and AppProjects live there.
      cp.kubectlOk(['create', 'namespace', 'argocd']);
      // `kubectl wait` fails on a CRD whose status is not written yet, so poll until every one is Established.
      await waitFor('CRDs established', api, join(dir, 'kube-apiserver.log'), async () => {
        const crdList = JSON.parse(cp.kubectlOk(['get', 'crd', '-o', 'json'])).items as any[];
        return crdList.length > 0 && crdList.every((c) => (c.status?.conditions ?? []).some((x: any) => x.type === 'Established' && x.status === 'True'));
      }, 60_000);
      return cp;
    } catch (e) {
      await cp.stop();
      throw e;
    }
  }

  private spawn(name: string, file: string, args: string[]): ChildProcess {
    const fd = openSync(join(this.dir, `${name}.log`), 'a');
    const p = spawn(file, args, { stdio: ['ignore', fd, fd], detached: false });
    closeSync(fd);
    this.procs.push(p);
    return p;
  }

  /** The real kubectl against this control plane. */
  kubectl(args: string[], input?: string): KubectlResult {
    const r = spawnSync(KUBECTL, ['--kubeconfig', this.kubeconfig, ...args], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
  }

  /** kubectl that must succeed; the error carries kubectl's message. */
  kubectlOk(args: string[], input?: string): string {
    const r = this.kubectl(args, input);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.status}):\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** Environment for Helm against this control plane. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: this.dir,
      KUBECONFIG: this.kubeconfig,
      HELM_CACHE_HOME: join(this.dir, 'helm', 'cache'),
      HELM_CONFIG_HOME: join(this.dir, 'helm', 'config'),
      HELM_DATA_HOME: join(this.dir, 'helm', 'data'),
      ...extra,
    };
  }

  /** Ends the processes this control plane started (controller-manager, API server, etcd) and removes its folder. */
  async stop(): Promise<void> {
    for (const p of [...this.procs].reverse()) {
      if (p.exitCode !== null || p.signalCode !== null) continue;
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGTERM');
      const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!killed) {
        p.kill('SIGKILL');
        await exited;
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
