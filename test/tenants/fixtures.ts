/** Tenant test helpers: values with a tenants list layered the way `--tenants FILE` is. */
import { buildValues, InputError, profiles } from '../../profiles/loader';
import type { ProfileName, Values } from '../../profiles/schema';
import { tenantsDefaults, type TenantsValues } from '../../profiles/tenants-schema';

/** A digest for test images (production pins every image). */
export const DIGEST = `sha256:${'a'.repeat(64)}`;

export function server(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image: { repository: 'ghcr.io/acme/mcp-server', tag: '1.2.3', digest: DIGEST }, transport: 'streamable-http', ...extra };
}

export function tenant(name: string, servers: unknown[] = [server('github')], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, servers, ...extra };
}

/** Exposure with an apps domain, as a cluster profile would set it. */
export const EXPOSURE = { ...tenantsDefaults.exposure, domain: 'apps.example.com' };
/** Exposure without a domain (the built-in default). */
export const NO_DOMAIN = { exposure: tenantsDefaults.exposure };

/** Values of a profile with these tenants (and changes to the rest of the tenants block). */
export function tenantValues(profile: ProfileName, items: unknown[], block: Partial<Record<keyof TenantsValues, unknown>> = {}, platform: Record<string, unknown> = {}): Values {
  const layers = [
    { source: `profile ${profile}`, data: profiles[profile] as any },
    { source: 'test values', data: platform as any },
    { source: '--tenants test', data: { tenants: { ...tenantsDefaults, exposure: EXPOSURE, ...block, items } } as any },
  ];
  return buildValues(layers);
}

/** The message of the InputError a call throws. */
export function inputError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error('expected an InputError');
}

/** Three tenants like examples/tenants.yaml: internal stdio, an exposed one, one using the Kubernetes API. */
export function sampleTenants(): unknown[] {
  return [
    tenant('acme', [server('fetch', { transport: 'stdio', image: { repository: 'docker.io/mcp/fetch', tag: '2025.1.1', digest: DIGEST } })]),
    tenant('globex', [
      server('github', { exposure: 'ingress', secrets: [{ name: 'github-token', key: 'token', targetEnvName: 'GITHUB_PERSONAL_ACCESS_TOKEN' }], monitoring: true }),
      server('time', { transport: 'sse', mcpPort: 9000 }),
    ]),
    tenant('initech', [server('kube', { kubernetesApi: 'view', image: { repository: 'quay.io/containers/kubernetes_mcp_server', tag: '0.0.50', digest: DIGEST } })], { user: 'bob@initech.example' }),
  ];
}
