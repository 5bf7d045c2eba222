import { spawnSync } from 'node:child_process';
import { load } from 'js-yaml';
import { containers, find, synth, values } from './support';

const envOf = (container: any, name: string) => container.env.find((e: any) => e.name === name);

describe('gateway', () => {
  const objects = synth('kind');
  const deployment = find(objects, 'Deployment', 'mcp-stack-gateway');
  const container = deployment.spec.template.spec.containers[0];

  test('serves on 4444 behind a Service on 80', () => {
    expect(container.ports).toEqual([{ name: 'http', containerPort: 4444 }]);
    const service = find(objects, 'Service', 'mcp-stack-gateway');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http' }]);
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
  });

  test('waits for the schema at head, then is ready on /ready and live on /health', () => {
    expect(container.startupProbe.exec.command).toEqual(['python3', '-m', 'mcpgateway.utils.check_schema_at_head']);
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(300);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
  });

  test('settings come from its ConfigMap, credentials from Secrets by reference', () => {
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'mcp-stack-gateway' } }, { secretRef: { name: 'mcp-stack-gateway' } }]);
    // libpq (under psycopg) reads the password from PGPASSWORD, so it stays out of the URL and needs no encoding.
    expect(envOf(container, 'PGPASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'mcp-stack-postgres', key: 'password' });
    expect(envOf(container, 'REDIS_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'mcp-stack-redis', key: 'REDIS_PASSWORD' });
    // Composed by the kubelet from the other variables: no credential is spelled out, and none is in the URL.
    expect(envOf(container, 'DATABASE_URL').value).toBe('postgresql+psycopg://$(POSTGRES_USER)@$(POSTGRES_HOST):$(POSTGRES_PORT)/$(POSTGRES_DB)');
    expect(container.env.map((e: any) => e.name)).not.toContain('REDIS_URL');
  });

  test('its command composes REDIS_URL with the password percent-encoded, then runs the image start script', () => {
    const [shell, flag, script] = container.command;
    expect([shell, flag]).toEqual(['/bin/sh', '-c']);
    expect(script.split('\n')[0]).toBe('set -eu');
    expect(script.split('\n').pop()).toBe('exec ./docker-entrypoint.sh');
    const password = 'a b@c/d#e%f:g?h"i\\j$(k)`l`';
    const run = spawnSync('/bin/sh', ['-c', script.replace('exec ./docker-entrypoint.sh', 'printf %s "$REDIS_URL"')], { env: { PATH: process.env.PATH, REDIS_PASSWORD: password }, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const url = new URL(run.stdout);
    expect(url.host).toBe('mcp-stack-redis.mcp-stack.svc.cluster.local:6379');
    expect(decodeURIComponent(url.password)).toBe(password);
    expect(run.stdout).not.toContain(password);
  });

  test('the ConfigMap holds the settings of the OCP seed table', () => {
    const settings = find(synth('ocp'), 'ConfigMap', 'mcp-stack-gateway').data;
    expect(settings).toMatchObject({
      DB_POOL_CLASS: 'queue',
      TRANSPORT_TYPE: 'streamablehttp',
      GUNICORN_WORKERS: '8',
      REGISTRY_CACHE_TOOLS_TTL: '300',
      AUTH_CACHE_USER_TTL: '300',
      SSRF_ALLOW_PRIVATE_NETWORKS: 'true',
      MCPGATEWAY_SKIP_MIGRATIONS: 'true',
    });
  });

  test('the API rate limiting never locks out (every client comes through a proxy) and lets through what the plugin allows a tenant', () => {
    const settings = (profile: string, sets: string[] = []) => find(synth(profile, sets), 'ConfigMap', 'mcp-stack-gateway').data;
    expect(settings('kind')).toMatchObject({ RATE_LIMIT_LOCKOUT_ENABLED: 'false', RATE_LIMIT_MEDIUM_RPM: '3000' });
    expect(settings('ocp')).toMatchObject({ RATE_LIMIT_LOCKOUT_ENABLED: 'false', RATE_LIMIT_MEDIUM_RPM: '10000' });
    expect(settings('kind', ['gateway.plugins.settings.rateLimiter.perTenantPerMinute=500']).RATE_LIMIT_MEDIUM_RPM).toBe('500');
    expect(settings('kind', ['gateway.extraConfig.RATE_LIMIT_LOCKOUT_ENABLED=on']).RATE_LIMIT_LOCKOUT_ENABLED).toBe('on');
  });

  test('five plugins, each with the mode of the values', () => {
    const o = synth('kind', ['gateway.plugins.modes.RateLimiterPlugin=enforce']);
    const conf = find(o, 'ConfigMap', 'mcp-stack-gateway-plugins').data['config.yaml'];
    const plugins = (load(conf) as { plugins: { name: string; mode: string }[] }).plugins;
    expect(plugins).toHaveLength(5);
    expect(Object.fromEntries(plugins.map((p) => [p.name, p.mode]))).toMatchObject({ RateLimiterPlugin: 'enforce', PIIFilterPlugin: 'permissive' });
    const gw = find(o, 'Deployment', 'mcp-stack-gateway').spec.template.spec;
    expect(gw.volumes).toContainEqual({ name: 'plugins', configMap: { name: 'mcp-stack-gateway-plugins' } });
  });

  test('a settings change rolls the pods (checksum of the mounted configuration)', () => {
    const before = deployment.spec.template.metadata.annotations['checksum/config'];
    const after = find(synth('kind', ['gateway.workers=3']), 'Deployment', 'mcp-stack-gateway').spec.template.metadata.annotations['checksum/config'];
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(after).not.toBe(before);
  });

  test('a release of this tool that derives other settings from the same values rolls the pods too', () => {
    // The values are the same; only the code that turns them into the ConfigMap changes, as in an upgrade of the tool.
    const checksum = (o: any[]) => find(o, 'Deployment', 'mcp-stack-gateway').spec.template.metadata.annotations['checksum/config'];
    let upgraded: any[] = [];
    jest.isolateModules(() => {
      jest.doMock('../lib/constructs/gateway-config', () => {
        const actual = jest.requireActual('../lib/constructs/gateway-config');
        return { ...actual, gatewaySettings: (...args: unknown[]) => ({ ...actual.gatewaySettings(...args), NEW_SETTING: 'on' }) };
      });
      const { buildStack } = require('../lib/stack/mcp-stack') as typeof import('../lib/stack/mcp-stack');
      upgraded = buildStack(values('kind')).units.flatMap((u) => u.objects);
    });
    expect(find(upgraded, 'ConfigMap', 'mcp-stack-gateway').data.NEW_SETTING).toBe('on');
    expect(checksum(upgraded)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(upgraded)).not.toBe(checksum(objects));
  });

  test('HPA replaces the fixed replica count; PDB keeps pods through drains', () => {
    const o = synth('kind', ['gateway.hpa.enabled=true', 'gateway.hpa.minReplicas=2', 'gateway.hpa.maxReplicas=6', 'gateway.pdb.enabled=true']);
    const hpa = find(o, 'HorizontalPodAutoscaler', 'mcp-stack-gateway');
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 6, scaleTargetRef: { kind: 'Deployment', name: 'mcp-stack-gateway' } });
    expect(find(o, 'Deployment', 'mcp-stack-gateway').spec.replicas).toBeUndefined();
    expect(find(o, 'PodDisruptionBudget', 'mcp-stack-gateway').spec.minAvailable).toBe(1);
    expect(objects.some((x) => x.kind === 'HorizontalPodAutoscaler')).toBe(false);
  });
});

describe('migration Job', () => {
  test('runs exactly the gateway image, whatever the tag or digest', () => {
    for (const o of [synth('kind'), synth('ocp', ['images.gateway.tag=v1.0.9'])]) {
      const gw = find(o, 'Deployment', 'mcp-stack-gateway').spec.template.spec.containers[0];
      const job = o.find((x) => x.kind === 'Job' && x.metadata.labels['app.kubernetes.io/component'] === 'migration');
      expect(job.spec.template.spec.containers[0].image).toBe(gw.image);
    }
  });

  test('a new image gets a new Job name (pod templates of Jobs are immutable)', () => {
    const name = (o: any[]) => o.find((x) => x.kind === 'Job' && x.metadata.name.startsWith('mcp-stack-migrate-')).metadata.name;
    expect(name(synth('kind'))).not.toBe(name(synth('kind', ['images.gateway.tag=v1.0.9'])));
    expect(name(synth('kind'))).toBe(name(synth('kind')));
  });

  test('any change to a Job gets a new Job name, and only that Job (a Job template is immutable)', () => {
    const jobs = (o: any[]) => Object.fromEntries(o.filter((x) => x.kind === 'Job').map((x) => [x.metadata.labels['app.kubernetes.io/component'], x.metadata.name]));
    const base = jobs(synth('kind'));
    const changed = (set: string[]) => jobs(synth('kind', set));
    for (const set of [['migration.resources.limits.memory=2Gi'], ['migration.backoffLimit=5'], ['migration.activeDeadlineSeconds=900'], ['database.mode=external', 'database.external.secretName=app-db']]) {
      const c = changed(set);
      expect(c.migration).toMatch(/^mcp-stack-migrate-[0-9a-f]{8}$/);
      expect(c.migration).not.toBe(base.migration);
      expect(c.registration).toBe(base.registration);
    }
    for (const set of [['registration.resources.limits.memory=1Gi'], ['registration.virtualServer=false']]) {
      const c = changed(set);
      expect(c.registration).toMatch(/^mcp-stack-register-[0-9a-f]{8}$/);
      expect(c.registration).not.toBe(base.registration);
      expect(c.migration).toBe(base.migration);
    }
    // Both read the gateway image's pull settings.
    const pull = changed(['images.pullPolicy=Always']);
    expect(pull.migration).not.toBe(base.migration);
    expect(pull.registration).not.toBe(base.registration);
  });

  test('connects straight to Postgres while the gateway goes through PgBouncer (PGO)', () => {
    const o = synth('ocp');
    const gw = find(o, 'Deployment', 'mcp-stack-gateway').spec.template.spec.containers[0];
    const job = o.find((x) => x.kind === 'Job' && x.metadata.labels['app.kubernetes.io/component'] === 'migration');
    const mig = job.spec.template.spec.containers[0];
    const key = (c: any, n: string) => envOf(c, n).valueFrom.secretKeyRef;
    expect(key(gw, 'POSTGRES_HOST')).toEqual({ name: 'mcp-stack-pg-pguser-mcp', key: 'pgbouncer-host' });
    expect(key(gw, 'POSTGRES_PORT')).toEqual({ name: 'mcp-stack-pg-pguser-mcp', key: 'pgbouncer-port' });
    expect(key(mig, 'POSTGRES_HOST')).toEqual({ name: 'mcp-stack-pg-pguser-mcp', key: 'host' });
    expect(key(mig, 'POSTGRES_PORT')).toEqual({ name: 'mcp-stack-pg-pguser-mcp', key: 'port' });
  });

  test('reads the gateway Secret and ConfigMap without optional; no Helm hook, an ArgoCD PreSync hook', () => {
    const job = synth('kind').find((x) => x.kind === 'Job' && x.metadata.labels['app.kubernetes.io/component'] === 'migration');
    const c = job.spec.template.spec.containers[0];
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'mcp-stack-gateway' } }, { secretRef: { name: 'mcp-stack-gateway' } }]);
    expect(envOf(c, 'MCPGATEWAY_SKIP_MIGRATIONS').value).toBe('false');
    // Helm creates the database only after pre-install hooks, and `helm install --wait` runs post-install hooks only
    // after the gateway pods (which wait for the schema) are ready: for Helm it is a release object. ArgoCD syncs the
    // database Application first, so there it is PreSync.
    expect(job.metadata.annotations['helm.sh/hook']).toBeUndefined();
    expect(job.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/hook': 'PreSync' });
    expect(c.command[2]).toMatch(/^set -eu\n/);
  });
});

describe('registration Job', () => {
  const o = synth('kind');
  const job = o.find((x) => x.kind === 'Job' && x.metadata.labels['app.kubernetes.io/component'] === 'registration');
  const c = job.spec.template.spec.containers[0];
  const scripts = find(o, 'ConfigMap', 'mcp-stack-registration').data;

  test('registers the fast-time-server and creates the "Fast Time Server" virtual server', () => {
    expect(envOf(c, 'TARGET_URL').value).toBe('http://mcp-stack-fast-time-server.mcp-stack.svc.cluster.local/http');
    expect(envOf(c, 'GATEWAY_URL').value).toBe('http://mcp-stack-gateway.mcp-stack.svc.cluster.local');
    expect(envOf(c, 'VIRTUAL_SERVER_NAME').value).toBe('Fast Time Server');
    expect(job.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'post-install,post-upgrade', 'argocd.argoproj.io/hook': 'PostSync' });
  });

  test('signs its token from the gateway Secret via env, never from arguments, and hides no error', () => {
    expect(c.image).toBe(find(o, 'Deployment', 'mcp-stack-gateway').spec.template.spec.containers[0].image);
    expect(c.envFrom).toContainEqual({ secretRef: { name: 'mcp-stack-gateway' } });
    expect(c.command[2].split('\n').pop()).toBe('exec /bin/sh /scripts/register.sh');
    expect(scripts['register.sh']).toMatch(/^set -eu$/m);
    expect(scripts['register.sh']).not.toMatch(/--secret/);
    expect(scripts['register.sh']).not.toMatch(/2>\s*\/dev\/null|\|\| true/);
    expect(scripts['register.sh']).toContain('create_jwt_token --username "$PLATFORM_ADMIN_EMAIL"');
  });

  test('no container anywhere receives a secret in its arguments', () => {
    for (const profile of ['kind', 'ocp']) {
      for (const { owner, container } of containers(synth(profile))) {
        const argv = [...(container.command ?? []), ...(container.args ?? [])].join(' ');
        expect({ owner, argv }).not.toEqual({ owner, argv: expect.stringMatching(/--secret|--requirepass|password=|JWT_SECRET_KEY=/i) });
      }
    }
  });
});
