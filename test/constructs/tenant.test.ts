import { StackContext } from '../../lib/constructs/core/context';
import { McpTenant } from '../../lib/constructs/tenants';
import type { Tenant } from '../../profiles/tenants-schema';
import { gateFindings, objectsOf, userChart } from './support';

const fetchServer = { name: 'fetch', image: { repository: 'docker.io/mcp/fetch', tag: '2025.1.1' }, transport: 'stdio' as const };
const acme: Tenant = { name: 'acme', servers: [fetchServer] };
const refs = (objects: any[]) => objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
const one = (objects: any[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

describe('McpTenant on its own', () => {
  test('with only the tenant: the default prefix, budget and GitOps target; Namespaces stay cluster-scoped in a namespaced chart', () => {
    const chart = userChart('apps');
    const tenant = new McpTenant(chart, 'acme', { tenant: acme });
    const objects = objectsOf(chart);
    expect(tenant.namespaces).toEqual(['mcp-fetch-acme']);
    expect(refs(objects)).toEqual(expect.arrayContaining([
      'Namespace//mcp-fetch-acme',
      'ResourceQuota/mcp-fetch-acme/tenant-quota',
      'LimitRange/mcp-fetch-acme/tenant-limits',
      'Role/mcp-fetch-acme/tenant-workloads',
      'NetworkPolicy/mcp-fetch-acme/default-deny',
      'ServiceAccount/mcp-fetch-acme/fetch-sa',
      'MCPServer/mcp-fetch-acme/fetch',
      'AppProject/argocd/tenant-acme',
      'Application/argocd/mcp-fetch-acme',
    ]));
    expect(one(objects, 'ResourceQuota', 'tenant-quota').spec.hard).toMatchObject({ 'limits.cpu': '2', pods: '10' });
    // The chart's namespace is the gateway's, which the servers admit.
    const gateway = one(objects, 'NetworkPolicy', 'allow-gateway').spec.ingress[0].from[0];
    expect(gateway.namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'apps' });
    const app = one(objects, 'Application', 'mcp-fetch-acme');
    expect(app.spec.source).toMatchObject({ repoURL: 'https://github.com/example/mcp-stack-deploy.git', targetRevision: 'main', path: 'dist/kind/tenants/acme/10-workloads' });
    expect(one(objects, 'MCPServer', 'fetch').apiVersion).toBe('toolhive.stacklok.dev/v1beta1');
    // The per-file groups hold the same objects the chart synthesizes.
    expect(tenant.guardrails.length + [...tenant.workloads.values()].flat().length + tenant.argocd.length).toBe(objects.length);
    expect(gateFindings(chart)).toEqual([]);
  });

  test('settings, GitOps target and context override the defaults one by one', () => {
    const chart = userChart();
    new StackContext({ release: 'shop', namespace: 'shop-mcp', platform: 'openshift' }).attach(chart);
    new McpTenant(chart, 'acme', {
      tenant: { ...acme, user: 'alice@acme.example', quota: { pods: 12 } },
      settings: { namespacePrefix: 'tools', mcpServerApiVersion: 'v1alpha1', rbac: { subjectKind: 'Group', subjectPrefix: 'team-' } },
      gitops: { repoURL: 'https://git.example.com/t.git', profile: 'ocp', argocdNamespace: 'openshift-gitops' },
    });
    const objects = objectsOf(chart);
    expect(one(objects, 'Namespace', 'tools-fetch-acme')).toBeDefined();
    expect(one(objects, 'ResourceQuota', 'tenant-quota').spec.hard.pods).toBe('12');
    expect(one(objects, 'RoleBinding', 'tenant-workloads').subjects).toEqual([{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'alice@acme.example' }]);
    expect(one(objects, 'MCPServer', 'fetch').apiVersion).toBe('toolhive.stacklok.dev/v1alpha1');
    const app = one(objects, 'Application', 'tools-fetch-acme');
    expect(app.metadata.namespace).toBe('openshift-gitops');
    expect(app.spec.source).toMatchObject({ repoURL: 'https://git.example.com/t.git', path: 'dist/ocp/tenants/acme/10-workloads' });
    // OpenShift: DNS through openshift-dns, no pinned user, the gateway admitted from the context's namespace.
    expect(JSON.stringify(one(objects, 'NetworkPolicy', 'allow-dns').spec)).toContain('openshift-dns');
    expect(one(objects, 'MCPServer', 'fetch').spec.podTemplateSpec.spec.securityContext.runAsUser).toBeUndefined();
    expect(one(objects, 'NetworkPolicy', 'allow-gateway').spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'shop-mcp' });
  });

  test('the stack-wide rules (registry allow-list, servers per tenant) are left to the stack: any registry, any count', () => {
    const chart = userChart('apps');
    const servers = Array.from({ length: 11 }, (_, i) => ({ ...fetchServer, name: `s${i}`, image: { repository: 'registry.example.com/tools/fetch', tag: '1' } }));
    const tenant = new McpTenant(chart, 'acme', { tenant: { name: 'acme', servers } });
    expect(tenant.namespaces).toHaveLength(11);
    expect(one(objectsOf(chart), 'MCPServer', 's0').spec.image).toBe('registry.example.com/tools/fetch:1');
  });

  test('refuses a tenant its own rules reject, listing every problem with its prop path', () => {
    const bad: Tenant = {
      name: 'acme',
      servers: [
        { ...fetchServer, mcpPort: 9000, env: [{ name: 'API_TOKEN', value: 'x' }] },
        { ...fetchServer, resources: { requests: { cpu: '2', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } } },
      ],
    };
    expect(() => new McpTenant(userChart(), 'acme', { tenant: bad })).toThrow(
      [
        'McpTenant acme: 6 problems:',
        "  tenant.servers.0.mcpPort: must not be set for transport 'stdio': the proxy attaches to the container's stdin, no port is involved",
        "  tenant.servers.0.env.0.value: API_TOKEN looks like a credential: reference a Secret in 'secrets' instead of a plain value",
        '  tenant.servers.1.name: duplicate server name in tenant "acme" (also servers.0.name)',
        '  tenant.servers.1.resources.requests.cpu: must be at most limits.cpu (1)',
        '  tenant.quota.requests.cpu: the ResourceQuota (requests.cpu 1) cannot hold server "fetch": it needs 4100m ' +
          "(its container 2 plus the proxy runner's LimitRange defaultRequest 50m, twice for a rolling update); raise the quota or lower the server's resources",
        '  tenant.quota.limits.cpu: the ResourceQuota (limits.cpu 2) cannot hold server "fetch": it needs 3 ' +
          "(its container 1 plus the proxy runner's LimitRange default 500m, twice for a rolling update); raise the quota or lower the server's resources",
      ].join('\n'),
    );
    expect(() => new McpTenant(userChart(), 'acme', { tenant: acme, settings: { namespacePrefix: 'x'.repeat(60) } })).toThrow(
      /tenant\.servers\.0\.name: derived namespace "x{60}-fetch-acme" has 71 characters; at most 63 allowed/,
    );
  });
});
