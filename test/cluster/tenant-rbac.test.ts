/**
 * Tenant RBAC on a real API server that authorizes with RBAC: what the tenant's user and its MCP servers'
 * ServiceAccounts may do in their namespaces, asked of the API server itself (`kubectl auth can-i`, a
 * SubjectAccessReview). Neither may write the guardrails (NetworkPolicies, quota, limits, RBAC); both may run
 * workloads. The upgrade from the binding of earlier releases (a server's `edit` access bound the built-in
 * ClusterRole `edit`) applies.
 */
import { loadAll } from 'js-yaml';
import { tenantFiles } from '../../lib/constructs/tenants';
import { server, tenant, tenantValues } from '../tenants/fixtures';
import { describeCluster, suiteControlPlane, type ControlPlane } from './control-plane';
import { serverSideApply } from './support';

const NS = 'mcp-kube-acme';
const SA = `system:serviceaccount:${NS}:kube-sa`;

/** The tenant's files: guardrails first, then each server's workloads (its ServiceAccount, MCPServer). */
function tenantStream(items: unknown[]): string {
  const files = [...tenantFiles(tenantValues('kind', items)).entries()].filter(([file]) => !file.endsWith('20-argocd.yaml'));
  return files.map(([, text]) => text).join('\n---\n');
}

/** The API server's answer to "may `as` do `verb` on `resource` in `namespace`?". */
function canI(cp: ControlPlane, as: string, verb: string, resource: string, namespace = NS): boolean {
  const r = cp.kubectl(['auth', 'can-i', verb, resource, '-n', namespace, `--as=${as}`]);
  if (r.status !== 0 && r.stdout.trim() !== 'no') throw new Error(`kubectl auth can-i failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim() === 'yes';
}

const GUARDRAIL_WRITES: [string, string][] = [
  ['delete', 'networkpolicies.networking.k8s.io'],
  ['patch', 'networkpolicies.networking.k8s.io'],
  ['create', 'networkpolicies.networking.k8s.io'],
  ['delete', 'resourcequotas'],
  ['update', 'resourcequotas'],
  ['delete', 'limitranges'],
  ['create', 'rolebindings.rbac.authorization.k8s.io'],
  ['patch', 'roles.rbac.authorization.k8s.io'],
];

const WORKLOAD_WRITES: [string, string][] = [
  ['create', 'deployments.apps'],
  ['delete', 'pods'],
  ['create', 'configmaps'],
  ['create', 'secrets'],
  ['patch', 'services'],
  ['create', 'jobs.batch'],
];

const READS: [string, string][] = [
  ['list', 'pods'],
  ['get', 'networkpolicies.networking.k8s.io'],
  ['list', 'resourcequotas'],
  ['get', 'mcpservers.toolhive.stacklok.dev'],
];

describeCluster()('tenant RBAC on a real API server (RBAC authorization)', () => {
  const controlPlane = suiteControlPlane({ authorization: 'RBAC' });
  const items = [
    tenant('acme', [server('kube', { kubernetesApi: 'edit' }), server('look', { kubernetesApi: 'view' }), server('fetch')], { user: 'alice@acme.example' }),
  ];

  test('an earlier release bound the server to the built-in edit role, which could delete its NetworkPolicies', () => {
    const cp = controlPlane();
    cp.kubectlOk(['create', 'namespace', NS]);
    cp.kubectlOk(['create', 'rolebinding', 'kube-sa-edit', '-n', NS, '--clusterrole=edit', `--serviceaccount=${NS}:kube-sa`]);
    expect(canI(cp, SA, 'delete', 'networkpolicies.networking.k8s.io')).toBe(true);
    // Its role reference cannot change in place, so the Role comes under a new binding name.
    const replaced = cp.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=probe', '--dry-run=server', '-f', '-'], [
      'apiVersion: rbac.authorization.k8s.io/v1', 'kind: RoleBinding', `metadata: {name: kube-sa-edit, namespace: ${NS}}`,
      'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: tenant-workloads}',
      `subjects: [{kind: ServiceAccount, name: kube-sa, namespace: ${NS}}]`, '',
    ].join('\n'));
    expect(replaced.status).not.toBe(0);
    expect(replaced.stderr).toMatch(/roleRef.*(immutable|cannot change)/i);
  });

  test('the output applies on top of it, and once the old binding is gone the server cannot write its guardrails', () => {
    const cp = controlPlane();
    serverSideApply(cp, tenantStream(items));
    const binding = JSON.parse(cp.kubectlOk(['get', 'rolebinding', 'kube-sa-workloads', '-n', NS, '-o', 'json']));
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant-workloads' });
    // What the upgrade notes say to do with kubectl (ArgoCD prunes it).
    cp.kubectlOk(['delete', 'rolebinding', 'kube-sa-edit', '-n', NS]);
    for (const [verb, resource] of GUARDRAIL_WRITES) expect([verb, resource, canI(cp, SA, verb, resource)]).toEqual([verb, resource, false]);
    for (const [verb, resource] of [...WORKLOAD_WRITES, ...READS]) expect([verb, resource, canI(cp, SA, verb, resource)]).toEqual([verb, resource, true]);
  });

  test('a SubjectAccessReview gives the same answer, with the binding that decided it', () => {
    const cp = controlPlane();
    const review = (verb: string, group: string, resource: string) =>
      JSON.parse(cp.kubectlOk(['create', '-o', 'json', '-f', '-'], JSON.stringify({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: SA,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated'],
          resourceAttributes: { namespace: NS, verb, group, resource },
        },
      }))).status;
    expect(review('delete', 'networking.k8s.io', 'networkpolicies').allowed).toBe(false);
    const allowed = review('create', 'apps', 'deployments');
    expect(allowed.allowed).toBe(true);
    expect(allowed.reason).toMatch(/RoleBinding "kube-sa-workloads\/mcp-kube-acme".*Role "tenant-workloads"/);
  });

  test('access stays in the server\'s own namespace; view reads only; no access means none', () => {
    const cp = controlPlane();
    expect(canI(cp, SA, 'create', 'deployments.apps', 'mcp-fetch-acme')).toBe(false);
    expect(canI(cp, SA, 'list', 'pods', 'mcp-look-acme')).toBe(false);
    const look = 'system:serviceaccount:mcp-look-acme:look-sa';
    expect(canI(cp, look, 'list', 'pods', 'mcp-look-acme')).toBe(true);
    expect(canI(cp, look, 'delete', 'pods', 'mcp-look-acme')).toBe(false);
    expect(canI(cp, look, 'delete', 'networkpolicies.networking.k8s.io', 'mcp-look-acme')).toBe(false);
    const fetch = 'system:serviceaccount:mcp-fetch-acme:fetch-sa';
    expect(canI(cp, fetch, 'list', 'pods', 'mcp-fetch-acme')).toBe(false);
    const objects = loadAll(tenantStream(items)) as any[];
    expect(objects.filter((o) => o?.kind === 'RoleBinding' && o.roleRef.kind === 'ClusterRole').map((o) => `${o.metadata.namespace}/${o.roleRef.name}`)).toEqual(['mcp-look-acme/view']);
  });

  test('the tenant\'s user runs workloads in every namespace of the tenant and cannot write its guardrails', () => {
    const cp = controlPlane();
    for (const ns of ['mcp-kube-acme', 'mcp-look-acme', 'mcp-fetch-acme']) {
      for (const [verb, resource] of GUARDRAIL_WRITES) expect([ns, verb, resource, canI(cp, 'alice@acme.example', verb, resource, ns)]).toEqual([ns, verb, resource, false]);
      for (const [verb, resource] of [...WORKLOAD_WRITES, ...READS]) expect([ns, verb, resource, canI(cp, 'alice@acme.example', verb, resource, ns)]).toEqual([ns, verb, resource, true]);
      expect(canI(cp, 'alice@acme.example', 'create', 'mcpservers.toolhive.stacklok.dev', ns)).toBe(false);
    }
    expect(canI(cp, 'alice@acme.example', 'list', 'pods', 'default')).toBe(false);
  });
});
