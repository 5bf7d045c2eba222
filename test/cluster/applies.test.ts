/**
 * Everything applies on a real API server: server-side apply of every profile (plain, with the benchmark, with
 * tenants) and of `helm template` of the chart with each profile's values file, each into its own namespace as the
 * output labels it, so PodSecurity admission enforces `restricted` on the pods the controllers create. Zero
 * rejections: neither from the API server (schemas, CRD CEL rules, admission) nor from admission of the pods the
 * controller-manager creates from the workloads.
 */
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { ControlPlane, describeCluster, ROOT, suiteControlPlane } from './control-plane';
import { CHART, eventually, failedCreates, helmOk, podCount, PROFILES, serverSideApply, synthStream, tempDir } from './support';

const EXAMPLE_TENANTS = join(ROOT, 'examples', 'tenants.yaml');
const PRODUCTION_TENANTS = join(__dirname, 'fixtures', 'tenants-production.yaml');

/** Namespaces the objects of a stream land in. */
function namespacesOf(stream: string): string[] {
  return (loadAll(stream) as any[]).filter((o) => o?.kind === 'Namespace').map((o) => o.metadata.name).sort();
}

describeCluster()('every output applies on a real API server', () => {
  const controlPlane = suiteControlPlane();
  let cp: ControlPlane;
  let work: string;
  beforeAll(async () => {
    cp = controlPlane();
    work = tempDir('applies');
  }, 120_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  /** Applies, then checks the namespaces are enforced and every workload's pods were admitted. */
  async function applyAndCheck(stream: string, release: string): Promise<void> {
    // The one warning allowed: Argo CD's own finalizer name, which predates the API server's advice to put a path
    // in finalizer names; Argo CD reads exactly this name.
    const warnings = serverSideApply(cp, stream)
      .split('\n')
      .filter((l) => l && !l.includes('"resources-finalizer.argocd.argoproj.io": prefer a domain-qualified finalizer name'));
    expect(warnings).toEqual([]);
    const namespaces = namespacesOf(stream);
    expect(namespaces).toContain(release);
    for (const ns of namespaces) {
      const labels = JSON.parse(cp.kubectlOk(['get', 'namespace', ns, '-o', 'json'])).metadata.labels;
      expect(labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    }
    // The controllers turn Deployments and StatefulSets into pods, which PodSecurity admits or refuses.
    const workloads = JSON.parse(cp.kubectlOk(['get', 'deployments,statefulsets', '-n', release, '-o', 'json'])).items;
    expect(workloads.length).toBeGreaterThan(0);
    expect(await eventually(() => podCount(cp, release) >= workloads.length || failedCreates(cp, release).length > 0)).toBe(true);
    for (const ns of namespaces) expect(failedCreates(cp, ns)).toEqual([]);
  }

  const cases: [string, string[]][] = [];
  for (const profile of PROFILES) {
    cases.push([`${profile}`, ['--profile', profile]]);
    cases.push([`${profile}-bench`, ['--profile', profile, '--with-benchmark']]);
  }
  cases.push(['kind-tenants', ['--profile', 'kind', '--tenants', EXAMPLE_TENANTS]]);
  cases.push(['production-tenants', ['--profile', 'production', '--tenants', PRODUCTION_TENANTS]]);

  it.each(cases)('plain output of %s', async (release, args) => {
    const stream = synthStream([...args, '--set', `release.name=${release}`, '--set', `release.namespace=${release}`]);
    await applyAndCheck(stream, release);
  }, 60_000);

  it('plain output of ocp with the example tenants (tenant names of their own, so namespaces do not clash)', async () => {
    const file = join(work, 'tenants-ocp.yaml');
    writeFileSync(file, readFileSync(EXAMPLE_TENANTS, 'utf8').replace(/^( {2}- name: )(\w+)$/gm, '$1$2-ocp'));
    const stream = synthStream(['--profile', 'ocp', '--tenants', file, '--set', 'release.name=ocp-tenants', '--set', 'release.namespace=ocp-tenants']);
    expect(stream).toMatch(/namespace: mcp-fetch-acme-ocp/);
    await applyAndCheck(stream, 'ocp-tenants');
  }, 60_000);

  it.each(PROFILES)('helm template of the chart with values-%s.yaml', async (profile) => {
    const release = `helm-${profile}`;
    // The chart leaves the namespace to Helm by default; rendered here, it must carry the Pod Security labels.
    const stream = helmOk(cp, 'helm3', ['template', release, CHART, '--skip-tests', '-n', release, '-f', join(CHART, `values-${profile}.yaml`), '--set', 'release.createNamespace=true']);
    await applyAndCheck(stream, release);
  }, 60_000);
});
