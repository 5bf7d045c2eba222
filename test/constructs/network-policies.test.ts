import { StackContext } from '../../lib/constructs/core/context';
import { NetworkPolicies } from '../../lib/constructs/network-policies';
import { Redis } from '../../lib/constructs/redis';
import { gateFindings, objectsOf, userChart } from './support';

const names = (objects: any[]) => objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
const policy = (objects: any[], name: string) => objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name);

describe('NetworkPolicies on their own', () => {
  test('with no props and no flows: a default deny and DNS, in the chart namespace', () => {
    const chart = userChart('apps');
    new NetworkPolicies(chart, 'policies');
    const objects = objectsOf(chart);
    expect(names(objects)).toEqual(['apps/mcp-stack-default-deny', 'apps/mcp-stack-allow-dns']);
    expect(policy(objects, 'mcp-stack-default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(gateFindings(chart)).toEqual([]);
  });

  test('allows the flows the constructs made before it declared on the shared context', () => {
    const chart = userChart('apps');
    new Redis(chart, 'redis');
    const ctx = StackContext.of(chart);
    // The user's own app reaches Redis; the construct user declares it as the stack's constructs do.
    ctx.allow({ from: { podLabels: { app: 'shop' } }, to: { component: 'redis' }, ports: [{ port: 6379 }], reason: 'the shop caches carts' });
    new NetworkPolicies(chart, 'policies');
    const objects = objectsOf(chart);
    expect(names(objects)).toEqual(['apps/mcp-stack-default-deny', 'apps/mcp-stack-allow-dns', 'apps/mcp-stack-allow-redis', 'apps/mcp-stack-allow-shop']);
    expect(policy(objects, 'mcp-stack-allow-redis').spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: 'shop' } } }], ports: [{ port: 6379, protocol: 'TCP' }] }]);
    expect(policy(objects, 'mcp-stack-allow-redis').metadata.annotations).toEqual({ 'mcp-stack.io/allows': 'the shop caches carts' });
    // The user's pods get their own policy, named after their labels, allowing exactly the egress to Redis.
    expect(policy(objects, 'mcp-stack-allow-shop').spec).toEqual({
      podSelector: { matchLabels: { app: 'shop' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: StackContext.of(chart).selector('redis') } }], ports: [{ port: 6379, protocol: 'TCP' }] }],
    });
    expect(gateFindings(chart, ['Secret/apps/mcp-stack-redis', 'ServiceAccount/apps/mcp-stack-workload'])).toEqual([]);
  });

  test('flows and context given as props replace the context found from the scope', () => {
    const chart = userChart('apps');
    new StackContext({ release: 'unused' }).attach(chart);
    const context = new StackContext({ release: 'edge', namespace: 'edge-ns' });
    const flows = [{ from: { component: 'api' }, to: { cidrs: ['203.0.113.0/24'] }, ports: [{ port: 443 }], reason: 'the API calls the payment provider' }];
    new NetworkPolicies(chart, 'policies', { context, flows });
    const objects = objectsOf(chart);
    expect(names(objects)).toEqual(['edge-ns/edge-default-deny', 'edge-ns/edge-allow-dns', 'edge-ns/edge-allow-api']);
    expect(policy(objects, 'edge-allow-api').spec).toEqual({
      podSelector: { matchLabels: context.selector('api') },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 443, protocol: 'TCP' }] }],
    });
  });

  test('refuses flows that would open every port or every pod, listing every problem', () => {
    const chart = userChart();
    const flows = [
      { from: { component: 'api' }, to: { component: 'db' }, ports: [], reason: 'no ports' },
      { from: {}, to: { component: 'db' }, ports: [{ port: 5432 }], reason: 'no source' },
      { from: { component: 'api' }, to: {}, ports: [], reason: 'neither' },
    ];
    expect(() => new NetworkPolicies(chart, 'policies', { flows })).toThrow(
      "NetworkPolicies 'app/policies': invalid props:\n" +
        '  flows[0].ports: must list at least one port: none would allow every port (flow: no ports) (received [])\n' +
        '  flows[1].from: must name a component, pod labels, namespace labels or address ranges (flow: no source) (received {})\n' +
        '  flows[2].ports: must list at least one port: none would allow every port (flow: neither) (received [])\n' +
        '  flows[2].to: must name a component, pod labels, namespace labels or address ranges (flow: neither) (received {})',
    );
  });
});
