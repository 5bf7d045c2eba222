/** Labels and metadata of tenant objects: the stack's recommended labels (component `tenant`) plus tenant and server. */
import type { ApiObjectMetadata } from 'cdk8s';
import type { StackContext } from '../core/context';
import { SERVER_LABEL, TENANT_LABEL } from '../../../profiles/tenants-naming';

export const TENANT_COMPONENT = 'tenant';
export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/** ArgoCD sync waves inside a server's Application: credentials, then the MCPServer, then its exposure. */
export const WAVES = { credentials: 0, server: 1, exposure: 2 } as const;
/** Sync waves of the objects the platform applies: guardrails (default wave), then the project, then Applications. */
export const PLATFORM_WAVES = { project: 1, applications: 2 } as const;

export interface MetaOptions {
  readonly name: string;
  /** Omitted for cluster-scoped objects only; everything else names its namespace explicitly. */
  readonly namespace?: string;
  readonly tenant: string;
  readonly server?: string;
  /** `app.kubernetes.io/version`; default the stack version. */
  readonly version?: string;
  readonly wave?: number;
  readonly annotations?: Record<string, string>;
  readonly labels?: Record<string, string>;
}

export function tenantLabels(ctx: StackContext, tenant: string, server?: string, version?: string): Record<string, string> {
  return { ...ctx.labels(TENANT_COMPONENT, version), [TENANT_LABEL]: tenant, ...(server ? { [SERVER_LABEL]: server } : {}) };
}

export function tenantMeta(ctx: StackContext, o: MetaOptions): ApiObjectMetadata {
  const annotations = { ...(o.annotations ?? {}), ...(o.wave !== undefined ? { [SYNC_WAVE]: String(o.wave) } : {}) };
  return {
    name: o.name,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    labels: { ...tenantLabels(ctx, o.tenant, o.server, o.version), ...(o.labels ?? {}) },
    ...(Object.keys(annotations).length ? { annotations } : {}),
  };
}
