import { GatewayHealthTest, HEALTH_CHECK_SCRIPT, TEST_HOOK } from '../../lib/constructs/gateway-health-test';
import { Gateway } from '../../lib/constructs/gateway';
import { Redis } from '../../lib/constructs/redis';
import { StackContext } from '../../lib/constructs/core/context';
import { composedDatabaseUrl, fromSecret, type DatabaseConnection } from '../../lib/constructs/database-connection';
import { gateFindings, objectsOf, userChart } from './support';

const database: DatabaseConnection = {
  secretName: 'db',
  env: () => [fromSecret('POSTGRES_HOST', 'db', 'host'), { name: 'POSTGRES_PORT', value: '5432' }, fromSecret('PGPASSWORD', 'db', 'password'), composedDatabaseUrl()],
  peer: () => ({ cidrs: ['10.20.0.0/16'] }),
  port: () => 5432,
};

describe('GatewayHealthTest on its own', () => {
  test('a test-hook Pod of the gateway image asking its Service for /health, passing the output gate', () => {
    const chart = userChart('apps');
    const gateway = new Gateway(chart, 'gateway', { database, redis: new Redis(chart, 'redis') });
    const test = new GatewayHealthTest(chart, 'health', { gateway });
    const objects = objectsOf(chart);
    const pods = objects.filter((o) => o.kind === 'Pod');
    expect(pods).toHaveLength(1);
    const [pod] = pods;
    expect(pod.metadata.annotations).toEqual({ ...TEST_HOOK, 'helm.sh/hook-weight': '0' });
    expect(pod.spec.containers[0].image).toBe(gateway.image);
    expect(pod.spec.containers[0].command).toEqual(['python3', '-c', HEALTH_CHECK_SCRIPT, 'http://mcp-stack-gateway.apps.svc.cluster.local/health']);
    expect(test.url).toBe('http://mcp-stack-gateway.apps.svc.cluster.local/health');
    expect(objects.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
    expect(gateFindings(chart, ['Secret/apps/db', 'Secret/apps/mcp-stack-gateway', 'Secret/apps/mcp-stack-redis', 'ServiceAccount/apps/mcp-stack-workload'])).toEqual([]);
  });

  test('on OpenShift the Pod sets no user, as restricted-v2 assigns one', () => {
    const chart = userChart('apps');
    new StackContext({ platform: 'openshift', namespace: 'apps' }).attach(chart);
    const gateway = new Gateway(chart, 'gateway', { database, redis: new Redis(chart, 'redis') });
    new GatewayHealthTest(chart, 'health', { gateway });
    const pod = objectsOf(chart).find((o) => o.kind === 'Pod');
    expect(pod.spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  });

  test('with networkPolicies, the two policies let exactly the test Pod reach the gateway port', () => {
    const chart = userChart('apps');
    const gateway = new Gateway(chart, 'gateway', { database, redis: new Redis(chart, 'redis') });
    new GatewayHealthTest(chart, 'health', { gateway, networkPolicies: true });
    const policies = objectsOf(chart).filter((o) => o.kind === 'NetworkPolicy');
    expect(policies.map((p) => p.metadata.name)).toEqual(['mcp-stack-allow-gateway-test-egress', 'mcp-stack-allow-gateway-test-gateway']);
    expect(policies.map((p) => p.metadata.annotations['helm.sh/hook-weight'])).toEqual(['-1', '-1']);
    const testPod = { matchLabels: { 'app.kubernetes.io/name': 'gateway-test', 'app.kubernetes.io/instance': 'mcp-stack', 'app.kubernetes.io/component': 'gateway-test' } };
    const gatewayPods = { matchLabels: { 'app.kubernetes.io/name': 'gateway', 'app.kubernetes.io/instance': 'mcp-stack', 'app.kubernetes.io/component': 'gateway' } };
    expect(policies[0].spec).toEqual({ podSelector: testPod, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: gatewayPods }], ports: [{ port: 4444, protocol: 'TCP' }] }] });
    expect(policies[1].spec).toEqual({ podSelector: gatewayPods, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: testPod }], ports: [{ port: 4444, protocol: 'TCP' }] }] });
  });
});
