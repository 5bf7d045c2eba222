/**
 * Tenants must not be able to undo their guardrails: in a tenant namespace (labelled by the stack), no person, group
 * or ServiceAccount (an MCP server's pod acts with its ServiceAccount) is bound to a built-in role that writes NetworkPolicies, quotas, limits or RBAC (`edit`, `admin`,
 * `cluster-admin`), nor to a Role of the output that grants such writes.
 */
import { TENANT_NAMESPACE_LABEL } from '../../profiles/tenants-naming';
import { GUARDRAIL_RESOURCES } from '../constructs/tenants/role';
import { nsOf, type Manifest, type Model } from './model';
import type { Sink } from './types';

const WIDE_CLUSTER_ROLES = new Set(['edit', 'admin', 'cluster-admin']);
const SUBJECT_KINDS = new Set(['User', 'Group', 'ServiceAccount']);
const WRITE_VERBS = new Set(['*', 'create', 'update', 'patch', 'delete', 'deletecollection', 'escalate', 'bind']);

function guardrailWrites(role: Manifest): string[] {
  const found = new Set<string>();
  for (const rule of Array.isArray(role.obj.rules) ? role.obj.rules : []) {
    const verbs: string[] = Array.isArray(rule?.verbs) ? rule.verbs : [];
    if (!verbs.some((v) => WRITE_VERBS.has(v))) continue;
    for (const r of Array.isArray(rule?.resources) ? rule.resources : []) {
      if (r === '*') GUARDRAIL_RESOURCES.forEach((g) => found.add(g));
      else if (GUARDRAIL_RESOURCES.includes(r)) found.add(r);
    }
  }
  return [...found].sort();
}

export function checkTenantRbac(model: Model, sink: Sink): void {
  const tenantNamespaces = new Set(model.items.filter((m) => m.kind === 'Namespace' && m.labels[TENANT_NAMESPACE_LABEL] === 'true').map((m) => m.name));
  if (tenantNamespaces.size === 0) return;
  // Roles by namespace and name, the first in output order: one lookup per binding, not a scan of the output.
  const roles = new Map<string, Manifest>();
  for (const m of model.items) {
    const key = JSON.stringify([nsOf(m), m.name]);
    if (m.kind === 'Role' && !roles.has(key)) roles.set(key, m);
  }
  for (const rb of model.items.filter((m) => m.group === 'rbac.authorization.k8s.io' && m.kind === 'RoleBinding' && tenantNamespaces.has(nsOf(m)))) {
    const people = (Array.isArray(rb.obj.subjects) ? rb.obj.subjects : []).filter((s: any) => SUBJECT_KINDS.has(s?.kind));
    if (people.length === 0) continue;
    const ref = rb.obj.roleRef ?? {};
    const who = people.map((s: any) => `${s.kind} '${s.name}'`).join(', ');
    if (ref.kind === 'ClusterRole' && WIDE_CLUSTER_ROLES.has(ref.name)) {
      sink.error('policy/tenant-rbac', rb.doc, ['roleRef', 'name'], `RoleBinding '${rb.name}' in tenant namespace '${nsOf(rb)}' gives ${who} the ClusterRole '${ref.name}', which can delete the namespace's NetworkPolicies${ref.name === 'edit' ? '' : ', quotas and RBAC'}`, 'bind a namespaced Role without writes to NetworkPolicies, ResourceQuotas, LimitRanges or RBAC');
      continue;
    }
    if (ref.kind !== 'Role') continue;
    const role = typeof ref.name === 'string' ? roles.get(JSON.stringify([nsOf(rb), ref.name])) : undefined;
    const writes = role ? guardrailWrites(role) : [];
    if (role && writes.length) {
      sink.error('policy/tenant-rbac', role.doc, ['rules'], `Role '${role.name}' in tenant namespace '${nsOf(role)}', bound to ${who}, can write ${writes.join(', ')}: the tenant could remove its own guardrails`, 'grant only get, list and watch on these resources');
    }
  }
}
