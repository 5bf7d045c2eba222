/**
 * Plugin settings users can set (rate limits, secrets blocking), the OCP seed's benchmarked rate
 * limit on ocp, and the SSRF guard narrowed to the Service range on production; plain and through Helm.
 */
import { load } from 'js-yaml';
import { join } from 'node:path';
import { find, synth } from './support';
import { HELM_NAMES, helmTemplate, requireHelm, ROOT } from './helm/support';

const configOf = (objects: any[], name: string) => {
  const conf = find(objects, 'ConfigMap', 'mcp-stack-gateway-plugins').data['config.yaml'];
  return (load(conf) as { plugins: { name: string; config: any }[] }).plugins.find((p) => p.name === name)!.config;
};
const SETS = [
  'gateway.plugins.settings.rateLimiter.perUserPerMinute=120',
  'gateway.plugins.settings.rateLimiter.perTenantPerMinute=6000',
  'gateway.plugins.settings.secretsDetection.blockOnDetection=false',
];

test('defaults: 30 calls a minute per user, 3000 per tenant, secrets blocked', () => {
  const o = synth('kind');
  expect(configOf(o, 'RateLimiterPlugin')).toMatchObject({ by_user: '30/m', by_tenant: '3000/m' });
  expect(configOf(o, 'SecretsDetectionPlugin')).toEqual({ block_on_detection: true });
});

test('ocp: the seed benchmarked the rate limiter at 10,000 calls a minute', () => {
  expect(configOf(synth('ocp'), 'RateLimiterPlugin')).toMatchObject({ by_user: '10000/m', by_tenant: '10000/m' });
});

test('every setting reaches the plugin configuration', () => {
  const o = synth('kind', SETS);
  expect(configOf(o, 'RateLimiterPlugin')).toMatchObject({ by_user: '120/m', by_tenant: '6000/m', backend: 'redis' });
  expect(configOf(o, 'SecretsDetectionPlugin')).toEqual({ block_on_detection: false });
});

test('bad settings are refused together, with their paths, values and what is allowed', () => {
  let message = '';
  try {
    synth('kind', ['gateway.plugins.settings.rateLimiter.perUserPerMinute=0', 'gateway.plugins.settings.secretsDetection.blockOnDetection=sometimes']);
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toContain('gateway.plugins.settings.secretsDetection.blockOnDetection: Invalid input: expected boolean, received string (received "sometimes")');
  expect(message).toContain('gateway.plugins.settings.rateLimiter.perUserPerMinute: Too small: expected number to be >=1 (received 0)');
});

test('production: SSRF allows the Service range, not every private network', () => {
  const data = find(synth('production'), 'ConfigMap', 'mcp-stack-gateway').data;
  expect(data.SSRF_ALLOW_PRIVATE_NETWORKS).toBe('false');
  expect(JSON.parse(data.SSRF_ALLOWED_NETWORKS)).toEqual(['10.96.0.0/12']);
});

describe.each(HELM_NAMES)('%s chart', (h) => {
  const chart = join(ROOT, 'dist', 'helm', 'mcp-stack');
  beforeAll(requireHelm);

  test('plugin settings and the production SSRF range render as in the plain synth', () => {
    const o = helmTemplate(h, chart, { sets: SETS });
    expect(configOf(o, 'RateLimiterPlugin')).toMatchObject({ by_user: '120/m', by_tenant: '6000/m' });
      expect(configOf(o, 'SecretsDetectionPlugin')).toEqual({ block_on_detection: false });
    expect(configOf(helmTemplate(h, chart, { valuesFiles: [join(chart, 'values-ocp.yaml')] }), 'RateLimiterPlugin')).toMatchObject({ by_user: '10000/m' });
    const prod = find(helmTemplate(h, chart, { valuesFiles: [join(chart, 'values-production.yaml')] }), 'ConfigMap', 'mcp-stack-gateway').data;
    expect([prod.SSRF_ALLOW_PRIVATE_NETWORKS, prod.SSRF_ALLOWED_NETWORKS]).toEqual(['false', '["10.96.0.0/12"]']);
  });
});
