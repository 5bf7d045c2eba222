import { Chart } from 'cdk8s';
import { StackContext } from '../../lib/constructs/core/context';
import { Redis } from '../../lib/constructs/redis';
import { gateFindings, objectsOf, userChart, testApp } from './support';

const statefulSet = (objects: any[]) => objects.find((o) => o.kind === 'StatefulSet');

describe('Redis on its own', () => {
  test('with no props: the default image, no volume, the stack names, in the chart namespace', () => {
    const chart = userChart('apps');
    const redis = new Redis(chart, 'redis');
    const objects = objectsOf(chart);
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['Service/apps/mcp-stack-redis', 'StatefulSet/apps/mcp-stack-redis']);
    const pod = statefulSet(objects).spec.template.spec;
    expect(pod.containers[0].image).toBe('docker.io/library/redis:7.4.2');
    expect(statefulSet(objects).spec.volumeClaimTemplates).toBeUndefined();
    expect(redis.host).toBe('mcp-stack-redis.apps.svc.cluster.local');
    expect(pod.containers[0].env[0].valueFrom.secretKeyRef).toEqual({ name: 'mcp-stack-redis', key: 'REDIS_PASSWORD' });
    expect(gateFindings(chart, ['Secret/apps/mcp-stack-redis', 'ServiceAccount/apps/mcp-stack-workload'])).toEqual([]);
  });

  test('props override the defaults one by one, and the context attached to a scope names everything below it', () => {
    const chart = userChart();
    new StackContext({ release: 'shop', namespace: 'shop-mcp', platform: 'openshift', imageRegistry: 'mirror.example.com' }).attach(chart);
    new Redis(chart, 'redis', {
      maxClients: 50,
      persistence: { enabled: true, storage: { size: '2Gi', storageClass: 'fast' } },
      password: { secretName: 'vault-redis', key: 'pw' },
      image: { repository: 'docker.io/library/redis', tag: '7.4.3', user: 999 },
    });
    const set = statefulSet(objectsOf(chart));
    expect(set.metadata).toMatchObject({ name: 'shop-redis', namespace: 'shop-mcp' });
    const container = set.spec.template.spec.containers[0];
    expect(container.image).toBe('mirror.example.com/library/redis:7.4.3');
    expect(container.command[2]).toContain('--maxclients 50 --appendonly yes');
    expect(container.env[0].valueFrom.secretKeyRef).toEqual({ name: 'vault-redis', key: 'pw' });
    // OpenShift assigns the user: none is pinned.
    expect(set.spec.template.spec.securityContext.runAsUser).toBeUndefined();
    expect(set.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '2Gi' } } });
    expect(gateFindings(chart, ['Secret/shop-mcp/vault-redis', 'ServiceAccount/shop-mcp/shop-workload'])).toEqual([]);
  });

  test('a chart without a namespace gets the default namespace', () => {
    const chart = new Chart(testApp(), 'plain');
    new Redis(chart, 'redis');
    expect(statefulSet(objectsOf(chart)).metadata.namespace).toBe('mcp-stack');
  });
});
