/**
 * MCP streams stay open through every way in as long as NGINX holds them (one hour): the platform Route and
 * Ingress, tenant Routes and Ingresses, in the plain output and in the Helm chart; the gate refuses shorter ones.
 */
import { loadAll } from 'js-yaml';
import { join } from 'node:path';
import { tenantFiles } from '../lib/constructs/tenants';
import { validateDocuments } from '../lib/gate';
import { haproxySeconds } from '../lib/gate/invariants-streams';
import { find, synth } from './support';
import { HELM_NAMES, helmTemplate, requireHelm, ROOT } from './helm/support';
import { server, tenant, tenantValues } from './tenants/fixtures';
import { tenantsDefaults } from '../profiles/tenants-schema';

const CHART = join(ROOT, 'dist', 'helm', 'mcp-stack');
const tenantObjects = (v: Parameters<typeof tenantFiles>[0]) => [...tenantFiles(v).values()].flatMap((t) => loadAll(t) as any[]);

describe('plain output', () => {
  test('ocp: the Route keeps idle streams for 3600 s (the router default is 30 s)', () => {
    const route = find(synth('ocp'), 'Route', 'mcp-stack-gateway');
    expect(route.metadata.annotations['haproxy.router.openshift.io/timeout']).toBe('3600s');
  });

  test.each(['kind', 'production'])('%s: the Ingress neither buffers nor cuts streams before 3600 s', (profile) => {
    const ing = find(synth(profile), 'Ingress', 'mcp-stack-gateway');
    expect(ing.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
    });
  });

  test('tenant Routes carry the same timeout; tenant Ingresses the same annotations, which the tenant settings override', () => {
    const routes = tenantObjects(tenantValues('ocp', [tenant('acme', [server('github', { exposure: 'route' })])])).filter((o) => o.kind === 'Route');
    expect(routes.map((r) => r.metadata.annotations['haproxy.router.openshift.io/timeout'])).toEqual(['3600s']);
    const exposure = { ...tenantsDefaults.exposure, domain: 'apps.example.com', ingressAnnotations: { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '7200', 'cert-manager.io/cluster-issuer': 'le' } };
    const ing = tenantObjects(tenantValues('production', [tenant('acme', [server('github', { exposure: 'ingress' })])], { exposure })).find((o) => o.kind === 'Ingress');
    expect(ing.metadata.annotations).toEqual({
      'argocd.argoproj.io/sync-wave': '2',
      'cert-manager.io/cluster-issuer': 'le',
      'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '7200',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
    });
  });

  test('the gate refuses a tenant Ingress annotation that would cut streams early', () => {
    const exposure = { ...tenantsDefaults.exposure, domain: 'apps.example.com', ingressAnnotations: { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '30' } };
    const docs = tenantObjects(tenantValues('production', [tenant('acme', [server('github', { exposure: 'ingress' })])], { exposure })).map((object, i) => ({ file: `t${i}.yaml`, object }));
    const hits = validateDocuments(docs).findings.filter((f) => f.rule === 'invariant/stream-timeout');
    expect(hits.map((f) => `${f.severity}: ${f.message}`)).toEqual([
      "error: Ingress 'mcp-github' ends idle MCP streams after 30 s (nginx.ingress.kubernetes.io/proxy-read-timeout), before the 3600 s the stack keeps them open",
    ]);
  });
});

describe.each(HELM_NAMES)('%s chart', (h) => {
  beforeAll(requireHelm);

  test('values-ocp.yaml: the Route annotation is rendered', () => {
    const route = helmTemplate(h, CHART, { valuesFiles: [join(CHART, 'values-ocp.yaml')] }).find((o) => o.kind === 'Route');
    expect(route.metadata.annotations['haproxy.router.openshift.io/timeout']).toBe('3600s');
  });

  test('values-production.yaml: the Ingress timeouts are rendered', () => {
    const ing = helmTemplate(h, CHART, { valuesFiles: [join(CHART, 'values-production.yaml')] }).find((o) => o.kind === 'Ingress');
    expect(ing.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']).toBe('3600');
  });
});

test('HAProxy times: units, and a bare number in milliseconds', () => {
  expect([haproxySeconds('3600s'), haproxySeconds('1h'), haproxySeconds('90000'), haproxySeconds('2d'), haproxySeconds('soon')]).toEqual([3600, 3600, 90, 172800, undefined]);
});
