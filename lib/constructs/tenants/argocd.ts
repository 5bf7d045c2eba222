/**
 * The tenant's ArgoCD project and Applications. The project allows exactly the tenant's namespaces and the output
 * repository, no cluster-scoped objects and only the kinds a server's workload file holds; the guardrail kinds are
 * blacklisted on top, so a tenant Application can never loosen a quota, a LimitRange, a policy or RBAC.
 */
import type { StackContext } from '../core/context';
import { Application, type ApplicationProps } from '../../../imports/argocd-application-argoproj.io';
import { AppProject } from '../../../imports/argocd-appproject-argoproj.io';
import { PLATFORM_WAVES, TENANT_COMPONENT, tenantMeta } from './meta';
import type { ResolvedServer, ResolvedTenant, TenantGitops } from './model';
import { ARGOCD_FILE, GUARDRAILS_FILE, tenantDir, WORKLOADS_DIR, workloadFile } from '../../../profiles/tenants-naming';

const FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** Kinds a tenant Application may create (what `workloads.ts` emits). */
const ALLOWED_KINDS = [
  { group: '', kind: 'ServiceAccount' },
  { group: 'toolhive.stacklok.dev', kind: 'MCPServer' },
  { group: 'toolhive.stacklok.dev', kind: 'MCPTelemetryConfig' },
  { group: 'route.openshift.io', kind: 'Route' },
  { group: 'networking.k8s.io', kind: 'Ingress' },
  { group: 'monitoring.coreos.com', kind: 'ServiceMonitor' },
];

/** Kinds only the platform manages in tenant namespaces. */
export const GUARDRAIL_KINDS = [
  { group: '', kind: 'ResourceQuota' },
  { group: '', kind: 'LimitRange' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { group: 'rbac.authorization.k8s.io', kind: 'Role' },
  { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
];

export function argocdObjects(ctx: StackContext, g: TenantGitops, tenant: ResolvedTenant): any[] {
  return [appProject(ctx, g, tenant), ...tenant.servers.map((s) => application(ctx, g, tenant, s))];
}

function appProject(ctx: StackContext, g: TenantGitops, tenant: ResolvedTenant): any {
  return AppProject.manifest({
    metadata: tenantMeta(ctx, { name: tenant.project, namespace: g.argocdNamespace, tenant: tenant.name, wave: PLATFORM_WAVES.project }),
    spec: {
      description: `MCP servers of tenant ${tenant.name}`,
      sourceRepos: [g.repoURL],
      destinations: tenant.namespaces.map((namespace) => ({ server: g.destinationServer, namespace })),
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: ALLOWED_KINDS,
      namespaceResourceBlacklist: GUARDRAIL_KINDS,
      roles: [
        {
          name: 'tenant',
          description: `Read and sync the Applications of tenant ${tenant.name}`,
          policies: [
            `p, proj:${tenant.project}:tenant, applications, get, ${tenant.project}/*, allow`,
            `p, proj:${tenant.project}:tenant, applications, sync, ${tenant.project}/*, allow`,
          ],
          groups: [tenant.subject],
        },
      ],
    },
  });
}

function application(ctx: StackContext, g: TenantGitops, tenant: ResolvedTenant, s: ResolvedServer): any {
  const props: ApplicationProps = {
    metadata: {
      ...tenantMeta(ctx, { name: s.application, namespace: g.argocdNamespace, tenant: tenant.name, server: s.name, wave: PLATFORM_WAVES.applications }),
      // Deleting the Application (tenant or server removed) deletes what it synced.
      finalizers: [FINALIZER],
    },
    spec: {
      project: tenant.project,
      source: {
        repoUrl: g.repoURL,
        targetRevision: g.targetRevision,
        path: `${g.pathPrefix}/${g.profile}/${tenantDir(tenant.name)}/${WORKLOADS_DIR}`,
        directory: { include: workloadFile(s.name) },
      },
      destination: { server: g.destinationServer, namespace: s.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        // The namespace is a guardrail, created by the platform first; never by the tenant's Application.
        syncOptions: ['CreateNamespace=false'],
      },
    },
  };
  return Application.manifest(props);
}

/**
 * The platform's Application for every tenant's guardrails, project and Applications (`tenants/*` without the
 * workload folders), in the platform's project (`project`). Removing a tenant removes its folder, so this prunes its
 * namespaces, project and Applications (whose finalizer prunes the workloads).
 */
export function tenantsBootstrapApplication(ctx: StackContext, g: TenantGitops, project: string): any {
  const name = ctx.name('tenants');
  return Application.manifest({
    metadata: { name, namespace: g.argocdNamespace, labels: ctx.labels(TENANT_COMPONENT), finalizers: [FINALIZER] },
    spec: {
      project,
      source: {
        repoUrl: g.repoURL,
        targetRevision: g.targetRevision,
        path: `${g.pathPrefix}/${g.profile}/tenants`,
        directory: { recurse: true, include: `{*/${GUARDRAILS_FILE},*/${ARGOCD_FILE}}` },
      },
      destination: { server: g.destinationServer, namespace: g.argocdNamespace },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  });
}
