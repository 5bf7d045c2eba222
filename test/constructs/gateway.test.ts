import { load } from 'js-yaml';
import { StackContext, type k8s } from '../../lib/constructs/core/context';
import { composedDatabaseUrl, fromSecret, type DatabaseConnection } from '../../lib/constructs/database-connection';
import { Gateway } from '../../lib/constructs/gateway';
import { allowGatewayEgress } from '../../lib/constructs/gateway-egress';
import { MigrationJob, RegistrationJob } from '../../lib/constructs/gateway-jobs';
import { Redis } from '../../lib/constructs/redis';
import { gateFindings, objectsOf, userChart } from './support';

/**
 * A user's own database, as an app would describe it: one Secret (written by the user's operator or by hand) with
 * the address and credentials, a pooler in front on 6432 and the primary on 5432, both at an address range.
 */
function usersDatabase(secret: string): DatabaseConnection {
  return {
    secretName: secret,
    env: (direct) => [
      fromSecret('POSTGRES_HOST', secret, direct ? 'host' : 'pooler-host'),
      { name: 'POSTGRES_PORT', value: direct ? '5432' : '6432' },
      fromSecret('POSTGRES_DB', secret, 'dbname'),
      fromSecret('POSTGRES_USER', secret, 'user'),
      fromSecret('PGPASSWORD', secret, 'password'),
      composedDatabaseUrl(),
    ],
    peer: () => ({ cidrs: ['10.20.0.0/16'] }),
    port: (direct) => (direct ? 5432 : 6432),
  };
}

const byKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);
const one = (objects: any[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const envOf = (container: any, name: string) => container.env.find((e: any) => e.name === name);

describe('Gateway on its own, with the user’s database and a Redis', () => {
  test('with no settings: the default image and settings, the stack names, in the chart namespace, passing the gate', () => {
    const chart = userChart('apps');
    const redis = new Redis(chart, 'redis');
    const gateway = new Gateway(chart, 'gateway', { database: usersDatabase('shop-db'), redis });
    new MigrationJob(chart, 'migration', { gateway, database: usersDatabase('shop-db') });
    const objects = objectsOf(chart);

    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Service/mcp-stack-redis',
      'StatefulSet/mcp-stack-redis',
      'ConfigMap/mcp-stack-gateway',
      'ConfigMap/mcp-stack-gateway-plugins',
      'Service/mcp-stack-gateway',
      'Deployment/mcp-stack-gateway',
      'PodDisruptionBudget/mcp-stack-gateway',
      expect.stringMatching(/^Job\/mcp-stack-migrate-[0-9a-f]{8}$/),
    ]);
    expect(objects.every((o) => o.metadata.namespace === 'apps')).toBe(true);
    const deployment = one(objects, 'Deployment', 'mcp-stack-gateway');
    const pod = deployment.spec.template.spec;
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.containers[0].image).toBe('ghcr.io/ibm/mcp-context-forge:v1.0.7');
    expect(pod.securityContext.runAsUser).toBe(10001);
    expect(pod.containers[0].envFrom).toEqual([{ configMapRef: { name: 'mcp-stack-gateway' } }, { secretRef: { name: 'mcp-stack-gateway' } }]);
    // The gateway goes through the pooler, the migration straight to the primary.
    expect(envOf(pod.containers[0], 'POSTGRES_HOST').valueFrom.secretKeyRef).toEqual({ name: 'shop-db', key: 'pooler-host' });
    expect(envOf(pod.containers[0], 'REDIS_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'mcp-stack-redis', key: 'REDIS_PASSWORD' });
    expect(pod.containers[0].command[2]).toContain('@mcp-stack-redis.apps.svc.cluster.local:6379/0');
    const job = byKind(objects, 'Job')[0].spec.template.spec.containers[0];
    expect(envOf(job, 'POSTGRES_PORT').value).toBe('5432');
    expect(job.image).toBe(pod.containers[0].image);
    const settings = one(objects, 'ConfigMap', 'mcp-stack-gateway').data;
    expect(settings).toMatchObject({ JWT_ISSUER: 'mcp-stack.apps', GUNICORN_WORKERS: '2', PLUGINS_ENABLED: 'true' });
    expect(gateway.url).toBe('http://mcp-stack-gateway.apps.svc.cluster.local');

    const external = ['Secret/apps/shop-db', 'Secret/apps/mcp-stack-gateway', 'Secret/apps/mcp-stack-redis', 'ServiceAccount/apps/mcp-stack-workload'] as const;
    expect(gateFindings(chart, external)).toEqual([]);
  });

  test('the gateway declares its flows to the user’s database and to the Redis it was given', () => {
    const chart = userChart('apps');
    const ctx = new StackContext({ namespace: 'apps' }).attach(chart);
    const redis = { host: 'cache.example.internal', port: 6380, secretName: 'cache', passwordKey: 'pw', peer: { cidrs: ['10.30.0.0/24'] } };
    new Gateway(chart, 'gateway', { database: usersDatabase('shop-db'), redis });
    expect(ctx.flows.map((f) => [f.to, f.ports])).toEqual([
      [{ cidrs: ['10.20.0.0/16'] }, [{ port: 6432 }]],
      [{ cidrs: ['10.30.0.0/24'] }, [{ port: 6380 }]],
    ]);
  });

  test('metrics on: ENABLE_METRICS, a ServiceMonitor sending the token from the given Secret, and a flow from the monitoring namespaces only', () => {
    const chart = userChart('apps');
    const ctx = new StackContext({ release: 'shop', namespace: 'apps' }).attach(chart);
    const metrics = { enabled: true, tokenSecretName: 'scrape-token', tokenKey: 'jwt', interval: '15s' };
    new Gateway(chart, 'gateway', { database: usersDatabase('shop-db'), redis: new Redis(chart, 'redis'), metrics, monitoringNamespaceLabels: { team: 'observability' } });
    const objects = objectsOf(chart);
    const pod = one(objects, 'Deployment', 'shop-gateway').spec.template.spec;
    expect(envOf(pod.containers[0], 'ENABLE_METRICS')).toEqual({ name: 'ENABLE_METRICS', value: 'true' });
    // Every Gunicorn worker counts into one emptyDir, so a scrape sums them all instead of reading one at random.
    expect(envOf(pod.containers[0], 'PROMETHEUS_MULTIPROC_DIR')).toEqual({ name: 'PROMETHEUS_MULTIPROC_DIR', value: '/prometheus-multiproc' });
    expect(pod.volumes).toContainEqual({ name: 'prometheus-multiproc', emptyDir: {} });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'prometheus-multiproc', mountPath: '/prometheus-multiproc' });
    const monitor = one(objects, 'ServiceMonitor', 'shop-gateway');
    const service = one(objects, 'Service', 'shop-gateway');
    expect(monitor.metadata.namespace).toBe('apps');
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['apps'] });
    expect(Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => service.metadata.labels[k] === v)).toBe(true);
    expect(monitor.spec.endpoints).toEqual([
      { port: 'http', path: '/metrics/prometheus', interval: '15s', authorization: { type: 'Bearer', credentials: { name: 'scrape-token', key: 'jwt' } } },
    ]);
    expect(service.spec.ports.map((p: any) => p.name)).toContain('http');
    expect(ctx.flows.filter((f) => /Prometheus/.test(f.reason))).toEqual([
      { from: { namespaceLabels: { team: 'observability' } }, to: { component: 'gateway' }, ports: [{ port: 4444 }], reason: 'Prometheus scrapes the gateway metrics' },
    ]);
    // The gate allows a ServiceMonitor only where the cluster is declared to run the Prometheus Operator.
    expect(gateFindings(chart).filter((f) => f.startsWith('policy/'))).toEqual([expect.stringMatching(/^policy\/monitoring: ServiceMonitor 'shop-gateway' needs the Prometheus Operator CRDs/)]);
  });

  test('metrics off (the default): no ENABLE_METRICS, no ServiceMonitor, no flow from the monitoring namespaces', () => {
    const chart = userChart('apps');
    const ctx = new StackContext({ namespace: 'apps' }).attach(chart);
    new Gateway(chart, 'gateway', { database: usersDatabase('shop-db'), redis: new Redis(chart, 'redis') });
    const objects = objectsOf(chart);
    expect(byKind(objects, 'ServiceMonitor')).toEqual([]);
    expect(envOf(one(objects, 'Deployment', 'mcp-stack-gateway').spec.template.spec.containers[0], 'ENABLE_METRICS')).toBeUndefined();
    expect(envOf(one(objects, 'Deployment', 'mcp-stack-gateway').spec.template.spec.containers[0], 'PROMETHEUS_MULTIPROC_DIR')).toBeUndefined();
    expect(ctx.flows.filter((f) => /Prometheus/.test(f.reason))).toEqual([]);
  });

  test('props override the defaults one by one, and the context attached to the chart names everything', () => {
    const chart = userChart();
    new StackContext({ release: 'shop', namespace: 'shop-mcp', platform: 'openshift', imageRegistry: 'mirror.example.com', pullPolicy: 'Always' }).attach(chart);
    const redis = new Redis(chart, 'redis', { password: { secretName: 'vault-redis', key: 'pw' } });
    const gateway = new Gateway(chart, 'gateway', {
      database: usersDatabase('shop-db'),
      redis,
      secretName: 'vault-gateway',
      image: { repository: 'ghcr.io/ibm/mcp-context-forge', tag: 'v1.0.8', user: 10001 },
      hpa: { enabled: true, minReplicas: 3, maxReplicas: 6, cpuUtilization: 70, memoryUtilization: 80 },
      plugins: { enabled: false, modes: chosenModes(), settings: { rateLimiter: { perUserPerMinute: 1, perTenantPerMinute: 1 }, secretsDetection: { blockOnDetection: true } } },
      logLevel: 'DEBUG',
      extraConfig: { OTEL_ENABLE_OBSERVABILITY: 'false' },
    });
    new MigrationJob(chart, 'migration', { gateway, database: usersDatabase('shop-db'), backoffLimit: 1, activeDeadlineSeconds: 120 });
    const objects = objectsOf(chart);

    // No plugins: no plugin ConfigMap and no volume for it.
    expect(one(objects, 'ConfigMap', 'shop-gateway-plugins')).toBeUndefined();
    const deployment = one(objects, 'Deployment', 'shop-gateway');
    expect(deployment.metadata.namespace).toBe('shop-mcp');
    // The autoscaler owns the replica count.
    expect(deployment.spec.replicas).toBeUndefined();
    expect(one(objects, 'HorizontalPodAutoscaler', 'shop-gateway').spec).toMatchObject({ minReplicas: 3, maxReplicas: 6 });
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext.runAsUser).toBeUndefined();
    expect(pod.volumes.map((v: any) => v.name)).toEqual(['tmp']);
    const container = pod.containers[0];
    expect(container.image).toBe('mirror.example.com/ibm/mcp-context-forge:v1.0.8');
    expect(container.imagePullPolicy).toBe('Always');
    expect(container.envFrom[1]).toEqual({ secretRef: { name: 'vault-gateway' } });
    expect(envOf(container, 'REDIS_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'vault-redis', key: 'pw' });
    expect(one(objects, 'ConfigMap', 'shop-gateway').data).toMatchObject({
      LOG_LEVEL: 'DEBUG',
      PLUGINS_ENABLED: 'false',
      OTEL_ENABLE_OBSERVABILITY: 'false',
      JWT_ISSUER: 'shop.shop-mcp',
      BASIC_AUTH_USER: 'shop-admin',
    });
    const job = byKind(objects, 'Job')[0];
    expect(job.metadata.name).toMatch(/^shop-migrate-[0-9a-f]{8}$/);
    expect(job.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 120 });
    expect(job.spec.template.spec.containers[0].image).toBe(container.image);

    const external = ['Secret/shop-mcp/shop-db', 'Secret/shop-mcp/vault-gateway', 'Secret/shop-mcp/vault-redis', 'ServiceAccount/shop-mcp/shop-workload'] as const;
    expect(gateFindings(chart, external)).toEqual([]);
  });

  test('plugin modes and settings reach the plugin configuration, whose rate limiter uses the Redis it was given', () => {
    const chart = userChart('apps');
    const redis = { host: 'cache.example.internal', port: 6380, secretName: 'cache', passwordKey: 'pw' };
    const settings = { rateLimiter: { perUserPerMinute: 5, perTenantPerMinute: 50 }, secretsDetection: { blockOnDetection: false } };
    new Gateway(chart, 'gateway', { database: usersDatabase('shop-db'), redis, plugins: { enabled: true, modes: chosenModes(), settings } });
    const config = load(one(objectsOf(chart), 'ConfigMap', 'mcp-stack-gateway-plugins').data['config.yaml']) as { plugins: any[] };
    const plugin = (name: string) => config.plugins.find((p) => p.name === name);
    expect(plugin('RateLimiterPlugin')).toMatchObject({ mode: 'enforce', config: { by_user: '5/m', by_tenant: '50/m' } });
    expect(plugin('RateLimiterPlugin').config.redis_url).toMatch(/@cache\.example\.internal:6380\/0$/);
    expect(plugin('SecretsDetectionPlugin').config).toEqual({ block_on_detection: false });
    expect(plugin('EncodedExfilDetectorPlugin').mode).toBe('disabled');
  });

  test('egress outside the cluster is declared only for the destinations whose address ranges are given', () => {
    const ctx = new StackContext({ namespace: 'apps' });
    allowGatewayEgress(ctx, { mcpServers: { cidrs: [], port: 443 }, oidc: { cidrs: ['192.0.2.10/32'], port: 8443 }, otel: { cidrs: [], port: 4317 } });
    expect(ctx.flows.map((f) => [f.from, f.to, f.ports])).toEqual([[{ component: 'gateway' }, { cidrs: ['192.0.2.10/32'] }, [{ port: 8443 }]]]);
  });

  test('refuses a replica count or autoscaler bounds it cannot run with, naming each', () => {
    const chart = userChart('apps');
    const redis = new Redis(chart, 'redis');
    let n = 0;
    const make = (props: object) => () => new Gateway(chart, `gateway-${n++}`, { database: usersDatabase('db'), redis, ...props });
    expect(make({ replicas: 0 })).toThrow("Gateway 'app/gateway-0': invalid props:\n  replicas: must be a whole number >= 1 (received 0)");
    let message = '';
    try {
      make({ replicas: 1.5, hpa: { enabled: true, minReplicas: 5, maxReplicas: 2, cpuUtilization: 90, memoryUtilization: 90 } })();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      "Gateway 'app/gateway-1': invalid props:\n" +
        '  replicas: must be a whole number >= 1 (received 1.5)\n' +
        '  hpa: must be whole numbers with 1 <= minReplicas <= maxReplicas (received {"minReplicas":5,"maxReplicas":2})',
    );
  });
});

function chosenModes() {
  return {
    RateLimiterPlugin: 'enforce',
    PIIFilterPlugin: 'permissive',
    SecretsDetectionPlugin: 'permissive',
    EncodedExfilDetectorPlugin: 'disabled',
    RetryWithBackoffPlugin: 'permissive',
  } as const;
}

describe('the gateway’s Jobs on their own', () => {
  const build = (migration: object = {}, registration: object = {}) => {
    const chart = userChart('apps');
    const redis = new Redis(chart, 'redis');
    const gateway = new Gateway(chart, 'gateway', { database: usersDatabase('shop-db'), redis });
    const migrate = new MigrationJob(chart, 'migration', { gateway, database: usersDatabase('shop-db'), ...migration });
    const fastTime = { mcpUrl: 'http://time.tools.svc.cluster.local/mcp', healthUrl: 'http://time.tools.svc.cluster.local/health', containerPort: 8080 };
    const register = new RegistrationJob(chart, 'registration', { gateway, fastTime, ...registration });
    return { chart, migrate, register };
  };

  test('the default names are stable for the same props and change with anything the Job is built from', () => {
    const a = build();
    const b = build();
    expect(a.migrate.jobName).toMatch(/^mcp-stack-migrate-[0-9a-f]{8}$/);
    expect(a.register.jobName).toMatch(/^mcp-stack-register-[0-9a-f]{8}$/);
    expect([b.migrate.jobName, b.register.jobName]).toEqual([a.migrate.jobName, a.register.jobName]);
    const changed = build({ backoffLimit: 5 }, { virtualServer: false });
    expect(changed.migrate.jobName).not.toBe(a.migrate.jobName);
    expect(changed.register.jobName).not.toBe(a.register.jobName);
  });

  test('a given name is used as is; the registration Job points at the given server and passes the gate', () => {
    const { chart } = build({ jobName: 'shop-migrate-r42' }, { jobName: 'shop-register-r42', virtualServer: false });
    const objects = objectsOf(chart);
    expect(byKind(objects, 'Job').map((j) => j.metadata.name)).toEqual(['shop-migrate-r42', 'shop-register-r42']);
    const container = one(objects, 'Job', 'shop-register-r42').spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.filter((e: k8s.EnvVar) => e.value !== undefined).map((e: k8s.EnvVar) => [e.name, e.value]));
    expect(env).toMatchObject({ TARGET_URL: 'http://time.tools.svc.cluster.local/mcp', VIRTUAL_SERVER_NAME: '', GATEWAY_URL: 'http://mcp-stack-gateway.apps.svc.cluster.local' });
    const external = ['Secret/apps/shop-db', 'Secret/apps/mcp-stack-gateway', 'Secret/apps/mcp-stack-redis', 'ServiceAccount/apps/mcp-stack-workload'] as const;
    expect(gateFindings(chart, external)).toEqual([]);
  });

  test('the registration Job declares its flows to the gateway and to the server it registers', () => {
    const chart = userChart('apps');
    const ctx = new StackContext({ namespace: 'apps' }).attach(chart);
    const gateway = new Gateway(chart, 'gateway', { database: usersDatabase('shop-db'), redis: new Redis(chart, 'redis') });
    const server = { mcpUrl: 'http://time.tools/mcp', healthUrl: 'http://time.tools/health', containerPort: 9000, peer: { namespaceLabels: { 'kubernetes.io/metadata.name': 'tools' } } };
    new RegistrationJob(chart, 'registration', { gateway, fastTime: server });
    const fromJob = ctx.flows.filter((f) => f.from.component === 'registration').map((f) => [f.to, f.ports]);
    expect(fromJob).toEqual([
      [{ component: 'gateway' }, [{ port: 4444 }]],
      [server.peer, [{ port: 9000 }]],
    ]);
  });
});
