/**
 * `helm test` of the chart on a real API server, Helm 3 and Helm 4: Helm creates the test hooks in a namespace that
 * enforces the restricted Pod Security Standard (the API server's own admission accepts the Pod), its NetworkPolicies
 * exist while it runs, and the hook delete policy removes them all after a pass and keeps the Pod of a failed run
 * for its log until the next run replaces it.
 *
 * There is no kubelet here, so the Pod's command never runs: the test plays the kubelet and sets the Pod's phase
 * through the status subresource (Succeeded, or Failed), which is what Helm waits for. That the command itself
 * passes against a real gateway is checked by the real-stack tier (test/stack).
 */
import { join } from 'node:path';
import { ControlPlane, describeCluster, suiteControlPlane } from './control-plane';
import { helmCompletingJobs } from './jobs';
import { CHART, eventually, helm, type HelmName, restrictedNamespace } from './support';

const REL = 'mcp';
const TEST_POD = `${REL}-gateway-test`;
const TEST_POLICIES = [`${REL}-allow-gateway-test-egress`, `${REL}-allow-gateway-test-gateway`];

/** Plays the kubelet for the test Pod: once Helm has created it, records it and sets its phase. */
async function finishTestPod(cp: ControlPlane, ns: string, phase: 'Succeeded' | 'Failed', previous?: string): Promise<{ pod: any; policies: string[] }> {
  let pod: any;
  // The Pod this run creates: a failed run's Pod is still there until Helm replaces it.
  const found = await eventually(() => {
    const r = cp.kubectl(['get', 'pod', TEST_POD, '-n', ns, '-o', 'json']);
    if (r.status !== 0) return false;
    pod = JSON.parse(r.stdout);
    return pod.metadata.deletionTimestamp === undefined && pod.metadata.uid !== previous;
  }, 30_000);
  if (!found) throw new Error(`helm test never created the Pod ${TEST_POD}`);
  const policies = (JSON.parse(cp.kubectlOk(['get', 'networkpolicies', '-n', ns, '-o', 'json'])).items as any[]).map((p) => p.metadata.name).sort();
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const state = { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, reason: phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: now, finishedAt: now } };
  const status = { phase, startTime: now, containerStatuses: [{ name: 'health', image: pod.spec.containers[0].image, imageID: '', ready: false, restartCount: 0, state }] };
  cp.kubectlOk(['patch', 'pod', TEST_POD, '-n', ns, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
  return { pod, policies };
}

/** `helm test` while playing the kubelet for its Pod. */
async function helmTest(cp: ControlPlane, h: HelmName, ns: string, phase: 'Succeeded' | 'Failed', previous?: string) {
  const run = helmCompletingJobs(cp, h, ns, ['test', REL, '-n', ns, '--timeout', '60s']);
  const seen = await finishTestPod(cp, ns, phase, previous);
  return { ...seen, result: await run };
}

const names = (cp: ControlPlane, ns: string, kind: string) => (JSON.parse(cp.kubectlOk(['get', kind, '-n', ns, '-o', 'json'])).items as any[]).map((o) => o.metadata.name);

describeCluster()('helm test on a real API server', () => {
  const controlPlane = suiteControlPlane();
  let cp: ControlPlane;
  beforeAll(() => {
    cp = controlPlane();
  });

  describe.each(['helm3', 'helm4'] as HelmName[])('%s', (h) => {
    const ns = `test-${h}`;

    it('creates the test Pod under restricted Pod Security with its NetworkPolicies, and cleans up after itself', async () => {
      restrictedNamespace(cp, ns);
      // The namespace does enforce: a Pod without the restricted settings is refused by the same admission.
      const loose = cp.kubectl(['run', 'loose', '-n', ns, '--image', 'registry.example.com/busybox:1.36', '--restart=Never', '--dry-run=server']);
      expect(loose.status).not.toBe(0);
      expect(loose.stderr).toMatch(/violates PodSecurity "restricted/);

      const values = ['-f', join(CHART, 'values-production.yaml'), '--set', 'release.createNamespace=false', '--timeout', '60s'];
      const install = await helmCompletingJobs(cp, h, ns, ['install', REL, CHART, ...values, '-n', ns]);
      if (install.status !== 0) throw new Error(`${h} install failed:\n${install.stderr}`);
      // Installing creates no test hook: they exist only while `helm test` runs.
      expect(names(cp, ns, 'pods')).not.toContain(TEST_POD);
      expect(names(cp, ns, 'networkpolicies')).not.toEqual(expect.arrayContaining([TEST_POLICIES[0]]));

      const pass = await helmTest(cp, h, ns, 'Succeeded');
      expect({ status: pass.result.status, output: pass.result.stderr }).toEqual({ status: 0, output: '' });
      expect(pass.result.stdout).toMatch(new RegExp(`TEST SUITE:\\s+${REL}`));
      expect(pass.result.stdout).toMatch(/Phase:\s+Succeeded/);
      // What the API server accepted: the gateway's image asking the gateway Service's /health.
      const gateway = JSON.parse(cp.kubectlOk(['get', 'deployment', `${REL}-gateway`, '-n', ns, '-o', 'json']));
      const container = pass.pod.spec.containers[0];
      expect(container.image).toBe(gateway.spec.template.spec.containers[0].image);
      expect(container.command.slice(-1)).toEqual([`http://${REL}-gateway.${ns}.svc.cluster.local/health`]);
      expect(pass.pod.spec.securityContext.runAsNonRoot).toBe(true);
      expect(pass.pod.spec.automountServiceAccountToken).toBe(false);
      // While it ran, exactly the two policies of the test were there beside the stack's.
      expect(pass.policies).toEqual(expect.arrayContaining(TEST_POLICIES));
      // After a pass, nothing of the test is left.
      await eventually(() => !names(cp, ns, 'pods').includes(TEST_POD) && !names(cp, ns, 'networkpolicies').some((n) => TEST_POLICIES.includes(n)));
      expect([...names(cp, ns, 'pods'), ...names(cp, ns, 'networkpolicies')].filter((n) => n.includes('gateway-test'))).toEqual([]);

      const fail = await helmTest(cp, h, ns, 'Failed');
      expect(fail.result.status).not.toBe(0);
      expect(fail.result.stderr + fail.result.stdout).toMatch(new RegExp(`${TEST_POD}.*failed|failed.*${TEST_POD}|Phase:\\s+Failed`, 'is'));
      // A failed run keeps its Pod, for `kubectl logs`. Helm 4 then removes the policies the run created; Helm 3
      // leaves them. Either way the next run replaces them all (before-hook-creation) and nothing piles up.
      expect(names(cp, ns, 'pods')).toContain(TEST_POD);
      if (h === 'helm4') await eventually(() => !names(cp, ns, 'networkpolicies').some((n) => TEST_POLICIES.includes(n)));
      expect(names(cp, ns, 'networkpolicies').filter((n) => TEST_POLICIES.includes(n))).toEqual(h === 'helm3' ? TEST_POLICIES : []);
      const again = await helmTest(cp, h, ns, 'Succeeded', fail.pod.metadata.uid);
      expect({ status: again.result.status, output: again.result.stderr }).toEqual({ status: 0, output: '' });
      expect(again.pod.metadata.uid).not.toBe(fail.pod.metadata.uid);
      await eventually(() => ![...names(cp, ns, 'pods'), ...names(cp, ns, 'networkpolicies')].some((n) => n.includes('gateway-test')));
      expect([...names(cp, ns, 'pods'), ...names(cp, ns, 'networkpolicies')].filter((n) => n.includes('gateway-test'))).toEqual([]);

      const uninstall = helm(cp, h, ['uninstall', REL, '-n', ns, '--timeout', '60s']);
      expect(uninstall.status).toBe(0);
    }, 240_000);
  });
});
