/**
 * Tool-call rate limits of tenant servers (`toolCallsPerMinute`): ToolHive's MCPServer `rateLimiting.shared`, with
 * the Redis session storage the CRD demands, the proxy runner's way to that Redis, the password Secret the platform
 * makes, the refusals when something it needs is missing, and the output gate (which evaluates the CRD's CEL rules).
 */
import { loadAll } from 'js-yaml';
import { tenantExternalSecrets, tenantFiles } from '../../lib/constructs/tenants';
import { validateDocuments } from '../../lib/gate';
import { inputError, server, tenant, tenantValues } from './fixtures';

const REDIS = { redis: { address: 'redis.mcp-limits.svc.cluster.local:6379', passwordSecretName: 'limits-redis', passwordKey: 'password', cidrs: ['10.96.40.0/24'], port: 6379 } };
const items = [tenant('acme', [server('fetch', { toolCallsPerMinute: 120 }), server('time')])];

function objects(v = tenantValues('production', items, { rateLimiting: REDIS })): any[] {
  return [...tenantFiles(v).values()].flatMap((text) => loadAll(text) as any[]);
}
const one = (all: any[], kind: string, name: string, ns: string) => all.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns);

describe('toolCallsPerMinute', () => {
  test('a limited server gets a shared token bucket per minute, in Redis under its namespace; others get neither', () => {
    const all = objects();
    const limited = one(all, 'MCPServer', 'fetch', 'mcp-fetch-acme');
    expect(limited.spec.rateLimiting).toEqual({ shared: { maxTokens: 120, refillPeriod: '1m0s' } });
    expect(limited.spec.sessionStorage).toEqual({
      provider: 'redis',
      address: 'redis.mcp-limits.svc.cluster.local:6379',
      keyPrefix: 'mcp-fetch-acme:',
      passwordRef: { name: 'limits-redis', key: 'password' },
    });
    const free = one(all, 'MCPServer', 'time', 'mcp-time-acme');
    expect(free.spec.rateLimiting).toBeUndefined();
    expect(free.spec.sessionStorage).toBeUndefined();
  });

  test('only the limited server\'s proxy runner may reach the Redis, on its port', () => {
    const all = objects();
    const policy = one(all, 'NetworkPolicy', 'allow-rate-limit-redis', 'mcp-fetch-acme');
    expect(policy.spec.podSelector.matchLabels).toEqual(one(all, 'NetworkPolicy', 'allow-proxy-kube-api', 'mcp-fetch-acme').spec.podSelector.matchLabels);
    expect(policy.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.96.40.0/24' } }], ports: [{ port: 6379, protocol: 'TCP' }] }]);
    expect(one(all, 'NetworkPolicy', 'allow-rate-limit-redis', 'mcp-time-acme')).toBeUndefined();
  });

  test('the Redis password Secret is one the platform makes in the limited server\'s namespace; without one, no passwordRef', () => {
    const v = tenantValues('production', items, { rateLimiting: REDIS });
    expect(tenantExternalSecrets(v).filter((r) => r.name === 'limits-redis')).toEqual([{ kind: 'Secret', namespace: 'mcp-fetch-acme', name: 'limits-redis' }]);
    const open = objects(tenantValues('production', items, { rateLimiting: { redis: { ...REDIS.redis, passwordSecretName: '' } } }));
    expect(one(open, 'MCPServer', 'fetch', 'mcp-fetch-acme').spec.sessionStorage.passwordRef).toBeUndefined();
  });

  test('the output gate passes it (the CRD\'s rule: rateLimiting needs Redis session storage) and refuses it without Redis', () => {
    const v = tenantValues('production', items, { rateLimiting: REDIS });
    const docs = [...tenantFiles(v).entries()].filter(([file]) => !file.endsWith('20-argocd.yaml')).flatMap(([file, text]) => (loadAll(text) as any[]).map((object) => ({ file, object })));
    const policy = { profile: 'production', forbidFixedUids: false, requireDigests: true, requireNetworkPolicies: true, requirePdb: false, externalRefs: tenantExternalSecrets(v) } as const;
    const errors = (d: typeof docs) => validateDocuments(d, { policy }).findings.filter((f) => f.severity === 'error').map((f) => `${f.rule}: ${f.message}`);
    expect(errors(docs)).toEqual([]);
    const withoutRedis = docs.map((d) => (d.object.kind === 'MCPServer' && d.object.spec.rateLimiting ? { ...d, object: { ...d.object, spec: { ...d.object.spec, sessionStorage: undefined } } } : d));
    expect(errors(withoutRedis).join('\n')).toContain("rateLimiting requires sessionStorage with provider 'redis'");
  });

  test('refused, every problem at once: no Redis address, no Redis addresses for the NetworkPolicies, an operator without rate limits', () => {
    const msg = inputError(() => tenantValues('production', items, { mcpServerApiVersion: 'v1alpha1' }));
    expect(msg).toContain("tenants.items.0.servers.0.toolCallsPerMinute: needs tenants.rateLimiting.redis.address: ToolHive keeps the rate-limit buckets in Redis");
    expect(msg).toContain("tenants.items.0.servers.0.toolCallsPerMinute: needs tenants.rateLimiting.redis.cidrs: the proxy runner reaches Redis only through the namespace's NetworkPolicies");
    expect(msg).toContain('tenants.items.0.servers.0.toolCallsPerMinute: needs tenants.mcpServerApiVersion v1beta1: operators that serve only v1alpha1 have no rate limits');
    const bad = inputError(() => tenantValues('production', [tenant('acme', [server('fetch', { toolCallsPerMinute: 60 })]), tenant('zeta', [server('fetch', { toolCallsPerMinute: 0 })])], { rateLimiting: { redis: { ...REDIS.redis, address: 'redis' } } }));
    expect(bad).toContain('tenants.items.1.servers.0.toolCallsPerMinute: Too small: expected number to be >=1 (received 0)');
    expect(bad).toContain('tenants.items.0.servers.0.toolCallsPerMinute: needs tenants.rateLimiting.redis.address as host:port, e.g. redis.mcp-limits.svc.cluster.local:6379 (it is "redis")');
  });
});
