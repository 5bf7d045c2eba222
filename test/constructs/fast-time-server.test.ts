import { Chart } from 'cdk8s';
import { StackContext } from '../../lib/constructs/core/context';
import { FastTimeServer } from '../../lib/constructs/fast-time-server';
import { gateFindings, objectsOf, userChart, testApp } from './support';

const deploymentOf = (objects: any[]) => objects.find((o) => o.kind === 'Deployment');

describe('FastTimeServer on its own', () => {
  test('with no props: the default image, 2 pods, the stack names, in the chart namespace', () => {
    const chart = userChart('apps');
    const server = new FastTimeServer(chart, 'time');
    const objects = objectsOf(chart);
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['Service/apps/mcp-stack-fast-time-server', 'Deployment/apps/mcp-stack-fast-time-server']);
    const deployment = deploymentOf(objects);
    expect(deployment.spec.replicas).toBe(2);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toBe('ghcr.io/ibm/fast-time-server:0.8.0');
    expect(container.resources.requests).toEqual({ cpu: '25m', memory: '16Mi' });
    expect(deployment.spec.template.spec.securityContext.runAsUser).toBe(1001);
    expect(server.mcpUrl).toBe('http://mcp-stack-fast-time-server.apps.svc.cluster.local/http');
    expect(server.healthUrl).toBe('http://mcp-stack-fast-time-server.apps.svc.cluster.local/health');
    expect(gateFindings(chart, ['ServiceAccount/apps/mcp-stack-workload'])).toEqual([]);
  });

  test('props override the defaults one by one, under the context attached to a scope', () => {
    const chart = userChart();
    new StackContext({ release: 'shop', namespace: 'shop-mcp', platform: 'openshift', imageRegistry: 'mirror.example.com', pullSecrets: ['pull'] }).attach(chart);
    new FastTimeServer(chart, 'time', {
      replicas: 3,
      resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
      pdb: { enabled: true, minAvailable: 2 },
      image: { repository: 'ghcr.io/ibm/fast-time-server', tag: '0.8.1', user: 1001 },
    });
    const objects = objectsOf(chart);
    const deployment = deploymentOf(objects);
    expect(deployment.metadata).toMatchObject({ name: 'shop-fast-time-server', namespace: 'shop-mcp' });
    expect(deployment.spec.replicas).toBe(3);
    const pod = deployment.spec.template.spec;
    expect(pod.containers[0].image).toBe('mirror.example.com/ibm/fast-time-server:0.8.1');
    expect(pod.containers[0].resources.limits).toEqual({ cpu: '200m', memory: '128Mi' });
    expect(pod.imagePullSecrets).toEqual([{ name: 'pull' }]);
    // OpenShift assigns the user: none is pinned.
    expect(pod.securityContext.runAsUser).toBeUndefined();
    expect(objects.find((o) => o.kind === 'PodDisruptionBudget').spec).toMatchObject({ minAvailable: 2, selector: { matchLabels: { 'app.kubernetes.io/instance': 'shop' } } });
    expect(gateFindings(chart, ['ServiceAccount/shop-mcp/shop-workload', 'Secret/shop-mcp/pull'])).toEqual([]);
  });

  test('refuses a replica count that is not a whole number of at least 1', () => {
    const chart = new Chart(testApp(), 'plain');
    expect(() => new FastTimeServer(chart, 'time', { replicas: 0 })).toThrow("FastTimeServer 'plain/time': invalid props:\n  replicas: must be a whole number >= 1 (received 0)");
  });
});
