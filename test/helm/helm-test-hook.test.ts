/**
 * The chart's `helm test` hook, as Helm 3 and Helm 4 render it for every profile: a Pod of the gateway's image under
 * the restricted Pod Security settings asking the gateway Service's /health, the NetworkPolicies that let exactly it
 * through when the profile has NetworkPolicies, and a delete policy so runs do not pile up. The plain output has none
 * of it, and `--skip-tests` leaves the chart equal to the plain synth (test/helm/roundtrip.test.ts).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { helmChartFiles } from '../../lib/helm';
import { HEALTH_CHECK_SCRIPT } from '../../lib/constructs/gateway-health-test';
import { HELM_NAMES, helmTemplateDocs, plain, PROFILES, requireHelm, writeChart } from './support';

let chart: string;
beforeAll(() => {
  requireHelm();
  chart = writeChart(helmChartFiles());
});
afterAll(() => rmSync(join(chart, '..'), { recursive: true, force: true }));

const isTestHook = (o: any) => o.metadata?.annotations?.['helm.sh/hook'] === 'test';

describe.each(HELM_NAMES)('%s', (h) => {
  test.each(PROFILES)('renders the gateway health test for %s', (profile) => {
    const docs = helmTemplateDocs(h, chart, { valuesFiles: [join(chart, `values-${profile}.yaml`)], tests: 'include' });
    const objects = docs.map((d) => d.object);
    const hooks = docs.filter((d) => isTestHook(d.object));
    expect(new Set(hooks.map((d) => d.file))).toEqual(new Set(['tests/gateway-health.yaml']));

    const pod = hooks.map((d) => d.object).find((o) => o.kind === 'Pod');
    expect(pod.metadata.name).toBe('mcp-stack-gateway-test');
    expect(pod.metadata.annotations['helm.sh/hook-delete-policy']).toBe('before-hook-creation,hook-succeeded');
    const gateway = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'mcp-stack-gateway');
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'mcp-stack-gateway');
    const [container] = pod.spec.containers;
    // The gateway's own image, pull settings and account: nothing new to pull, trust or grant.
    expect(container.image).toBe(gateway.spec.template.spec.containers[0].image);
    expect(container.imagePullPolicy).toBe(gateway.spec.template.spec.containers[0].imagePullPolicy);
    expect(pod.spec.imagePullSecrets).toEqual(gateway.spec.template.spec.imagePullSecrets);
    expect(pod.spec.serviceAccountName).toBe(gateway.spec.template.spec.serviceAccountName);
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(pod.spec.restartPolicy).toBe('Never');
    // Restricted Pod Security, and no fixed user on OpenShift, exactly as the gateway's pods.
    expect(pod.spec.securityContext).toEqual(gateway.spec.template.spec.securityContext);
    expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
    expect(pod.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect('runAsUser' in pod.spec.securityContext).toBe(profile !== 'ocp');
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(container.resources.limits).toBeDefined();
    // Through the Service, by its DNS name and port, to the path the liveness probe uses.
    expect(service.spec.ports[0].port).toBe(80);
    expect(container.command).toEqual(['python3', '-c', HEALTH_CHECK_SCRIPT, `http://${service.metadata.name}.mcp-stack.svc.cluster.local/health`]);
    expect(gateway.spec.template.spec.containers[0].livenessProbe.httpGet.path).toBe('/health');

    const policies = hooks.map((d) => d.object).filter((o) => o.kind === 'NetworkPolicy');
    const stackPolicies = objects.filter((o) => o.kind === 'NetworkPolicy' && !isTestHook(o));
    if (stackPolicies.length === 0) {
      expect(policies).toEqual([]);
      return;
    }
    // With the namespace denied by default: exactly the test Pod to the gateway pods, on the gateway's port.
    const podSelector = { matchLabels: { 'app.kubernetes.io/name': 'gateway-test', 'app.kubernetes.io/instance': 'mcp-stack', 'app.kubernetes.io/component': 'gateway-test' } };
    const gatewaySelector = { matchLabels: gateway.spec.selector.matchLabels };
    const port = [{ port: gateway.spec.template.spec.containers[0].ports[0].containerPort, protocol: 'TCP' }];
    expect(Object.entries(podSelector.matchLabels).every(([k, v]) => pod.metadata.labels[k] === v)).toBe(true);
    expect(policies.map((p) => p.spec)).toEqual([
      { podSelector, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: gatewaySelector }], ports: port }] },
      { podSelector: gatewaySelector, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector }], ports: port }] },
    ]);
    // Created before the Pod, removed with it.
    for (const p of policies) expect(Number(p.metadata.annotations['helm.sh/hook-weight'])).toBeLessThan(Number(pod.metadata.annotations['helm.sh/hook-weight']));
    for (const p of policies) expect(p.metadata.annotations['helm.sh/hook-delete-policy']).toBe('before-hook-creation,hook-succeeded');
  });

  test('--skip-tests leaves out exactly the test hooks, and the plain output never has them', () => {
    const values = { valuesFiles: [join(chart, 'values-production.yaml')] };
    const all = helmTemplateDocs(h, chart, { ...values, tests: 'include' }).map((d) => d.object);
    const skipped = helmTemplateDocs(h, chart, values).map((d) => d.object);
    expect(all.filter(isTestHook).map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['NetworkPolicy/mcp-stack-allow-gateway-test-egress', 'NetworkPolicy/mcp-stack-allow-gateway-test-gateway', 'Pod/mcp-stack-gateway-test']);
    expect(skipped).toEqual(all.filter((o) => !isTestHook(o)));
    expect(plain('production').filter(isTestHook)).toEqual([]);
    expect(plain('production').filter((o) => o.kind === 'Pod')).toEqual([]);
  });
});
