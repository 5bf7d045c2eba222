import type { Values } from '../../../profiles/schema';
import type { Flow } from '../core/context';
import { resolveTenants } from './model';
import { NAMESPACE_NAME_LABEL, TENANT_NAMESPACE_LABEL } from '../../../profiles/tenants-naming';

/** Traffic the gateway needs: to each tenant namespace's MCP proxy port. One reason for all keeps the policy small. */
export function tenantGatewayFlows(values: Values): Flow[] {
  return resolveTenants(values).flatMap((t) =>
    t.servers.map((s) => ({
      from: { component: 'gateway' },
      to: { namespaceLabels: { [NAMESPACE_NAME_LABEL]: s.namespace } },
      ports: [{ port: s.proxyPort }],
      reason: 'the gateway calls the tenant MCP servers',
    })),
  );
}

/**
 * The same traffic with one peer per proxy port: every namespace carrying the tenant-namespace label (only cluster
 * administrators can label namespaces; tenants have `edit` inside theirs). The gateway's policy then stays the same
 * size however many tenants there are; with one peer per namespace it grows by about 140 bytes per server, and past
 * roughly 1,800 servers its client-side `last-applied` annotation exceeds the 256 KiB annotation limit.
 */
export function tenantGatewayFlowsByLabel(values: Values): Flow[] {
  const ports = [...new Set(resolveTenants(values).flatMap((t) => t.servers.map((s) => s.proxyPort)))].sort((a, b) => a - b);
  return ports.map((port) => ({
    from: { component: 'gateway' },
    to: { namespaceLabels: { [TENANT_NAMESPACE_LABEL]: 'true' } },
    ports: [{ port }],
    reason: 'the gateway calls the tenant MCP servers',
  }));
}
