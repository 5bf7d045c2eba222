import { Chart } from 'cdk8s';
import { StackContext } from '../../lib/constructs/core/context';
import { Exposure, frontDoorNamespaces } from '../../lib/constructs/exposure';
import { FastTimeServer } from '../../lib/constructs/fast-time-server';
import { NginxProxy } from '../../lib/constructs/nginx-proxy';
import { gateFindings, objectsOf, userChart, testApp } from './support';

/** An app with pods behind a Service on port 80 (the MCP time server), as the Service outside traffic goes to. */
function webService(chart: Chart): { serviceName: string; servicePort: number } {
  const app = new FastTimeServer(chart, 'app');
  return { serviceName: app.serviceName, servicePort: 80 };
}
const WORKLOAD_SA = 'ServiceAccount/apps/mcp-stack-workload' as const;

describe('Exposure on its own', () => {
  test('with only a Service: an Ingress of class nginx for the default host, without TLS, keeping MCP streams open', () => {
    const chart = userChart('apps');
    new Exposure(chart, 'way-in', { service: webService(chart) });
    const ingress = objectsOf(chart).find((o) => o.kind === 'Ingress');
    expect(ingress.metadata).toMatchObject({ name: 'mcp-stack-gateway', namespace: 'apps' });
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']).toBe('3600');
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/force-ssl-redirect']).toBeUndefined();
    expect(ingress.spec).toEqual({
      ingressClassName: 'nginx',
      rules: [{ host: 'mcp.localtest.me', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'mcp-stack-fast-time-server', port: { number: 80 } } } }] } }],
    });
    expect(gateFindings(chart, [WORKLOAD_SA])).toEqual([]);
  });

  test('an Ingress with TLS redirects plain HTTP and names the certificate Secret', () => {
    const chart = userChart('apps');
    new Exposure(chart, 'way-in', { service: webService(chart), host: 'mcp.example.com', ingressClassName: '', tlsSecretName: 'mcp-cert' });
    const ingress = objectsOf(chart).find((o) => o.kind === 'Ingress');
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/force-ssl-redirect']).toBe('true');
    expect(ingress.spec.ingressClassName).toBeUndefined();
    expect(ingress.spec.tls).toEqual([{ hosts: ['mcp.example.com'], secretName: 'mcp-cert' }]);
    expect(gateFindings(chart, [WORKLOAD_SA, 'Secret/apps/mcp-cert'])).toEqual([]);
  });

  test('a Route reencrypts to the https port of NGINX with TLS, under the context attached to a scope', () => {
    const chart = userChart();
    new StackContext({ release: 'shop', namespace: 'shop-mcp', platform: 'openshift' }).attach(chart);
    const proxy = new NginxProxy(chart, 'proxy', { upstream: webService(chart), tls: true });
    new Exposure(chart, 'way-in', { service: proxy, type: 'route', host: '' });
    const objects = objectsOf(chart);
    expect(objects.some((o) => o.kind === 'Ingress')).toBe(false);
    const route = objects.find((o) => o.kind === 'Route');
    expect(route.metadata).toMatchObject({ name: 'shop-gateway', namespace: 'shop-mcp', annotations: { 'haproxy.router.openshift.io/timeout': '3600s' } });
    // No host: OpenShift generates one.
    expect(route.spec.host).toBeUndefined();
    expect(route.spec).toMatchObject({ to: { kind: 'Service', name: 'shop-nginx' }, port: { targetPort: 'https' }, tls: { termination: 'reencrypt', insecureEdgeTerminationPolicy: 'Redirect' } });
    expect(gateFindings(chart, ['ServiceAccount/shop-mcp/shop-workload', 'Secret/shop-mcp/shop-nginx-tls'])).toEqual([]);
  });

  test('the gate sees a Route to a Service without an https port', () => {
    const chart = userChart('apps');
    new Exposure(chart, 'way-in', { service: webService(chart), type: 'route' });
    expect(gateFindings(chart, [WORKLOAD_SA])).toEqual([expect.stringMatching(/^invariant\/exposure-backend: Route 'mcp-stack-gateway' uses port "https" of Service 'mcp-stack-fast-time-server', which exposes 80 \(http\)$/)]);
  });

  test('none renders nothing', () => {
    const chart = userChart('apps');
    new Exposure(chart, 'way-in', { service: { serviceName: 'web', servicePort: 80 }, type: 'none' });
    expect(objectsOf(chart)).toEqual([]);
  });

  test('refuses an Ingress without a host', () => {
    const chart = new Chart(testApp(), 'plain');
    expect(() => new Exposure(chart, 'way-in', { service: { serviceName: 'web', servicePort: 80 }, host: '' })).toThrow("Exposure 'plain/way-in': invalid props:\n  host: must be set for an Ingress (received \"\")");
  });

  test('front-door namespaces: the router for a Route, the ingress controller for an Ingress, none without exposure', () => {
    const labels = { routerNamespaceLabels: { router: 'yes' }, ingressNamespaceLabels: { ingress: 'yes' } };
    expect(frontDoorNamespaces('route', labels)).toEqual({ router: 'yes' });
    expect(frontDoorNamespaces('ingress', labels)).toEqual({ ingress: 'yes' });
    expect(frontDoorNamespaces('none', labels)).toBeUndefined();
  });
});
