import { loadAll } from 'js-yaml';
import { resolveTenants, tenantFiles, tenantGatewayFlows, tenantGatewayFlowsByLabel } from '../../lib/constructs/tenants';
import { tenantsDefaults } from '../../profiles/tenants-schema';
import { sampleTenants, server, tenant, tenantValues } from './fixtures';

const NAME = 'kubernetes.io/metadata.name';

describe('isolation between tenants', () => {
  // Tenant names chosen so that one tenant's namespaces share prefixes and suffixes with another's.
  const items = [
    ...sampleTenants(),
    tenant('acme-eu', [server('fetch'), server('github', { exposure: 'ingress', monitoring: true, egress: [{ cidr: '198.51.100.0/24', ports: [443] }] })]),
    tenant('e', [server('fetch-acme')]),
  ];
  const v = tenantValues('production', items, { exposure: { ...tenantsDefaults.exposure, domain: 'apps.example.com' } });
  const tenants = resolveTenants(v);
  const objects = [...tenantFiles(v).values()].flatMap((text) => loadAll(text) as any[]);
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const infra = new Set(['kube-system', 'ingress-nginx', 'monitoring', v.release.namespace]);

  test('every tenant namespace denies all traffic by default', () => {
    for (const ns of tenants.flatMap((t) => t.namespaces)) {
      const deny = policies.find((p) => p.metadata.namespace === ns && p.metadata.name === 'default-deny');
      expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    }
  });

  test("no tenant's policy admits or reaches another tenant's namespace", () => {
    for (const t of tenants) {
      const own = new Set(t.namespaces);
      const others = new Set(tenants.filter((x) => x.name !== t.name).flatMap((x) => x.namespaces));
      for (const p of policies.filter((x) => own.has(x.metadata.namespace))) {
        const peers = [...(p.spec.ingress ?? []).flatMap((r: any) => r.from ?? []), ...(p.spec.egress ?? []).flatMap((r: any) => r.to ?? [])];
        for (const peer of peers) {
          if (peer.ipBlock) continue;
          const labels = peer.namespaceSelector?.matchLabels;
          // Never "any namespace" (an empty or missing namespace selector admits the policy's own or every namespace).
          expect(labels && Object.keys(labels).length).toBeTruthy();
          expect(peer.namespaceSelector.matchExpressions).toBeUndefined();
          const named = labels[NAME];
          if (named !== undefined) {
            expect(others.has(named)).toBe(false);
            expect(own.has(named) || infra.has(named)).toBe(true);
          } else {
            // Only the configured infrastructure selectors (router, ingress controller, monitoring).
            expect([tenantsDefaults.exposure.routerNamespaceLabels, tenantsDefaults.exposure.ingressNamespaceLabels, tenantsDefaults.monitoring.namespaceLabels]).toContainEqual(labels);
          }
        }
      }
    }
  });

  test('from outside the tenant only the gateway pods, and the router or ingress controller for exposed servers, reach the proxy port', () => {
    const ingress = policies.filter((p) => p.spec.ingress).flatMap((p) => p.spec.ingress.map((r: any) => ({ p, r })));
    for (const { p, r } of ingress) {
      if (p.metadata.name === 'allow-tenant') continue;
      expect(r.ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    }
    const gw = policies.find((p) => p.metadata.namespace === 'mcp-fetch-acme' && p.metadata.name === 'allow-gateway');
    expect(gw.spec.ingress[0].from).toEqual([
      {
        namespaceSelector: { matchLabels: { [NAME]: 'mcp-stack' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'gateway', 'app.kubernetes.io/instance': 'mcp-stack', 'app.kubernetes.io/component': 'gateway' } },
      },
    ]);
    const exposed = policies.filter((p) => p.metadata.name === 'allow-ingress').map((p) => p.metadata.namespace).sort();
    expect(exposed).toEqual(['mcp-github-acme-eu', 'mcp-github-globex']);
  });

  test('the Kubernetes API: always for the proxy runner, for the MCP pods only of servers that need it', () => {
    const api = policies.filter((p) => p.metadata.name === 'allow-kube-api').map((p) => p.metadata.namespace);
    expect(api).toEqual(['mcp-kube-initech']);
    for (const p of policies.filter((x) => x.metadata.name === 'allow-proxy-kube-api')) {
      expect(p.spec.podSelector.matchLabels['app.kubernetes.io/name']).toBe('mcpserver');
      expect(p.spec.egress[0].ports.map((x: any) => x.port)).toEqual([443, 6443]);
    }
    const outside = policies.filter((p) => p.metadata.name === 'allow-egress');
    expect(outside.map((p) => p.metadata.namespace)).toEqual(['mcp-github-acme-eu']);
    expect(outside[0].spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ port: 443, protocol: 'TCP' }] }]);
  });

  test('traffic between the namespaces of one tenant is allowed', () => {
    const p = policies.find((x) => x.metadata.namespace === 'mcp-time-globex' && x.metadata.name === 'allow-tenant');
    const names = p.spec.ingress[0].from.map((x: any) => x.namespaceSelector.matchLabels[NAME]);
    expect(names).toEqual(['mcp-github-globex', 'mcp-time-globex']);
    expect(p.spec.egress[0].to).toEqual(p.spec.ingress[0].from);
  });

  test('the gateway reaches each tenant namespace on its proxy port, and nothing else', () => {
    const flows = tenantGatewayFlows(v);
    expect(flows).toHaveLength(tenants.flatMap((t) => t.servers).length);
    expect(flows.find((f) => f.to.namespaceLabels?.[NAME] === 'mcp-time-globex')).toEqual({
      from: { component: 'gateway' },
      to: { namespaceLabels: { [NAME]: 'mcp-time-globex' } },
      ports: [{ port: 8080 }],
      reason: 'the gateway calls the tenant MCP servers',
    });
    const all = new Set(tenants.flatMap((t) => t.namespaces));
    for (const f of flows) expect(all.has(f.to.namespaceLabels![NAME])).toBe(true);
    expect(new Set(flows.map((f) => f.reason)).size).toBe(1);
  });

  test('or, for many tenants, one peer per proxy port on a label only cluster administrators can set', () => {
    const custom = tenantValues('kind', [tenant('a', [server('x'), server('y', { proxyPort: 9090 })]), tenant('b', [server('x')])]);
    expect(tenantGatewayFlowsByLabel(custom)).toEqual([8080, 9090].map((port) => ({
      from: { component: 'gateway' },
      to: { namespaceLabels: { 'mcp-stack.io/tenant-namespace': 'true' } },
      ports: [{ port }],
      reason: 'the gateway calls the tenant MCP servers',
    })));
    for (const ns of objects.filter((o) => o.kind === 'Namespace')) expect(ns.metadata.labels['mcp-stack.io/tenant-namespace']).toBe('true');
    // The tenant's user gets a namespaced Role, which cannot change Namespace objects (cluster-scoped), so it cannot add the label elsewhere.
    const bindings = objects.filter((o) => o.kind === 'RoleBinding' && o.metadata.name === 'tenant-workloads');
    expect(bindings.length).toBeGreaterThan(0);
    expect(bindings.every((o) => o.roleRef.kind === 'Role' && o.roleRef.name === 'tenant-workloads')).toBe(true);
  });
});
