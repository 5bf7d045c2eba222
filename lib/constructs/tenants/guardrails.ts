/**
 * What the platform owns in a tenant's namespaces and the tenant's ArgoCD project can never change: the Namespace
 * (restricted Pod Security), its ResourceQuota and LimitRange, the tenant user's Role (workloads, never the
 * guardrails themselves), the API access
 * RoleBinding of servers that need it, and the NetworkPolicies. Applied before, and apart from, the workloads:
 * the Applications use `CreateNamespace=false`, so the namespace must already exist.
 */
import { k8s, type StackContext } from '../core/context';
import { tenantMeta } from './meta';
import type { ResolvedServer, ResolvedTenant, TenantSettings } from './model';
import { apiAccessBindingName, LIMIT_RANGE_NAME, QUOTA_NAME, TENANT_NAMESPACE_LABEL } from '../../../profiles/tenants-naming';
import { networkPolicies } from './network';
import { TENANT_ROLE, tenantRole } from './role';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const q = (s: string) => k8s.Quantity.fromString(s);

export function guardrailObjects(ctx: StackContext, settings: Pick<TenantSettings, 'rbac' | 'network' | 'exposure' | 'monitoring' | 'rateLimiting'>, tenant: ResolvedTenant): any[] {
  return tenant.servers.flatMap((s) => [
    namespace(ctx, tenant, s),
    resourceQuota(ctx, tenant, s),
    limitRange(ctx, tenant, s),
    ...tenantRole(ctx, settings.rbac, tenant, s),
    ...(s.kubernetesApi !== 'none' ? [apiAccessBinding(ctx, s, s.kubernetesApi)] : []),
    ...networkPolicies(ctx, settings, tenant, s),
  ]);
}

function namespace(ctx: StackContext, tenant: ResolvedTenant, s: ResolvedServer): any {
  return k8s.KubeNamespace.manifest({
    metadata: tenantMeta(ctx, {
      name: s.namespace,
      tenant: tenant.name,
      server: s.name,
      labels: {
        [TENANT_NAMESPACE_LABEL]: 'true',
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.28',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
      ...(tenant.displayName ? { annotations: { 'openshift.io/display-name': `${tenant.displayName} (${s.name})` } } : {}),
    }),
  });
}

function resourceQuota(ctx: StackContext, tenant: ResolvedTenant, s: ResolvedServer): any {
  const { requests, limits, pods, persistentVolumeClaims } = tenant.quota;
  return k8s.KubeResourceQuota.manifest({
    metadata: tenantMeta(ctx, { name: QUOTA_NAME, namespace: s.namespace, tenant: tenant.name, server: s.name }),
    spec: {
      hard: {
        'requests.cpu': q(requests.cpu),
        'requests.memory': q(requests.memory),
        'limits.cpu': q(limits.cpu),
        'limits.memory': q(limits.memory),
        'requests.storage': q(requests.storage),
        pods: q(String(pods)),
        persistentvolumeclaims: q(String(persistentVolumeClaims)),
        // Every way in goes through the gateway, a Route or an Ingress.
        'services.loadbalancers': q('0'),
        'services.nodeports': q('0'),
        // No object-count quota on MCPServers: tenants may only read them (their Role), and a count quota in the
        // same apply as the MCPServer it counts makes the API server refuse that MCPServer until the quota
        // controller has computed the quota's status.
      },
    },
  });
}

/** Mandatory next to a `limits.*` quota: ToolHive's proxy pods set no resources and would be rejected without it. */
function limitRange(ctx: StackContext, tenant: ResolvedTenant, s: ResolvedServer): any {
  const lr = tenant.limitRange;
  const pair = (p: { cpu: string; memory: string }) => ({ cpu: q(p.cpu), memory: q(p.memory) });
  return k8s.KubeLimitRange.manifest({
    metadata: tenantMeta(ctx, { name: LIMIT_RANGE_NAME, namespace: s.namespace, tenant: tenant.name, server: s.name }),
    spec: { limits: [{ type: 'Container', default: pair(lr.default), defaultRequest: pair(lr.defaultRequest), max: pair(lr.max) }] },
  });
}

/**
 * Kubernetes API access for servers that need it, limited to their own namespace (never a ClusterRoleBinding).
 * `view` is the built-in read-only ClusterRole. `edit` is the tenant's own Role, not the built-in `edit`: that one
 * would let the server delete its namespace's NetworkPolicies, and so its isolation.
 */
function apiAccessBinding(ctx: StackContext, s: ResolvedServer, access: 'view' | 'edit'): any {
  return k8s.KubeRoleBinding.manifest({
    metadata: tenantMeta(ctx, { name: apiAccessBindingName(s.name, access), namespace: s.namespace, tenant: s.tenant, server: s.name }),
    roleRef: access === 'edit' ? { apiGroup: RBAC_GROUP, kind: 'Role', name: TENANT_ROLE } : { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'ServiceAccount', name: s.serviceAccount, namespace: s.namespace }],
  });
}
