import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart } from 'cdk8s';
import { StackContext } from '../../lib/constructs/core/context';
import { FastTimeServer } from '../../lib/constructs/fast-time-server';
import { NginxProxy } from '../../lib/constructs/nginx-proxy';
import { tempDir } from '../support';
import { gateFindings, objectsOf, userApp, userChart } from './support';

/** NGINX from the Debian package, which CI installs (scripts/install-stack-deps.sh). */
const NGINX = '/usr/sbin/nginx';

/**
 * `nginx -t` on `<dir>/nginx.conf`. Its output goes to a file: the configuration logs to /dev/stderr, which NGINX
 * cannot open when stderr is the socket a child process gets from Node.
 */
function nginxTest(dir: string): { status: number | null; output: string } {
  const log = join(dir, 'output.log');
  const fd = openSync(log, 'w');
  try {
    const run = spawnSync(NGINX, ['-t', '-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', fd, fd] });
    return { status: run.status, output: readFileSync(log, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

const find = (objects: any[], kind: string) => objects.find((o) => o.kind === kind && o.metadata.name.endsWith('-nginx'));
const confOf = (objects: any[]) => find(objects, 'ConfigMap').data['nginx.conf'] as string;

/** An app with pods behind a Service (the MCP time server), which NGINX proxies by its plain Service name. */
function appService(chart: Chart): { serviceName: string; servicePort: number } {
  const app = new FastTimeServer(chart, 'app');
  return { serviceName: app.serviceName, servicePort: 80 };
}

describe('NginxProxy on its own', () => {
  test('with only an upstream: the default image and tuning, proxying to the Service in the chart namespace', () => {
    const chart = userChart('apps');
    const nginx = new NginxProxy(chart, 'proxy', { upstream: appService(chart) });
    const objects = objectsOf(chart);
    expect(objects.filter((o) => o.metadata.name === 'mcp-stack-nginx').map((o) => o.kind)).toEqual(['ConfigMap', 'Service', 'Deployment']);
    const conf = confOf(objects);
    expect(conf).toMatch(/upstream gateway \{\n\s+server mcp-stack-fast-time-server\.apps\.svc\.cluster\.local:80;\n\s+keepalive 32;/);
    expect(conf).toContain('worker_connections 8192;');
    expect(conf).toContain('client_max_body_size 25m;');
    expect(conf).not.toContain('ssl');
    const deployment = find(objects, 'Deployment');
    expect(deployment.metadata.namespace).toBe('apps');
    expect(deployment.spec.replicas).toBe(1);
    const pod = deployment.spec.template.spec;
    expect(pod.containers[0].image).toBe('docker.io/nginxinc/nginx-unprivileged:1.28.2-alpine');
    expect(pod.securityContext.runAsUser).toBe(101);
    expect(nginx.serviceName).toBe('mcp-stack-nginx');
    expect(find(objects, 'Service').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http' }]);
    expect(find(objects, 'PodDisruptionBudget')).toBeUndefined();
    expect(gateFindings(chart, ['ServiceAccount/apps/mcp-stack-workload'])).toEqual([]);
  });

  test('props override the defaults one by one, under the context attached to a scope', () => {
    const chart = userChart();
    new StackContext({ release: 'shop', namespace: 'shop-mcp', platform: 'openshift', imageRegistry: 'mirror.example.com', pullPolicy: 'Always' }).attach(chart);
    new NginxProxy(chart, 'proxy', {
      upstream: appService(chart),
      replicas: 3,
      workerConnections: 2048,
      upstreamKeepalive: 8,
      clientMaxBodySize: '1m',
      tls: true,
      pdb: { enabled: true, minAvailable: 2 },
      image: { repository: 'docker.io/nginxinc/nginx-unprivileged', tag: '1.28.3-alpine', user: 101 },
    });
    const objects = objectsOf(chart);
    const conf = confOf(objects);
    expect(conf).toMatch(/server shop-fast-time-server\.shop-mcp\.svc\.cluster\.local:80;\n\s+keepalive 8;/);
    expect(conf).toContain('worker_connections 2048;');
    expect(conf).toContain('client_max_body_size 1m;');
    expect(conf).toContain('listen 8443 ssl;');
    const deployment = find(objects, 'Deployment');
    expect(deployment.metadata).toMatchObject({ name: 'shop-nginx', namespace: 'shop-mcp' });
    expect(deployment.spec.replicas).toBe(3);
    const pod = deployment.spec.template.spec;
    expect(pod.containers[0]).toMatchObject({ image: 'mirror.example.com/nginxinc/nginx-unprivileged:1.28.3-alpine', imagePullPolicy: 'Always' });
    expect(pod.containers[0].ports).toContainEqual({ name: 'https', containerPort: 8443 });
    // OpenShift assigns the user: none is pinned.
    expect(pod.securityContext.runAsUser).toBeUndefined();
    expect(pod.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'shop-nginx-tls' } });
    const service = find(objects, 'Service');
    expect(service.metadata.annotations).toEqual({ 'service.beta.openshift.io/serving-cert-secret-name': 'shop-nginx-tls' });
    expect(find(objects, 'PodDisruptionBudget').spec.minAvailable).toBe(2);
    expect(gateFindings(chart, ['ServiceAccount/shop-mcp/shop-workload', 'Secret/shop-mcp/shop-nginx-tls'])).toEqual([]);
  });

  test('a changed setting changes the config checksum, so the pods roll', () => {
    const checksum = (props: { workerConnections?: number }) => {
      const chart = userChart('apps');
      new NginxProxy(chart, 'proxy', { upstream: appService(chart), ...props });
      return find(objectsOf(chart), 'Deployment').spec.template.metadata.annotations['checksum/config'];
    };
    expect(checksum({})).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum({ workerConnections: 2048 })).not.toBe(checksum({}));
  });

  test('a release of this tool that writes another nginx.conf from the same settings rolls the pods too', () => {
    // nginx.conf is mounted by subPath, which the kubelet never refreshes: only a new pod reads a new file.
    const render = () => {
      const { NginxProxy: Proxy } = require('../../lib/constructs/nginx-proxy') as typeof import('../../lib/constructs/nginx-proxy');
      const chart = userChart('apps');
      new Proxy(chart, 'proxy', { upstream: appService(chart) });
      const objects = objectsOf(chart);
      return { conf: confOf(objects), checksum: find(objects, 'Deployment').spec.template.metadata.annotations['checksum/config'] };
    };
    const before = render();
    let after = before;
    jest.isolateModules(() => {
      jest.doMock('../../lib/constructs/nginx-config', () => {
        const actual = jest.requireActual('../../lib/constructs/nginx-config');
        return { ...actual, nginxConf: (...args: unknown[]) => `# a new release\n${actual.nginxConf(...args)}` };
      });
      after = render();
    });
    expect(after.conf).toBe(`# a new release\n${before.conf}`);
    expect(after.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(after.checksum).not.toBe(before.checksum);
  });

  test('declares the flows NetworkPolicies need: to the upstream pods, and from the client namespaces when given', () => {
    const chart = userChart('apps');
    const ctx = new StackContext({ namespace: 'apps' }).attach(chart);
    new NginxProxy(chart, 'proxy', {
      upstream: appService(chart),
      upstreamPods: { component: 'fast-time-server', port: 8080 },
      clientNamespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
    });
    expect(ctx.flows.map((f) => ({ from: f.from, to: f.to, ports: f.ports }))).toEqual([
      { from: { component: 'nginx' }, to: { component: 'fast-time-server' }, ports: [{ port: 8080 }] },
      { from: { namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, to: { component: 'nginx' }, ports: [{ port: 8080 }] },
    ]);

    // Without pods or client namespaces: the gateway's pods on 4444, and no client flow.
    const other = userChart('apps');
    const otherCtx = new StackContext({ namespace: 'apps' }).attach(other);
    new NginxProxy(other, 'proxy', { upstream: appService(other) });
    expect(otherCtx.flows.map((f) => ({ to: f.to, ports: f.ports }))).toEqual([{ to: { component: 'gateway' }, ports: [{ port: 4444 }] }]);
  });

  test('the gate sees an upstream Service the app does not have', () => {
    const chart = userChart('apps');
    new NginxProxy(chart, 'proxy', { upstream: { serviceName: 'missing', servicePort: 80 } });
    expect(gateFindings(chart, ['ServiceAccount/apps/mcp-stack-workload'])).toEqual([
      expect.stringMatching(/^invariant\/nginx-upstream: .*there is no Service 'missing' in namespace 'apps'/),
    ]);
  });

  test('refuses settings NGINX cannot take, naming each one with the value received', () => {
    const chart = new Chart(userApp(), 'plain');
    const make = () =>
      new NginxProxy(chart, 'proxy', { upstream: { serviceName: 'api', servicePort: 80 }, replicas: 0, workerConnections: 1.5, upstreamKeepalive: -1, clientMaxBodySize: '25m; evil on' });
    expect(make).toThrow(
      [
        "NginxProxy 'plain/proxy': invalid props:",
        '  replicas: must be a whole number >= 1 (received 0)',
        '  workerConnections: must be a whole number >= 1 (received 1.5)',
        '  upstreamKeepalive: must be a whole number >= 1 (received -1)',
        '  clientMaxBodySize: must be an NGINX size such as 25m, 512k or 1048576 (received "25m; evil on")',
      ].join('\n'),
    );
  });

  const realNginx = existsSync(NGINX);
  if (!realNginx && process.env.CI === 'true') {
    test('real NGINX is installed (CI may not skip the configuration check)', () => {
      throw new Error(`missing ${NGINX}; run bash scripts/install-stack-deps.sh`);
    });
  } else if (!realNginx) {
    console.warn(`real NGINX configuration check NOT RUN: missing ${NGINX}. Enable it with: bash scripts/install-stack-deps.sh`);
    test.skip('real NGINX accepts the configuration (nginx missing)', () => undefined);
  } else {
    test('real NGINX accepts the configuration made from non-default settings', () => {
      const chart = userChart('apps');
      new NginxProxy(chart, 'proxy', { upstream: appService(chart), workerConnections: 1024, upstreamKeepalive: 4, clientMaxBodySize: '512k' });
      const dir = tempDir('nginx-proxy');
      mkdirSync(join(dir, 'tmp'));
      // Only what cannot exist outside a cluster changes: the Service's DNS name, and /tmp (the pod's emptyDir).
      const conf = confOf(objectsOf(chart)).replace('mcp-stack-fast-time-server.apps.svc.cluster.local', '127.0.0.1').replaceAll('/tmp/', `${dir}/tmp/`);
      expect(conf).toContain('server 127.0.0.1:80;');
      writeFileSync(join(dir, 'nginx.conf'), conf);
      const run = nginxTest(dir);
      expect(run.output).toContain('test is successful');
      expect(run.status).toBe(0);

      // The same check refuses what NGINX cannot take, so its success above means something.
      writeFileSync(join(dir, 'nginx.conf'), conf.replace('keepalive 4;', 'keepalive four;'));
      const bad = nginxTest(dir);
      expect(bad.status).not.toBe(0);
      expect(bad.output).toContain('invalid value "four"');
    });
  }
});
