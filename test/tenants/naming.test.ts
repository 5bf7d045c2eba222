import { resolveTenants, tenantFiles } from '../../lib/constructs/tenants';
import {
  exposureHost,
  generatedRouteHostLabel,
  mcpHeadlessServiceName,
  mcpProxyServiceName,
  serverNamespace,
  tenantNamespaceName,
  tenantProjectName,
} from '../../profiles/tenants-naming';
import { mcpServerUrl } from '../../lib/constructs/tenants/model';
import { tenantsDefaults } from '../../profiles/tenants-schema';
import { inputError, NO_DOMAIN, server, tenant, tenantValues } from './fixtures';

const name = (n: number, c = 'a') => c.repeat(n);

describe('one naming function for the namespace contract {suffix}-{tenant}', () => {
  test('names', () => {
    expect(tenantNamespaceName('acme', 'mcp-github')).toBe('mcp-github-acme');
    expect(serverNamespace('mcp', 'acme', 'github')).toBe('mcp-github-acme');
    expect(serverNamespace('', 'acme', 'github')).toBe('github-acme');
    expect(mcpProxyServiceName('github')).toBe('mcp-github-proxy');
    expect(mcpServerUrl('mcp-github-acme', 'github', 8080, '/mcp')).toBe('http://mcp-github-proxy.mcp-github-acme.svc.cluster.local:8080/mcp');
    expect(tenantProjectName('acme')).toBe('tenant-acme');
    expect(exposureHost('mcp-github-acme', 'apps.example.com')).toBe('mcp-github-acme.apps.example.com');
  });

  test('namespaces, Application destinations, project destinations, policy peers and URLs all use it', () => {
    const v = tenantValues('kind', [tenant('acme', [server('github')])]);
    const [t] = resolveTenants(v);
    const ns = serverNamespace('mcp', 'acme', 'github');
    const objects = [...tenantFiles(v).values()].join('\n');
    expect(t.servers[0].namespace).toBe(ns);
    expect(t.servers[0].url).toBe(`http://mcp-github-proxy.${ns}.svc.cluster.local:8080/mcp`);
    expect(objects).toContain(`kind: Namespace\nmetadata:\n  labels:`);
    expect(objects).toContain(`  name: ${ns}\n`);
    expect(objects).toContain(`- namespace: ${ns}\n      server: https://kubernetes.default.svc`);
    expect(objects).toContain(`destination:\n    namespace: ${ns}`);
    expect(objects).toContain(`kubernetes.io/metadata.name: ${ns}`);
  });
});

describe('every derived name at the 63-character limit', () => {
  // Namespace `mcp-{server}-{tenant}`: 5 characters around the two names.
  test('a namespace of exactly 63 characters is accepted, 64 is refused', () => {
    const ok = tenantValues('kind', [tenant(name(48), [server(name(10, 's'))])]);
    expect(resolveTenants(ok)[0].servers[0].namespace).toHaveLength(63);
    const msg = inputError(() => tenantValues('kind', [tenant(name(49), [server(name(10, 's'))])]));
    expect(msg).toContain(`tenants.items.0.servers.0.name: derived namespace "mcp-${name(10, 's')}-${name(49)}" has 64 characters; at most 63 allowed: shorten the tenant or server name`);
  });

  test('without a prefix the tenant and server names have 62 characters between them', () => {
    const block = { namespacePrefix: '' };
    expect(resolveTenants(tenantValues('kind', [tenant(name(40), [server(name(22, 's'))])], block))[0].servers[0].namespace).toHaveLength(63);
    expect(inputError(() => tenantValues('kind', [tenant(name(41), [server(name(22, 's'))])], block))).toContain('has 64 characters');
  });

  // The operator's Services: `mcp-{server}-proxy` (+10) and `mcp-{server}-headless` (+13, the longer one).
  test('server names up to 50 characters keep both operator Services within 63', () => {
    expect(mcpHeadlessServiceName(name(50, 's'))).toHaveLength(63);
    expect(() => tenantValues('kind', [tenant('t', [server(name(50, 's'))])], { namespacePrefix: '' })).not.toThrow();
    const headless = inputError(() => tenantValues('kind', [tenant('t', [server(name(51, 's'))])], { namespacePrefix: '' }));
    expect(headless).toContain(`derived Service name "mcp-${name(51, 's')}-headless" has 64 characters; at most 63 allowed`);
    const proxy = inputError(() => tenantValues('kind', [tenant('t', [server(name(54, 's'))])], { namespacePrefix: '' }));
    expect(proxy).toContain(`derived Service name "${mcpProxyServiceName(name(54, 's'))}" has 64 characters`);
  });

  test('the AppProject name tenant-{tenant}: tenants up to 56 characters', () => {
    expect(() => tenantValues('kind', [tenant(name(56), [server('a')])], { namespacePrefix: '' })).not.toThrow();
    expect(inputError(() => tenantValues('kind', [tenant(name(57), [server('a')])], { namespacePrefix: '' }))).toContain(
      `tenants.items.0.name: derived AppProject name "tenant-${name(57)}" has 64 characters; at most 63 allowed: shorten the tenant name`,
    );
  });

  test('the generated Route host label mcp-{server}-{namespace}: 63 is accepted, 64 refused; a domain lifts the limit', () => {
    // mcp-s{n}-mcp-s{n}-t{m}: 4 + n + 1 + 4 + n + 1 + m
    const fits = tenant(name(33), [server(name(10, 's'), { exposure: 'route' })]);
    const ns = resolveTenants(tenantValues('ocp', [fits], NO_DOMAIN))[0].servers[0].namespace;
    expect(generatedRouteHostLabel(name(10, 's'), ns)).toHaveLength(63);
    const over = tenant(name(34), [server(name(10, 's'), { exposure: 'route' })]);
    expect(inputError(() => tenantValues('ocp', [over], NO_DOMAIN))).toContain('(64 characters; at most 63 allowed): set tenants.exposure.domain or shorten the names');
    const withDomain = tenantValues('ocp', [over], { exposure: { ...tenantsDefaults.exposure, domain: 'apps.ocp.example.com' } });
    expect(resolveTenants(withDomain)[0].servers[0].host).toBe(`mcp-${name(10, 's')}-${name(34)}.apps.ocp.example.com`);
  });
});
