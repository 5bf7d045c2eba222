/**
 * Where the gateway may connect outside its namespace besides the database, Redis and tenant servers: the MCP
 * servers registered by URL, the OIDC provider and the OpenTelemetry collector, each only when its address ranges
 * are declared (`networkPolicies.gatewayEgress`).
 */
import type { Values } from '../../profiles/schema';
import type { StackContext } from './core/context';

/** Address ranges and port of each kind of destination, as under `networkPolicies.gatewayEgress` in the values. */
export type GatewayEgress = Values['networkPolicies']['gatewayEgress'];

const REASONS = {
  mcpServers: 'the gateway calls MCP servers and peer gateways registered by URL outside the cluster',
  oidc: 'the gateway fetches keys and tokens from the OIDC provider',
  otel: 'the gateway exports traces to the OpenTelemetry collector',
} as const;

/** Declares the gateway's flows to each destination whose address ranges are given; none when the list is empty. */
export function allowGatewayEgress(ctx: StackContext, egress: GatewayEgress): void {
  for (const key of Object.keys(REASONS) as (keyof typeof REASONS)[]) {
    const target = egress[key];
    if (target.cidrs.length === 0) continue;
    ctx.allow({ from: { component: 'gateway' }, to: { cidrs: target.cidrs }, ports: [{ port: target.port }], reason: REASONS[key] });
  }
}
