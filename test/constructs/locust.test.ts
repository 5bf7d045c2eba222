import type { Chart } from 'cdk8s';
import { k8s, StackContext } from '../../lib/constructs/core/context';
import { LocustBenchmark } from '../../lib/constructs/locust';
import { gateFindings, objectsOf, userChart } from './support';

/** A user's own gateway and proxy, named as the user named them. */
const target = { serviceName: 'front', port: 8080, component: 'front', containerPort: 8080 };
const gateway = { secretName: 'gw-secret', configMapName: 'gw-settings', image: 'ghcr.io/ibm/mcp-context-forge:v1.0.7' };
/** The Secret and ConfigMap the token init container reads come from the user's gateway. */
const externals = (ns: string, release = 'mcp-stack') => [`Secret/${ns}/gw-secret`, `ConfigMap/${ns}/gw-settings`, `ServiceAccount/${ns}/${release}-workload`] as const;

/** The user's own front door the load goes to: the gate checks that Locust targets a Service with pods behind it. */
function frontDoor(chart: Chart, ctx: StackContext): void {
  const image = { repository: 'docker.io/nginxinc/nginx-unprivileged', tag: '1.28.2-alpine', user: 101 };
  const labels = ctx.selector('front');
  new k8s.KubeService(chart, 'front-service', {
    metadata: { name: 'front', namespace: ctx.namespace, labels },
    spec: { selector: labels, ports: [{ port: 8080, targetPort: k8s.IntOrString.fromNumber(8080) }] },
  });
  const probe = { httpGet: { path: '/', port: k8s.IntOrString.fromNumber(8080) } };
  new k8s.KubeDeployment(chart, 'front-deployment', {
    metadata: { name: 'front', namespace: ctx.namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: ctx.name('workload'),
          automountServiceAccountToken: false,
          securityContext: ctx.podSecurity(image),
          containers: [
            {
              name: 'nginx',
              image: ctx.image(image),
              ports: [{ containerPort: 8080 }],
              securityContext: ctx.containerSecurity(),
              resources: ctx.resources({ requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } }),
              readinessProbe: probe,
              livenessProbe: probe,
            },
          ],
        },
      },
    },
  });
}

const byKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);
const deployment = (objects: any[], name: string) => byKind(objects, 'Deployment').find((o) => o.metadata.name === name);
const env = (container: any) => Object.fromEntries(container.env.filter((e: any) => 'value' in e).map((e: any) => [e.name, e.value]));

describe('LocustBenchmark on its own', () => {
  test('with only a target and a gateway: the baseline load for 60 s on three workers, the default image, in the chart namespace', () => {
    const chart = userChart('load');
    const bench = new LocustBenchmark(chart, 'bench', { target, gateway });
    const objects = objectsOf(chart);
    frontDoor(chart, StackContext.of(chart));
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'ConfigMap/load/mcp-stack-locust',
      'Service/load/mcp-stack-locust',
      'Deployment/load/mcp-stack-locust-master',
      'Deployment/load/mcp-stack-locust-worker',
      'PodDisruptionBudget/load/mcp-stack-locust-worker',
      'CronJob/load/mcp-stack-locust-run',
    ]);
    expect(bench.host).toBe('http://front.load.svc.cluster.local:8080');
    const master = deployment(objects, 'mcp-stack-locust-master').spec.template.spec.containers[0];
    expect(master.image).toBe('docker.io/locustio/locust:2.46.6');
    expect(env(master)).toMatchObject({ BENCH_USERS: '125', BENCH_SPAWN_RATE: '30', BENCH_RUN_TIME: '60s', BENCH_WORKERS: '3', LOCUST_HOST: bench.host });
    const worker = deployment(objects, 'mcp-stack-locust-worker').spec.template.spec;
    expect(worker.initContainers[0].image).toBe(gateway.image);
    expect(worker.initContainers[0].envFrom).toEqual([{ configMapRef: { name: 'gw-settings' } }, { secretRef: { name: 'gw-secret' } }]);
    // The gateway image's default user, so the minted token file is written as the gateway user.
    expect(worker.initContainers[0].securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001 });
    expect(gateFindings(chart, externals('load'))).toEqual([]);
  });

  test('props override the defaults, and the flows it needs are declared on the context', () => {
    const chart = userChart();
    const ctx = new StackContext({ release: 'perf', namespace: 'perf-ns', platform: 'openshift', pullPolicy: 'Always' }).attach(chart);
    new LocustBenchmark(chart, 'bench', {
      target,
      gateway: { ...gateway, user: 2000 },
      preset: 'custom',
      users: 40,
      spawnRate: 4,
      runTime: '90s',
      workers: 2,
      expectWorkers: 2,
      mcpServerId: 'time-server',
      image: { repository: 'docker.io/locustio/locust', tag: '2.40.0', user: 1000 },
    });
    frontDoor(chart, ctx);
    const objects = objectsOf(chart);
    const master = deployment(objects, 'perf-locust-master').spec.template.spec.containers[0];
    expect(master.image).toBe('docker.io/locustio/locust:2.40.0');
    expect(master.imagePullPolicy).toBe('Always');
    expect(env(master)).toMatchObject({ BENCH_USERS: '40', BENCH_SPAWN_RATE: '4', BENCH_RUN_TIME: '90s', BENCH_EXPECT_WORKERS: '2', BENCH_WORKERS: '2', MCP_SERVER_ID: 'time-server' });
    const workers = deployment(objects, 'perf-locust-worker');
    expect(workers.spec.replicas).toBe(2);
    // OpenShift assigns the users: none is pinned, not even the gateway's.
    expect(workers.spec.template.spec.initContainers[0].securityContext.runAsUser).toBeUndefined();
    // Drains take one worker at a time.
    expect(byKind(objects, 'PodDisruptionBudget').map((o) => o.spec.minAvailable)).toEqual([1]);
    // A 90 s run plus three waits of 300 s.
    expect(byKind(objects, 'CronJob')[0].spec.jobTemplate.spec.activeDeadlineSeconds).toBe(990);
    expect(ctx.flows.map((f) => `${f.from.component}->${f.to.component}:${f.ports.map((p) => p.port).join(',')}`)).toEqual([
      'locust-worker->locust-master:5557,5558',
      'locust-worker->front:8080',
      'locust-run->locust-master:8089',
    ]);
    expect(gateFindings(chart, externals('perf-ns', 'perf'))).toEqual([]);
  });

  test('refuses settings that cannot run, naming each one and the value received', () => {
    const chart = userChart();
    expect(() => new LocustBenchmark(chart, 'bench', { target, gateway, workers: 0, spawnRate: 2.5, runTime: '5 minutes' })).toThrow(
      "LocustBenchmark 'app/bench': invalid props:\n" +
        '  spawnRate: must be a whole number >= 1 (received 2.5)\n' +
        '  workers: must be a whole number >= 1 (received 0)\n' +
        '  runTime: must look like 60s, 5m or 1h (received "5 minutes")',
    );
  });
});
