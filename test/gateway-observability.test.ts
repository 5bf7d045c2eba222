/**
 * The gateway's observability switches through the whole stack. Metrics (`observability.metrics`): the setting, the
 * ServiceMonitor and its token Secret, the NetworkPolicy flow from the monitoring namespaces. Traces
 * (`observability.tracing`): the OTLP settings, the headers from a Secret, egress to the collector. For both: the
 * output gate with the profile's policy, the `secrets` command, the refusals, and Helm 3 and Helm 4 against the plain
 * synth. The real gateway's answers on the metrics endpoint, and that it reads every setting, are checked in the
 * real-stack tier.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { helmChartFiles } from '../lib/helm';
import { validateDocuments } from '../lib/gate';
import { gatePolicy } from '../lib/cli/gate';
import { renderProfile } from '../lib/cli/synth';
import { InputError } from '../profiles/errors';
import { loadValues } from '../profiles/loader';
import { find, synth, values } from './support';
import { byKey, HELM_NAMES, helm, helmTemplate, plain, requireHelm, writeChart } from './helm/support';

const ROOT = join(__dirname, '..');
const MAIN = join(ROOT, 'build', 'main.js');
const ON = ['observability.metrics.enabled=true'];
const TRACING = ['observability.tracing.enabled=true', 'observability.tracing.endpoint=http://otel.observability:4317'];
const TRACING_PRODUCTION = [...TRACING, 'networkPolicies.gatewayEgress.otel.cidrs={10.40.0.0/24}', 'observability.tracing.headersSecretName=otel-auth'];
const OWN_SECRET = [...ON, 'observability.metrics.tokenSecretName=prom-token', 'observability.metrics.tokenKey=jwt', 'observability.metrics.interval=1m'];

const gatewayEnv = (o: any[]) => Object.fromEntries(find(o, 'Deployment', 'mcp-stack-gateway').spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));

function gateErrors(profile: string, sets: string[]) {
  const v = values(profile, sets);
  const docs = [...renderProfile(v)]
    .filter(([file]) => /\.ya?ml$/.test(file))
    .flatMap(([file, text]) => loadAll(text).filter((o) => o != null).map((object) => ({ file, object })));
  return validateDocuments(docs, { policy: gatePolicy(v) }).findings.filter((f) => f.severity === 'error').map((f) => `${f.rule}: ${f.message}`);
}

function refusal(profile: string, sets: string[]): string[] {
  try {
    loadValues({ profile, sets });
  } catch (e) {
    return (e as InputError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}

describe('gateway metrics on the plain output', () => {
  test('off by default in every profile: no ENABLE_METRICS, no ServiceMonitor', () => {
    for (const profile of ['kind', 'ocp', 'production']) {
      const o = synth(profile, []);
      expect(gatewayEnv(o).ENABLE_METRICS).toBeUndefined();
      expect(o.filter((x) => x.kind === 'ServiceMonitor')).toEqual([]);
    }
  });

  test('on production: the setting, a ServiceMonitor with the default token Secret, and the monitoring namespace admitted on 4444 only', () => {
    const o = synth('production', ON);
    expect(gatewayEnv(o).ENABLE_METRICS).toBe('true');
    const monitor = find(o, 'ServiceMonitor', 'mcp-stack-gateway');
    expect(monitor.spec.endpoints).toEqual([
      { port: 'http', path: '/metrics/prometheus', interval: '30s', authorization: { type: 'Bearer', credentials: { name: 'mcp-stack-gateway-metrics', key: 'token' } } },
    ]);
    const ingress = find(o, 'NetworkPolicy', 'mcp-stack-allow-gateway').spec.ingress;
    expect(ingress).toContainEqual({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 4444, protocol: 'TCP' }] });
    expect(gateErrors('production', ON)).toEqual([]);
    // No token anywhere in the output: only the Secret's name and key.
    expect(JSON.stringify(o)).not.toMatch(/eyJ[A-Za-z0-9_-]+\./);
  });

  test('the Secret name, key and interval are the user’s; the NetworkPolicy follows networkPolicies.monitoringNamespaceLabels', () => {
    const sets = [...OWN_SECRET, 'networkPolicies.monitoringNamespaceLabels.team=observability'];
    const o = synth('production', sets);
    expect(find(o, 'ServiceMonitor', 'mcp-stack-gateway').spec.endpoints[0]).toMatchObject({ interval: '1m', authorization: { credentials: { name: 'prom-token', key: 'jwt' } } });
    const ingress = find(o, 'NetworkPolicy', 'mcp-stack-allow-gateway').spec.ingress;
    expect(ingress).toContainEqual({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring', team: 'observability' } } }], ports: [{ port: 4444, protocol: 'TCP' }] });
    expect(gateErrors('production', sets)).toEqual([]);
  });

  test('the secrets command lists the token Secret, says how to mint it, and generates nothing for it on kind', () => {
    const listed = spawnSync(process.execPath, [MAIN, 'secrets', '--profile', 'production', '--set', OWN_SECRET[0], '--set', OWN_SECRET[1], '--set', OWN_SECRET[2]], { encoding: 'utf8' });
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain('prom-token  (you create it with a JWT (with an expiry) signed with the gateway Secret\'s JWT_SECRET_KEY');
    expect(listed.stdout).toMatch(/prom-token .*\n {4}- jwt\n/);
    const generated = spawnSync(process.execPath, [MAIN, 'secrets', '--profile', 'kind', '--set', ON[0]], { encoding: 'utf8' });
    expect(generated.status).toBe(0);
    expect(generated.stdout).toContain('name: mcp-stack-gateway\n');
    expect(generated.stdout).not.toContain('mcp-stack-gateway-metrics');
  });

  test('refused at synth time, exit 2, nothing written: ENABLE_METRICS through extraConfig, and a bad interval or key', () => {
    const r = spawnSync(process.execPath, [MAIN, 'synth', '--stdout', '--set', 'gateway.extraConfig.ENABLE_METRICS=on', '--set', 'observability.metrics.interval=soon', '--set', 'observability.metrics.tokenKey=a/b'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('gateway.extraConfig.ENABLE_METRICS: is set by observability.metrics.enabled');
    expect(r.stderr).toContain('observability.metrics.interval');
    expect(r.stderr).toContain('must be a duration such as 30s');
    expect(r.stderr).toContain('observability.metrics.tokenKey');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('gateway traces on the plain output', () => {
  test('off by default in every profile: no OTEL_ setting', () => {
    for (const profile of ['kind', 'ocp', 'production']) expect(Object.keys(gatewayEnv(synth(profile, []))).filter((n) => n.startsWith('OTEL_'))).toEqual([]);
  });

  test('on production: the OTLP settings, the headers from the given Secret only, and egress to the collector’s addresses', () => {
    const o = synth('production', TRACING_PRODUCTION);
    const c = find(o, 'Deployment', 'mcp-stack-gateway').spec.template.spec.containers[0];
    expect(gatewayEnv(o)).toMatchObject({
      OTEL_ENABLE_OBSERVABILITY: 'true',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel.observability:4317',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_INSECURE: 'false',
      OTEL_SERVICE_NAME: 'mcp-gateway',
    });
    expect(c.env.find((e: any) => e.name === 'OTEL_EXPORTER_OTLP_HEADERS')).toEqual({ name: 'OTEL_EXPORTER_OTLP_HEADERS', valueFrom: { secretKeyRef: { name: 'otel-auth', key: 'headers' } } });
    expect(find(o, 'NetworkPolicy', 'mcp-stack-allow-gateway').spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.40.0.0/24' } }], ports: [{ port: 4317, protocol: 'TCP' }] });
    expect(gateErrors('production', TRACING_PRODUCTION)).toEqual([]);
    const listed = spawnSync(process.execPath, [MAIN, 'secrets', '--profile', 'production', ...TRACING_PRODUCTION.flatMap((x) => ['--set', x])], { encoding: 'utf8' });
    expect(listed.stdout).toContain('otel-auth  (you create it with the headers your OpenTelemetry collector expects');
  });

  test('refused, every problem at once: no endpoint, no collector addresses under NetworkPolicies, the settings through extraConfig', () => {
    const r = spawnSync(process.execPath, [MAIN, 'synth', '--profile', 'production', '--stdout', '--set', 'observability.tracing.enabled=true', '--set', 'gateway.extraConfig.OTEL_EXPORTER_OTLP_HEADERS=on', '--set', 'observability.tracing.protocol=udp'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("observability.tracing.endpoint: must name the OpenTelemetry collector's OTLP URL");
    expect(r.stderr).toContain("networkPolicies.gatewayEgress.otel.cidrs: must list the collector's addresses");
    expect(r.stderr).toContain('gateway.extraConfig.OTEL_EXPORTER_OTLP_HEADERS: is set by observability.tracing.headersSecretName');
    expect(r.stderr).toContain('observability.tracing.protocol');
    expect(r.stderr).not.toContain('on (');
  });
});

describe.each(HELM_NAMES)('%s renders the gateway observability as the plain synth does', (h) => {
  let chart: string;
  beforeAll(() => {
    requireHelm();
    chart = writeChart(helmChartFiles());
  });
  test.each([
    ['production', ON],
    ['kind', OWN_SECRET],
    ['ocp', ON],
    ['kind', TRACING],
    ['production', [...TRACING_PRODUCTION, 'observability.tracing.protocol=http', 'observability.tracing.insecure=true', 'observability.tracing.serviceName=gw']],
  ])('%s with %s', (profile, sets) => {
    const rendered = helmTemplate(h, chart, { valuesFiles: [join(chart, `values-${profile}.yaml`)], sets });
    expect(byKey(rendered)).toEqual(byKey(plain(profile, { sets })));
  });

  test('refuses ENABLE_METRICS through extraConfig in the same words as the synth', () => {
    const sets = ['gateway.extraConfig.ENABLE_METRICS=on'];
    const problems = refusal('kind', sets);
    expect(problems).toEqual(['gateway.extraConfig.ENABLE_METRICS: is set by observability.metrics.enabled, which also renders the monitor and its NetworkPolicy flow: set that instead']);
    const r = helm(h, ['template', 'r', chart, '-f', join(chart, 'values-kind.yaml'), ...sets.flatMap((x) => ['--set', x])]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(problems[0]);
  });
});
