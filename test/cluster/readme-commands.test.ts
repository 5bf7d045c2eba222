/**
 * The README's cluster commands, run as written on a real API server. Every `kubectl apply` of its "Applying to a
 * cluster" section (code blocks and inline code, each `# or:` alternative as a command of its own), in the README's
 * order, with `dist/` pointing at a fresh synth of the kind profile with the example tenants, `<profile>` as `kind`
 * and `<tenant>` as the first example tenant: each must succeed, and together they must leave what the README
 * promises, the stack and the tenant's guardrails and MCP server. Then the Benchmark section's block, which waits for
 * the Locust workers and starts a run from the suspended CronJob; the "Uninstall with kubectl" paragraph, checking
 * what it says stays and goes; and the Helm section's block on Helm 3 and Helm 4.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { ControlPlane, describeCluster, KUBECTL, ROOT } from './control-plane';
import { codeBlocks, commandLines, readmeSection } from '../readme';
import { completeJobs, markPodsReady } from './jobs';
import { CLI, contents, eventually, failedCreates, HELMS, type HelmName, serverSideApply, tempDir } from './support';

const SECTION = '## Applying to a cluster';

/**
 * What kubectl may print on stderr: its kustomize saying the kustomization's own order (`sortOptions`) wins over
 * kubectl's default, the order the output wants (the README says so); and the API server's advice on Argo CD's own
 * finalizer name, which Argo CD reads exactly as it is.
 */
const ALLOWED_WARNINGS = [
  /Warning: Sorting order is set both in 'kustomization.yaml' \('sortOptions'\)/,
  /Warning: metadata.finalizers: "resources-finalizer.argocd.argoproj.io": prefer a domain-qualified finalizer name/,
];

/** The section's `kubectl apply` commands, in order. */
function readmeApplyCommands(): string[] {
  const section = readmeSection(SECTION);
  const commands: string[] = [];
  // Code blocks line by line, each `# or:` alternative a line of its own; inline code where it is a whole command.
  const blocks = codeBlocks(section).flatMap((b) => commandLines(b.text.replace(/\s+#\s*or:\s*/g, '\n')));
  const inline = [...section.replace(/^```\w*\n[\s\S]*?^```$/gm, '').replace(/\n/g, ' ').matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  const pieces = [...blocks, ...inline];
  for (const raw of pieces) {
    const command = raw.replace(/\s+#.*$/, '').replace(/\s*\(kubectl >= [0-9.]+\)$/, '').trim();
    if (/(^|\| )kubectl apply .*(dist\/|-f -$)/.test(command)) commands.push(command);
  }
  return commands;
}

/**
 * Runs a bash script against a control plane (kubectl, and `helm` as `helmName` when given, on the PATH) while
 * `tick` plays what the cluster's nodes would do (pods turning ready, Jobs finishing) every half second.
 */
function runScript(cp: ControlPlane, script: string, tick: () => void, helmName?: HelmName): Promise<{ status: number; stdout: string; stderr: string }> {
  const bin = tempDir('readme-bin');
  symlinkSync(KUBECTL, join(bin, 'kubectl'));
  if (helmName) symlinkSync(HELMS[helmName], join(bin, 'helm'));
  // npm's notice of a newer npm (stderr, only when the registry has one) is not the README's business.
  const env = { ...cp.env(), PATH: `${bin}:${process.env.PATH}`, npm_config_update_notifier: 'false' };
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `set -eo pipefail\n${script}`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setInterval(tick, 500);
    child.on('close', (code) => {
      clearInterval(timer);
      rmSync(bin, { recursive: true, force: true });
      resolve({ status: code ?? -1, stdout, stderr });
    });
  });
}

describeCluster()("the README's cluster commands, run as written", () => {
  let cp: ControlPlane;
  let work: string;
  beforeAll(async () => {
    work = tempDir('readme-commands');
    cp = await ControlPlane.start();
  }, 120_000);
  afterAll(async () => {
    await cp?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  test('the section has the install, its kustomize form and the tenant command', () => {
    const commands = readmeApplyCommands();
    expect(commands.some((c) => / -f dist\/kind$/.test(c))).toBe(true);
    expect(commands.some((c) => / -k dist\/kind$/.test(c))).toBe(true);
    expect(commands.some((c) => c.includes('tenants/<tenant>'))).toBe(true);
    // The secrets pipe, the install and its kustomize form, the tenant, the switch to server-side apply, Argo CD's root.
    expect(commands).toHaveLength(6);
  });

  test('each succeeds, and the stack and a tenant with its MCP server are there', async () => {
    const synth = spawnSync(CLI, ['synth', '--profile', 'kind', '--tenants', join(ROOT, 'examples', 'tenants.yaml'), '--out', work], { encoding: 'utf8' });
    expect(synth.stderr).toBe('');
    expect(synth.status).toBe(0);
    const tenant = 'acme';
    for (const command of readmeApplyCommands()) {
      const line = command.replace(/dist\//g, `${work}/`).replace(/<profile>/g, 'kind').replace(/<tenant>/g, tenant);
      const r = await runScript(cp, line, () => undefined);
      const stderr = r.stderr.split('\n').filter((l) => l && !ALLOWED_WARNINGS.some((w) => w.test(l)));
      expect({ command, status: r.status, stderr }).toEqual({ command, status: 0, stderr: [] });
    }
    expect(cp.kubectlOk(['get', 'deployment', 'mcp-stack-gateway', '-n', 'mcp-stack', '-o', 'name'])).toBe('deployment.apps/mcp-stack-gateway\n');
    // Every MCP server the tenant's folder declares (here the example's one, `fetch`) is on the cluster.
    const folder = join(work, 'kind', 'tenants', tenant, '10-workloads');
    const declared = readdirSync(folder).flatMap((f) => (loadAll(readFileSync(join(folder, f), 'utf8')) as any[]).filter((o) => o?.kind === 'MCPServer'));
    expect(declared.map((o) => o.metadata.name)).toEqual(['fetch']);
    const servers = JSON.parse(cp.kubectlOk(['get', 'mcpservers', '-A', '-o', 'json'])).items.map((o: any) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(servers).toEqual(declared.map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
  }, 120_000);

  test("the Benchmark section's commands wait for the workers and start a run from the CronJob, whose pod is admitted", async () => {
    const synth = spawnSync(CLI, ['synth', '--profile', 'kind', '--with-benchmark', '--stdout'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(synth.status).toBe(0);
    // As the README's commands apply (kubectl's own field manager), so the stack the section above applied is updated.
    serverSideApply(cp, synth.stdout, 'kubectl');
    const block = commandLines(codeBlocks(readmeSection('## Benchmark (Locust, MCP Streamable HTTP)'))[0].text);
    // There is no kubelet here, so no container logs: the block runs up to the `logs -f` line, and the run's pod
    // being admitted stands for it starting. `rollout status` waits while this test marks pods ready, as their
    // probes would.
    const logs = block.findIndex((l) => / logs -f /.test(l));
    expect(logs).toBe(block.length - 1);
    const script = [...block.slice(0, logs), 'echo "$RUN"'].join('\n');
    const result = await runScript(cp, script, () => markPodsReady(cp, 'mcp-stack'));
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    const run = result.stdout.trim().split('\n').pop()!;
    expect(run).toMatch(/^mcp-stack-locust-run-\d+$/);
    // The Job controller makes the run's pod, which Pod Security `restricted` admits.
    expect(await eventually(() => JSON.parse(cp.kubectlOk(['get', 'pods', '-n', 'mcp-stack', '-l', `job-name=${run}`, '-o', 'json'])).items.length === 1 || failedCreates(cp, 'mcp-stack').length > 0)).toBe(true);
    expect(failedCreates(cp, 'mcp-stack')).toEqual([]);
  }, 120_000);
  test("uninstall as the README says keeps the namespace, its account and the database, and a later apply finds them", async () => {
    const out = join(work, 'uninstall');
    // A release of its own, with Redis on a volume (kind keeps it in memory by default), so the paragraph's
    // sentence about the Redis claim is tried too.
    const ns = 'gone';
    const sets = ['release.name=gone', `release.namespace=${ns}`, 'redis.persistence.enabled=true'].flatMap((x) => ['--set', x]);
    const synth = spawnSync(CLI, ['synth', '--profile', 'kind', '--with-benchmark', ...sets, '--out', out], { encoding: 'utf8' });
    expect(synth.status).toBe(0);
    const folder = join(out, 'kind');
    const secretsOut = spawnSync(CLI, ['secrets', '--profile', 'kind', ...sets], { encoding: 'utf8' });
    expect(secretsOut.status).toBe(0);
    cp.kubectlOk(['apply', '-f', '-'], secretsOut.stdout);
    cp.kubectlOk(['apply', '--server-side', '-f', folder]);
    // The StatefulSet controller makes the claims (Postgres and Redis) from the claim templates.
    const claims = () => contents(cp, ns).filter((o) => o.startsWith('PersistentVolumeClaim/'));
    await eventually(() => claims().length === 2, 30_000);
    expect(claims()).toEqual(['PersistentVolumeClaim/data-gone-postgres-0', 'PersistentVolumeClaim/data-gone-redis-0']);
    const claimUid = () => JSON.parse(cp.kubectlOk(['get', 'persistentvolumeclaim', 'data-gone-postgres-0', '-n', ns, '-o', 'json'])).metadata.uid;
    const claim = claimUid();
    // The paragraph's command and the files it names, each run where the folder has it.
    const paragraph = /\*\*Uninstall with kubectl\*\*:([\s\S]*?)\n\n/.exec(readmeSection(SECTION))![1].replace(/\n/g, ' ');
    const [command, ...spans] = [...paragraph.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    expect(command).toBe('kubectl delete --ignore-not-found -f');
    const files = spans.filter((f) => /^\d\d-[a-z-]+\.yaml$/.test(f));
    expect(files).toEqual(['40-benchmark.yaml', '30-network-policies.yaml', '20-platform.yaml', '10-database.yaml', '00-namespace.yaml']);
    // The Secrets (printed by the secrets command, as the README's first command does) are the user's: they stay.
    const secrets = contents(cp, ns).filter((o) => o.startsWith('Secret/'));
    expect(secrets.length).toBeGreaterThan(0);
    for (const file of files.slice(0, 3).filter((f) => existsSync(join(folder, f)))) {
      const r = cp.kubectl([...command.split(' ').slice(1), join(folder, file)]);
      expect({ file, status: r.status, stderr: r.stderr }).toEqual({ file, status: 0, stderr: '' });
    }
    // The Redis claim goes through the garbage collector once its StatefulSet is gone.
    const kept = [...secrets, 'PersistentVolumeClaim/data-gone-postgres-0', 'Service/gone-postgres', 'ServiceAccount/gone-workload', 'StatefulSet/gone-postgres'].sort();
    await eventually(() => JSON.stringify(contents(cp, ns)) === JSON.stringify(kept), 30_000);
    expect(contents(cp, ns)).toEqual(kept);
    // The README's install command again: the same claim, so the same data.
    cp.kubectlOk(['apply', '--server-side', '-f', folder]);
    expect(claimUid()).toBe(claim);
    // And everything, as the paragraph ends: the platform again, then the database, then the namespace.
    for (const file of files.filter((f) => existsSync(join(folder, f)))) {
      cp.kubectlOk([...command.split(' ').slice(1), join(folder, file)]);
    }
    await eventually(() => cp.kubectl(['get', 'namespace', ns]).status !== 0, 60_000);
    expect(cp.kubectl(['get', 'namespace', ns]).stderr).toMatch(/not found/);
  }, 180_000);
});

describeCluster().each(['helm3', 'helm4'] as HelmName[])("the README's Helm commands, run as written on %s", (helmName) => {
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await ControlPlane.start();
  }, 120_000);
  afterAll(async () => {
    await cp?.stop();
  }, 60_000);

  test('the namespace is made and labelled, and the release installs with the ocp values', async () => {
    const block = commandLines(codeBlocks(readmeSection('## Helm'))[0].text);
    // The first line regenerates the chart into the project's dist/, which `npm run check` already compares with a
    // fresh generation; the test installs the committed chart and leaves the project's files alone.
    expect(block[0]).toMatch(/^npm run synth -- --format helm\b/);
    expect(block.slice(1).some((l) => /^helm install /.test(l))).toBe(true);
    const result = await runScript(cp, block.slice(1).join('\n'), () => completeJobs(cp, 'mcp-stack'), helmName);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    const labels = JSON.parse(cp.kubectlOk(['get', 'namespace', 'mcp-stack', '-o', 'json'])).metadata.labels;
    expect(labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const releases = JSON.parse(cp.kubectlOk(['get', 'secrets', '-n', 'mcp-stack', '-l', 'owner=helm', '-o', 'json'])).items.map((x: any) => x.metadata.labels.status);
    expect(releases).toEqual(['deployed']);
  }, 180_000);
});
