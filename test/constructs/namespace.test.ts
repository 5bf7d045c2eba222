import { StackContext } from '../../lib/constructs/core/context';
import { StackNamespace, WorkloadServiceAccount } from '../../lib/constructs/namespace';
import { Redis } from '../../lib/constructs/redis';
import { gateFindings, objectsOf, userChart } from './support';

describe('StackNamespace and WorkloadServiceAccount on their own', () => {
  test('with no props: the chart namespace enforcing restricted Pod Security, and an account with no token', () => {
    const chart = userChart('apps');
    new StackNamespace(chart, 'namespace');
    new WorkloadServiceAccount(chart, 'workload');
    const [namespace, account] = objectsOf(chart);
    expect(namespace.kind).toBe('Namespace');
    expect(namespace.metadata.name).toBe('apps');
    expect(namespace.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.28',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    expect(account).toMatchObject({ kind: 'ServiceAccount', metadata: { name: 'mcp-stack-workload', namespace: 'apps' }, automountServiceAccountToken: false });
    expect(account.imagePullSecrets).toBeUndefined();
  });

  test('the account carries the pull Secrets of the context, and with both a construct needs nothing from outside but its Secret', () => {
    const chart = userChart();
    new StackContext({ release: 'shop', namespace: 'shop-mcp', pullSecrets: ['registry-login'] }).attach(chart);
    new StackNamespace(chart, 'namespace');
    new WorkloadServiceAccount(chart, 'workload');
    new Redis(chart, 'redis');
    const objects = objectsOf(chart);
    expect(objects[0].metadata.name).toBe('shop-mcp');
    expect(objects[1].metadata).toMatchObject({ name: 'shop-workload', namespace: 'shop-mcp' });
    expect(objects[1].imagePullSecrets).toEqual([{ name: 'registry-login' }]);
    // Only the Secrets the user creates are external: the ServiceAccount the pods name is now in the chart.
    expect(gateFindings(chart, ['Secret/shop-mcp/shop-redis', 'Secret/shop-mcp/registry-login'])).toEqual([]);
  });
});
