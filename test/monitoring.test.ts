/**
 * What the Prometheus Operator reads, through the whole stack: the gateway's monitor (`observability.metrics.monitor`:
 * ServiceMonitor, PodMonitor, or none for a Prometheus of one's own), the pgmonitor exporter's PodMonitor
 * (`observability.metrics.postgresExporter`), and the alert rules (`observability.alerts`). The rules are checked and
 * evaluated by Prometheus's own promtool (Debian package `prometheus`): they parse, and they fire on the series the
 * gateway and the exporter expose, and only then. Helm 3 and Helm 4 render what the plain synth renders. That the
 * gateway really exposes the metric names the rules read is checked in the real-stack tier.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { helmChartFiles } from '../lib/helm';
import { validateDocuments } from '../lib/gate';
import { gatePolicy } from '../lib/cli/gate';
import { renderProfile } from '../lib/cli/synth';
import { find, synth, tempDir, values } from './support';
import { byKey, helm, HELM_NAMES, helmTemplate, plain, requireHelm, writeChart } from './helm/support';

const MAIN = join(__dirname, '..', 'build', 'main.js');
const PROMTOOL = '/usr/bin/promtool';
const METRICS = ['observability.metrics.enabled=true'];
const POD_MONITOR = [...METRICS, 'observability.metrics.monitor=PodMonitor'];
const NO_OPERATOR = [...METRICS, 'observability.metrics.monitor=none'];
const ALERTS = [...METRICS, 'observability.alerts.enabled=true'];
const ALL = [...ALERTS, 'observability.metrics.postgresExporter=true'];

const OPERATOR_KINDS = ['ServiceMonitor', 'PodMonitor', 'PrometheusRule'];
const operatorObjects = (o: any[]) => o.filter((x) => x.apiVersion === 'monitoring.coreos.com/v1').map((x) => `${x.kind}/${x.metadata.name}`).sort();

function gateErrors(profile: string, sets: string[]): string[] {
  const v = values(profile, sets);
  const docs = [...renderProfile(v)]
    .filter(([file]) => /\.ya?ml$/.test(file))
    .flatMap(([file, text]) => loadAll(text).filter((o) => o != null).map((object) => ({ file, object })));
  return validateDocuments(docs, { policy: gatePolicy(v) }).findings.filter((f) => f.severity === 'error').map((f) => `${f.rule}: ${f.message}`);
}

describe('how Prometheus finds the gateway metrics', () => {
  test('ServiceMonitor (the default kind): through the gateway Service; no PodMonitor, no rules', () => {
    const o = synth('kind', METRICS);
    expect(operatorObjects(o)).toEqual(['ServiceMonitor/mcp-stack-gateway']);
  });

  test('PodMonitor: the gateway pods’ http port with the token, the Service left out; the gate accepts it', () => {
    const o = synth('production', POD_MONITOR);
    expect(operatorObjects(o)).toEqual(['PodMonitor/mcp-stack-gateway']);
    const monitor = find(o, 'PodMonitor', 'mcp-stack-gateway');
    expect(monitor.spec.selector.matchLabels).toEqual(find(o, 'Deployment', 'mcp-stack-gateway').spec.selector.matchLabels);
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['mcp-stack'] });
    expect(monitor.spec.podMetricsEndpoints).toEqual([
      { port: 'http', path: '/metrics/prometheus', interval: '30s', authorization: { type: 'Bearer', credentials: { name: 'mcp-stack-gateway-metrics', key: 'token' } } },
    ]);
    // The container port the PodMonitor names is the gateway's own.
    expect(find(o, 'Deployment', 'mcp-stack-gateway').spec.template.spec.containers[0].ports).toEqual([{ name: 'http', containerPort: 4444 }]);
    expect(gateErrors('production', POD_MONITOR)).toEqual([]);
  });

  test('none: the metrics and the NetworkPolicy flow from the monitoring namespace, no Operator object, and the gate needs no Operator', () => {
    const o = synth('production', NO_OPERATOR);
    expect(operatorObjects(o)).toEqual([]);
    const env = find(o, 'Deployment', 'mcp-stack-gateway').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'ENABLE_METRICS', value: 'true' });
    expect(find(o, 'NetworkPolicy', 'mcp-stack-allow-gateway').spec.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      ports: [{ port: 4444, protocol: 'TCP' }],
    });
    expect(gatePolicy(values('production', NO_OPERATOR)).monitoring).toBe(false);
    expect(gateErrors('production', NO_OPERATOR)).toEqual([]);
    // The token Secret is still listed: the user's own Prometheus sends it.
    const listed = spawnSync(process.execPath, [MAIN, 'secrets', '--profile', 'production', ...NO_OPERATOR.flatMap((s) => ['--set', s])], { encoding: 'utf8' });
    expect(listed.stdout).toContain('mcp-stack-gateway-metrics');
  });
});

describe('the pgmonitor exporter', () => {
  test('off unless asked: production runs the exporter and admits the monitoring namespace to it, with no PodMonitor', () => {
    const o = synth('production', METRICS);
    expect(find(o, 'PostgresCluster', 'mcp-stack-pg').spec.monitoring).toEqual({ pgmonitor: { exporter: {} } });
    expect(operatorObjects(o)).toEqual(['ServiceMonitor/mcp-stack-gateway']);
  });

  test('postgresExporter: a PodMonitor on the exporter port of the cluster’s pods, which the NetworkPolicy admits from the monitoring namespace', () => {
    const o = synth('production', [...METRICS, 'observability.metrics.postgresExporter=true']);
    const monitor = find(o, 'PodMonitor', 'mcp-stack-postgres-exporter');
    expect(monitor.spec.selector.matchLabels).toEqual({ 'postgres-operator.crunchydata.com/cluster': 'mcp-stack-pg', 'postgres-operator.crunchydata.com/crunchy-postgres-exporter': 'true' });
    expect(monitor.spec.podMetricsEndpoints).toEqual([{ portNumber: 9187, interval: '30s' }]);
    const policy = find(o, 'NetworkPolicy', 'mcp-stack-allow-postgres-instances').spec;
    expect(policy.podSelector.matchLabels['postgres-operator.crunchydata.com/cluster']).toBe('mcp-stack-pg');
    expect(policy.ingress).toContainEqual({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 9187, protocol: 'TCP' }] });
    expect(gateErrors('production', [...METRICS, 'observability.metrics.postgresExporter=true'])).toEqual([]);
  });

  test('an existing PGO cluster: the PodMonitor selects its pods', () => {
    const sets = [...METRICS, 'observability.metrics.postgresExporter=true', 'database.pgo.existingCluster=shared-pg'];
    expect(find(synth('production', sets), 'PodMonitor', 'mcp-stack-postgres-exporter').spec.selector.matchLabels['postgres-operator.crunchydata.com/cluster']).toBe('shared-pg');
    expect(gateErrors('production', sets)).toEqual([]);
  });
});

describe('alert rules', () => {
  const rulesOf = (o: any[]) => o.find((x) => x.kind === 'PrometheusRule').spec.groups;

  test('off by default, also with metrics on; on: the gateway group, and the Postgres group only with the exporter scraped', () => {
    for (const profile of ['kind', 'ocp', 'production']) expect(synth(profile, []).filter((x) => OPERATOR_KINDS.includes(x.kind))).toEqual([]);
    expect(synth('production', METRICS).filter((x) => x.kind === 'PrometheusRule')).toEqual([]);
    const alertNames = (o: any[]) => rulesOf(o).map((g: any) => [g.name, g.rules.map((r: any) => r.alert)]);
    expect(alertNames(synth('production', ALERTS))).toEqual([['mcp-stack-gateway', ['McpGatewayNotScraped', 'McpGatewayDown', 'McpGatewayErrors', 'McpGatewaySlowRequests']]]);
    expect(alertNames(synth('production', ALL))).toEqual([
      ['mcp-stack-gateway', ['McpGatewayNotScraped', 'McpGatewayDown', 'McpGatewayErrors', 'McpGatewaySlowRequests']],
      ['mcp-stack-postgres', ['McpPostgresNotScraped', 'McpPostgresExporterDown', 'McpPostgresDown']],
    ]);
    expect(gateErrors('production', ALL)).toEqual([]);
  });

  test('each rule selects the job label the Operator gives its monitor’s targets: the Service name, or <namespace>/<PodMonitor>', () => {
    const jobs = (o: any[]) => [...new Set(rulesOf(o).flatMap((g: any) => g.rules.flatMap((r: any) => [...r.expr.matchAll(/job="([^"]+)"/g)].map((m) => m[1]))))];
    expect(jobs(synth('production', ALL))).toEqual(['mcp-stack-gateway', 'mcp-stack/mcp-stack-postgres-exporter']);
    expect(jobs(synth('production', [...ALL, 'observability.metrics.monitor=PodMonitor']))).toEqual(['mcp-stack/mcp-stack-gateway', 'mcp-stack/mcp-stack-postgres-exporter']);
    const renamed = synth('kind', [...ALERTS, 'release.name=edge', 'release.namespace=mcp-edge']);
    expect(jobs(renamed)).toEqual(['edge-gateway']);
    expect(rulesOf(renamed)[0].rules[0].expr).toBe('absent(up{namespace="mcp-edge", job="edge-gateway"})');
  });

  test('refused at synth time, exit 2, nothing written: alerts or the exporter PodMonitor without an Operator monitor, the exporter without PGO', () => {
    const run = (profile: string, sets: string[]) => spawnSync(process.execPath, [MAIN, 'synth', '--profile', profile, '--stdout', ...sets.flatMap((s) => ['--set', s])], { encoding: 'utf8' });
    const noMonitor = run('production', [...NO_OPERATOR, 'observability.alerts.enabled=true', 'observability.metrics.postgresExporter=true']);
    expect(noMonitor.status).toBe(2);
    expect(noMonitor.stdout).toBe('');
    expect(noMonitor.stderr).toContain('observability.alerts.enabled: needs observability.metrics.enabled with a monitor (ServiceMonitor or PodMonitor)');
    expect(noMonitor.stderr).toContain("observability.metrics.postgresExporter: needs database.mode 'pgo' with database.pgo.monitoring");
    const noPgo = run('kind', [...METRICS, 'observability.metrics.postgresExporter=true', 'observability.metrics.monitor=Pod']);
    expect(noPgo.status).toBe(2);
    expect(noPgo.stderr).toContain('observability.metrics.monitor');
    expect(noPgo.stderr).toContain('"ServiceMonitor"|"PodMonitor"|"none"');
    expect(noPgo.stderr).not.toMatch(/\n\s+at /);
    const noExporter = run('production', [...METRICS, 'observability.metrics.postgresExporter=true', 'database.pgo.monitoring=false']);
    expect(noExporter.status).toBe(2);
    expect(noExporter.stderr).toContain('observability.metrics.postgresExporter: needs');
  });
});

const havePromtool = existsSync(PROMTOOL);
if (!havePromtool && process.env.CI !== 'true') console.warn(`alert rules NOT checked by promtool: ${PROMTOOL} is missing. Enable it with: bash scripts/install-stack-deps.sh`);

describe('the rendered rules, checked and evaluated by promtool', () => {
  let dir: string;
  beforeAll(() => {
    if (!havePromtool) throw new Error(`${PROMTOOL} is missing (Debian package prometheus): run bash scripts/install-stack-deps.sh`);
    dir = tempDir('promtool');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const run = havePromtool || process.env.CI === 'true' ? test : test.skip;

  function writeRules(profile: string, sets: string[]): { file: string; rules: Map<string, any> } {
    const groups = find(synth(profile, sets), 'PrometheusRule', 'mcp-stack-alerts').spec.groups;
    const file = join(dir, `rules-${profile}-${sets.length}.yaml`);
    writeFileSync(file, dump({ groups }));
    return { file, rules: new Map(groups.flatMap((g: any) => g.rules.map((r: any) => [r.alert, r]))) };
  }

  run.each([
    ['production', ALL, 7],
    ['production', [...ALL, 'observability.metrics.monitor=PodMonitor'], 7],
    ['kind', ALERTS, 4],
  ])('promtool check rules: %s with %s', (profile, sets, count) => {
    const { file } = writeRules(profile as string, sets as string[]);
    const r = spawnSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`SUCCESS: ${count} rules found`);
    expect(r.status).toBe(0);
  });

  run('promtool test rules: each alert fires on the series that mean trouble, after its wait, and stays quiet on a healthy stack', () => {
    const { file, rules } = writeRules('production', ALL);
    const gw = 'namespace="mcp-stack", job="mcp-stack-gateway"';
    const pg = 'namespace="mcp-stack", job="mcp-stack/mcp-stack-postgres-exporter"';
    const fired = (alert: string, labels: Record<string, string> = {}) => ({ exp_labels: { ...labels, severity: rules.get(alert).labels.severity }, exp_annotations: rules.get(alert).annotations });
    const requests = (handler: string, status: string, perMinute: number) => ({ series: `http_requests_total{${gw}, handler="${handler}", method="POST", status="${status}"}`, values: `0+${perMinute}x40` });
    const durations = (handler: string, perMinute: number, underOneSecond: number) => [
      { series: `http_request_duration_seconds_count{${gw}, handler="${handler}", method="POST"}`, values: `0+${perMinute}x40` },
      { series: `http_request_duration_seconds_bucket{${gw}, handler="${handler}", method="POST", le="1.0"}`, values: `0+${underOneSecond}x40` },
    ];
    const healthy = [
      { series: `up{${gw}, pod="gw-1"}`, values: '1x40' },
      { series: `up{${pg}, pod="pg-1"}`, values: '1x40' },
      { series: `pg_up{${pg}, pod="pg-1"}`, values: '1x40' },
      requests('/rpc', '200', 98),
      requests('/rpc', '500', 1),
      ...durations('/rpc', 100, 95),
      // An MCP stream lasts minutes: its duration is not a latency, and the rule leaves it out.
      ...durations('/servers/{server_id}/sse', 20, 0),
      ...durations('/mcp', 20, 0),
    ];
    const quiet = (t: string) => [...rules.keys()].map((alertname) => ({ eval_time: t, alertname, exp_alerts: [] }));
    const tests = [
      { interval: '1m', input_series: healthy, alert_rule_test: quiet('35m') },
      {
        interval: '1m',
        input_series: [
          { series: `up{${gw}, pod="gw-1"}`, values: '0x40' },
          { series: `up{${pg}, pod="pg-1"}`, values: '0x40' },
          { series: `pg_up{namespace="mcp-stack", job="mcp-stack/mcp-stack-postgres-exporter", pod="pg-2"}`, values: '0x40' },
        ],
        alert_rule_test: [
          { eval_time: '4m', alertname: 'McpGatewayDown', exp_alerts: [] },
          { eval_time: '6m', alertname: 'McpGatewayDown', exp_alerts: [fired('McpGatewayDown', { namespace: 'mcp-stack', job: 'mcp-stack-gateway', pod: 'gw-1' })] },
          { eval_time: '6m', alertname: 'McpPostgresExporterDown', exp_alerts: [fired('McpPostgresExporterDown', { namespace: 'mcp-stack', job: 'mcp-stack/mcp-stack-postgres-exporter', pod: 'pg-1' })] },
          { eval_time: '3m', alertname: 'McpPostgresDown', exp_alerts: [fired('McpPostgresDown', { namespace: 'mcp-stack', job: 'mcp-stack/mcp-stack-postgres-exporter', pod: 'pg-2' })] },
        ],
      },
      {
        // Nothing scraped at all (another release's gateway does not count).
        interval: '1m',
        input_series: [{ series: 'up{namespace="other", job="mcp-stack-gateway", pod="gw-1"}', values: '1x40' }],
        alert_rule_test: [
          { eval_time: '9m', alertname: 'McpGatewayNotScraped', exp_alerts: [] },
          { eval_time: '11m', alertname: 'McpGatewayNotScraped', exp_alerts: [fired('McpGatewayNotScraped', { namespace: 'mcp-stack', job: 'mcp-stack-gateway' })] },
          { eval_time: '11m', alertname: 'McpPostgresNotScraped', exp_alerts: [fired('McpPostgresNotScraped', { namespace: 'mcp-stack', job: 'mcp-stack/mcp-stack-postgres-exporter' })] },
        ],
      },
      {
        // 10% server errors, and 20% of the ordinary requests over a second.
        interval: '1m',
        input_series: [requests('/rpc', '200', 90), requests('/rpc', '502', 10), ...durations('/rpc', 100, 80)],
        alert_rule_test: [
          { eval_time: '25m', alertname: 'McpGatewayErrors', exp_alerts: [fired('McpGatewayErrors')] },
          { eval_time: '25m', alertname: 'McpGatewaySlowRequests', exp_alerts: [fired('McpGatewaySlowRequests')] },
        ],
      },
    ];
    const testFile = join(dir, 'rules.test.yaml');
    writeFileSync(testFile, dump({ rule_files: [file], evaluation_interval: '1m', tests }));
    const r = spawnSync(PROMTOOL, ['test', 'rules', testFile], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});

describe.each(HELM_NAMES)('%s renders the monitors and rules as the plain synth does', (h) => {
  let chart: string;
  beforeAll(() => {
    requireHelm();
    chart = writeChart(helmChartFiles());
  });
  test.each([
    ['kind', [...POD_MONITOR, 'observability.alerts.enabled=true'], {}],
    ['kind', NO_OPERATOR, {}],
    ['production', ALL, {}],
    ['production', [...ALL, 'observability.metrics.monitor=PodMonitor', 'database.pgo.existingCluster=shared-pg'], { release: 'edge', namespace: 'mcp-edge' }],
    ['ocp', ALERTS, {}],
  ])('%s with %s %j', (profile, sets, release) => {
    const rendered = helmTemplate(h, chart, { valuesFiles: [join(chart, `values-${profile}.yaml`)], sets, ...release });
    expect(byKey(rendered)).toEqual(byKey(plain(profile, { sets, ...release })));
  });
});

describe('NOTES.txt says how Prometheus finds the metrics', () => {
  let chart: string;
  beforeAll(() => {
    requireHelm();
    chart = writeChart(helmChartFiles());
  });
  // Helm 4 renders the notes offline.
  const notes = (profile: string, sets: string[]) => {
    const r = helm('helm4', ['install', 'rel', chart, '-n', 'ns', '--dry-run=client', '-f', join(chart, `values-${profile}.yaml`), ...sets.flatMap((s) => ['--set', s])]);
    expect(r.stderr).toBe('');
    return r.stdout.slice(r.stdout.indexOf('5. Metrics and alerts.'));
  };

  test('off, with the switches to turn them on; on, with the token Secret and the objects to select; none, with what to scrape', () => {
    expect(notes('kind', [])).toContain('Off. Turn them on with --set observability.metrics.enabled=true');
    const all = notes('production', ALL);
    expect(all).toContain('for the bearer token in Secret rel-gateway-metrics (key token), which you create');
    expect(all).toContain('Found by the ServiceMonitor rel-gateway, the pgmonitor exporter by the PodMonitor rel-postgres-exporter; alert rules in the PrometheusRule rel-alerts.');
    const none = notes('kind', [...NO_OPERATOR, 'observability.metrics.tokenSecretName=prom-token']);
    expect(none).toContain('Secret prom-token');
    expect(none).toContain('No monitor object: scrape the gateway pods (port 4444)');
    expect(none).not.toContain('Found by');
  });
});
