/**
 * What a tenant may do in its own namespaces: run and change workloads, never the guardrails. The built-in `edit`
 * ClusterRole would let the tenant delete its NetworkPolicies (and so its isolation); this Role lists the resources
 * explicitly, with read-only access to NetworkPolicies, quotas, limits and the MCPServer the platform delivers, and
 * nothing at all of RBAC.
 */
import { k8s, type StackContext } from '../core/context';
import { tenantMeta } from './meta';
import type { ResolvedServer, ResolvedTenant, TenantSettings } from './model';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const READ = ['get', 'list', 'watch'];
const WRITE = [...READ, 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** Role and RoleBinding name. A new name: the old binding's roleRef (ClusterRole `edit`) cannot be changed in place. */
export const TENANT_ROLE = 'tenant-workloads';

/** [apiGroup, resources, verbs] the tenant gets. */
export const TENANT_RULES: readonly (readonly [string, readonly string[], readonly string[]])[] = [
  ['', ['configmaps', 'secrets', 'services', 'persistentvolumeclaims', 'pods'], WRITE],
  ['', ['pods/log', 'events', 'endpoints', 'serviceaccounts', 'resourcequotas', 'limitranges'], READ],
  ['', ['pods/portforward'], ['get', 'create']],
  ['apps', ['deployments', 'statefulsets', 'replicasets', 'deployments/scale', 'statefulsets/scale'], WRITE],
  ['batch', ['jobs', 'cronjobs'], WRITE],
  ['autoscaling', ['horizontalpodautoscalers'], WRITE],
  ['policy', ['poddisruptionbudgets'], WRITE],
  ['networking.k8s.io', ['ingresses'], WRITE],
  ['networking.k8s.io', ['networkpolicies'], READ],
  ['route.openshift.io', ['routes'], WRITE],
  ['toolhive.stacklok.dev', ['mcpservers'], READ],
  ['monitoring.coreos.com', ['servicemonitors'], READ],
];

/** Resources a tenant must never write: its isolation, its budget and its permissions. */
export const GUARDRAIL_RESOURCES = ['networkpolicies', 'resourcequotas', 'limitranges', 'roles', 'rolebindings'];

export function tenantRole(ctx: StackContext, rbac: TenantSettings['rbac'], tenant: ResolvedTenant, s: ResolvedServer): any[] {
  const meta = tenantMeta(ctx, { name: TENANT_ROLE, namespace: s.namespace, tenant: tenant.name, server: s.name });
  return [
    k8s.KubeRole.manifest({
      metadata: meta,
      rules: TENANT_RULES.map(([group, resources, verbs]) => ({ apiGroups: [group], resources: [...resources], verbs: [...verbs] })),
    }),
    k8s.KubeRoleBinding.manifest({
      metadata: meta,
      roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: TENANT_ROLE },
      subjects: [{ kind: rbac.subjectKind, apiGroup: RBAC_GROUP, name: tenant.subject }],
    }),
  ];
}
