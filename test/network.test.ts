import { find, synth } from './support';

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
