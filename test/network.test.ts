import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { tenantFiles } from '../lib/constructs/tenants';
import { validateDocuments } from '../lib/gate';
import { tenantsDefaults } from '../profiles/tenants-schema';
import { sampleTenants, tenantValues } from './tenants/fixtures';
import { find, synth } from './support';
import { byKey, HELM_NAMES, helmTemplate, plain, requireHelm, ROOT } from './helm/support';

describe('NetworkPolicies', () => {
  const objects = synth('kind', ['networkPolicies.enabled=true']);
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const byName = (n: string) => find(policies, 'NetworkPolicy', n).spec;

  test('off unless enabled', () => {
    expect(synth('kind').some((o) => o.kind === 'NetworkPolicy')).toBe(false);
  });

  test('deny everything by default, then allow DNS for every pod', () => {
    expect(byName('mcp-stack-default-deny')).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(byName('mcp-stack-allow-dns').egress[0].ports).toEqual([
      { port: 53, protocol: 'UDP' },
      { port: 53, protocol: 'TCP' },
    ]);
  });

  test('Redis admits only the gateway on 6379', () => {
    const redis = byName('mcp-stack-allow-redis');
    expect(redis.policyTypes).toEqual(['Ingress']);
    expect(redis.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'gateway', 'app.kubernetes.io/instance': 'mcp-stack', 'app.kubernetes.io/name': 'gateway' } } }], ports: [{ port: 6379, protocol: 'TCP' }] },
    ]);
  });

  test('the gateway admits NGINX and the registration Job, and reaches Postgres, Redis and the time server', () => {
    const gw = byName('mcp-stack-allow-gateway');
    const from = gw.ingress.map((r: any) => r.from[0].podSelector.matchLabels['app.kubernetes.io/component']).sort();
    expect(from).toEqual(['nginx', 'registration']);
    const to = gw.egress.map((r: any) => `${r.to[0].podSelector.matchLabels['app.kubernetes.io/component']}:${r.ports[0].port}`).sort();
    expect(to).toEqual(['fast-time-server:8080', 'postgres:5432', 'redis:6379']);
  });

  test('the migration reaches the PGO primary directly; PgBouncer admits the gateway (ocp)', () => {
    const ocp = synth('ocp', ['networkPolicies.enabled=true']);
    const mig = find(ocp, 'NetworkPolicy', 'mcp-stack-allow-migration').spec;
    expect(mig.egress[0].to[0].podSelector.matchLabels).toEqual({ 'postgres-operator.crunchydata.com/cluster': 'mcp-stack-pg', 'postgres-operator.crunchydata.com/role': 'master' });
    const bouncer = find(ocp, 'NetworkPolicy', 'mcp-stack-allow-postgres-pgbouncer').spec;
    expect(bouncer.ingress[0].from[0].podSelector.matchLabels['app.kubernetes.io/component']).toBe('gateway');
  });

  test('every policy says why it exists', () => {
    for (const p of policies.filter((x) => x.metadata.name !== 'mcp-stack-default-deny')) {
      expect(p.metadata.annotations['mcp-stack.io/allows']).toMatch(/\w/);
    }
  });
});

describe('NetworkPolicies: nothing open to every namespace or address', () => {
  const rulesOf = (p: any) => [...(p.spec.ingress ?? []).flatMap((r: any) => r.from), ...(p.spec.egress ?? []).flatMap((r: any) => r.to)];

  test.each(['kind', 'ocp', 'production'])('%s: no ingress from an empty namespace selector, no 0.0.0.0/0', (profile) => {
    const policies = synth(profile, ['networkPolicies.enabled=true']).filter((o) => o.kind === 'NetworkPolicy');
    for (const p of policies) {
      for (const r of p.spec.ingress ?? []) for (const peer of r.from) expect(peer.namespaceSelector).not.toEqual({});
      for (const peer of rulesOf(p)) expect(peer.ipBlock?.cidr).not.toBe('0.0.0.0/0');
    }
  });

  test('NGINX admits the ingress controller namespace on Kubernetes and the router namespaces on OpenShift', () => {
    const fromOf = (objects: any[]) => find(objects, 'NetworkPolicy', 'mcp-stack-allow-nginx').spec.ingress.find((r: any) => r.from[0].namespaceSelector).from;
    expect(fromOf(synth('production'))).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }]);
    expect(fromOf(synth('ocp', ['networkPolicies.enabled=true']))).toEqual([{ namespaceSelector: { matchLabels: { 'network.openshift.io/policy-group': 'ingress' } } }]);
    const custom = synth('production', ['networkPolicies.ingressNamespaceLabels.team=edge']);
    expect(fromOf(custom)).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx', team: 'edge' } } }]);
  });

  test('without exposure NGINX admits nobody from other namespaces; without NGINX the gateway admits the ingress controller', () => {
    const none = find(synth('production', ['exposure.type=none']), 'NetworkPolicy', 'mcp-stack-allow-nginx').spec.ingress ?? [];
    expect(none.every((r: any) => r.from.every((p: any) => !p.namespaceSelector))).toBe(true);
    const gw = find(synth('production', ['nginx.enabled=false']), 'NetworkPolicy', 'mcp-stack-allow-gateway').spec.ingress;
    expect(gw.filter((r: any) => r.from[0].namespaceSelector)).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 4444, protocol: 'TCP' }] },
    ]);
  });

  test('production: the PGO operator only from its namespace, the API server on private ranges, the exporter from monitoring', () => {
    const objects = synth('production');
    const cluster = find(objects, 'NetworkPolicy', 'mcp-stack-allow-postgres-cluster').spec;
    expect(cluster.ingress.find((r: any) => r.from[0].namespaceSelector).from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'postgres-operator' } } }]);
    const api = cluster.egress.find((r: any) => r.to[0].ipBlock);
    expect(api).toEqual({
      to: [{ ipBlock: { cidr: '10.0.0.0/8' } }, { ipBlock: { cidr: '172.16.0.0/12' } }, { ipBlock: { cidr: '192.168.0.0/16' } }],
      ports: [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }],
    });
    const exporter = find(objects, 'NetworkPolicy', 'mcp-stack-allow-postgres-instances').spec;
    expect(exporter.podSelector.matchLabels).toEqual({ 'postgres-operator.crunchydata.com/cluster': 'mcp-stack-pg', 'postgres-operator.crunchydata.com/data': 'postgres' });
    expect(exporter.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 9187, protocol: 'TCP' }] }]);
    expect(synth('production', ['database.pgo.monitoring=false']).some((o) => o.metadata.name === 'mcp-stack-allow-postgres-instances')).toBe(false);
  });

  test('gateway egress to MCP servers, OIDC and OTel only when declared, on the declared port', () => {
    const egressOf = (sets: string[]) => find(synth('production', sets), 'NetworkPolicy', 'mcp-stack-allow-gateway').spec.egress.filter((r: any) => r.to[0].ipBlock);
    expect(egressOf([])).toEqual([]);
    const declared = egressOf([
      'networkPolicies.gatewayEgress.mcpServers.cidrs={203.0.113.0/24,198.51.100.7/32}',
      'networkPolicies.gatewayEgress.oidc.cidrs={192.0.2.10/32}',
      'networkPolicies.gatewayEgress.otel.cidrs={10.42.0.0/16}',
      'networkPolicies.gatewayEgress.otel.port=4318',
    ]);
    expect(declared).toEqual([
      { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }, { ipBlock: { cidr: '198.51.100.7/32' } }], ports: [{ port: 443, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '192.0.2.10/32' } }], ports: [{ port: 443, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '10.42.0.0/16' } }], ports: [{ port: 4318, protocol: 'TCP' }] },
    ]);
  });

  test('bad values: an empty namespace selector, an empty API server list and a malformed CIDR are refused together', () => {
    let message = '';
    try {
      synth('production', ['networkPolicies.apiServer.cidrs={}', 'networkPolicies.gatewayEgress.oidc.cidrs={10.0.0.1}']);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('networkPolicies.apiServer.cidrs: must list the API server addresses');
    expect(message).toContain('networkPolicies.gatewayEgress.oidc.cidrs.0: must be a CIDR such as 10.0.0.0/16 (received "10.0.0.1")');
  });
});

describe.each(HELM_NAMES)('NetworkPolicies through the %s chart', (h) => {
  const chart = join(ROOT, 'dist', 'helm', 'mcp-stack');
  const policies = (objects: any[]) => byKey(objects.filter((o) => o.kind === 'NetworkPolicy'));
  beforeAll(requireHelm);

  test.each([
    ['production', ['networkPolicies.gatewayEgress.mcpServers.cidrs={203.0.113.0/24,198.51.100.7/32}', 'networkPolicies.gatewayEgress.otel.port=4318', 'networkPolicies.gatewayEgress.otel.cidrs={10.42.0.0/16}']],
    ['production', ['networkPolicies.apiServer.cidrs={10.0.0.1/32}', 'networkPolicies.ingressNamespaceLabels.team=edge', 'database.pgo.monitoring=false']],
    ['ocp', ['networkPolicies.enabled=true', 'networkPolicies.routerNamespaceLabels.team=edge']],
    ['production', ['nginx.enabled=false']],
  ])('%s with %j renders the same policies as the plain synth', (profile, sets) => {
    const rendered = helmTemplate(h, chart, { valuesFiles: [join(chart, `values-${profile}.yaml`)], sets });
    expect(policies(rendered)).toEqual(policies(plain(profile, { sets })));
  });
});

test('tenant namespaces reach the Kubernetes API on the private ranges by default, not on every address', () => {
  const v = tenantValues('production', sampleTenants(), { exposure: { ...tenantsDefaults.exposure, domain: 'apps.example.com' } });
  const policies = [...tenantFiles(v).values()].flatMap((t) => loadAll(t) as any[]).filter((o) => o.kind === 'NetworkPolicy');
  const api = policies.filter((p) => p.metadata.name === 'allow-proxy-kube-api');
  expect(api.length).toBeGreaterThan(0);
  for (const p of api) expect(p.spec.egress[0].to).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((cidr) => ({ ipBlock: { cidr } })));
  const docs = policies.map((object, i) => ({ file: `p${i}.yaml`, object }));
  expect(validateDocuments(docs).findings.filter((f) => f.rule.startsWith('policy/np-'))).toEqual([]);
});
