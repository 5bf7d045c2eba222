/**
 * The gate's policy for a profile, derived from that profile's values (never a second copy of them): platform
 * rules, the Secrets created outside the output, the target cluster for the capacity check, and the units applied
 * before the platform's hooks run.
 */
import { loadValues, profileNames } from '../../profiles/loader';
import type { Values } from '../../profiles/schema';
import { expectedSecrets } from '../stack/secrets';
import { resolveTenants, tenantExternalSecrets } from '../constructs/tenants';
import type { GatePolicy } from './types';
import { operatorDeclared } from '../constructs/monitoring';

export const PROFILES = profileNames;

export function isKnownProfile(name: string): boolean {
  return (PROFILES as readonly string[]).includes(name);
}

/** The policy of a built-in profile with its default values. */
export function defaultPolicy(profile: string): GatePolicy {
  if (!isKnownProfile(profile)) throw new Error(`unknown profile '${profile}': expected one of ${PROFILES.join(', ')}`);
  return gatePolicy(loadValues({ profile }));
}

/** Gate policy of a profile, from its values. */
export function gatePolicy(values: Values): GatePolicy {
  const c = values.cluster;
  return {
    profile: values.profile,
    forbidFixedUids: values.platform === 'openshift',
    requireDigests: values.images.requireDigests,
    requireNetworkPolicies: values.networkPolicies.enabled,
    requirePdb: values.profile === 'production',
    // Prometheus Operator objects appear only for the gateway's metrics with a monitor (and then the pgmonitor
    // exporter's PodMonitor and the alert rules) and tenant servers that ask for metrics, on clusters that run it.
    monitoring: operatorDeclared(values) || resolveTenants(values).some((t) => t.servers.some((s) => s.monitoring)),
    externalRefs: externalRefs(values),
    cluster: { name: c.name, nodes: c.nodes, cpu: c.cpu, memory: c.memory, reservedCpu: c.reservedCpu, reservedMemory: c.reservedMemory },
    // The database unit is its own ArgoCD Application (and Helm release), synced before the platform's hooks run.
    priorFiles: ['00-namespace.yaml', '10-database.yaml'],
  };
}

/** Objects the stack reads but never writes: every Secret of `expectedSecrets`, image pull Secrets, tenant Secrets. */
export function externalRefs(values: Values): NonNullable<GatePolicy['externalRefs']> {
  const names = [...expectedSecrets(values).map((s) => s.name), ...values.images.pullSecrets];
  const stack = [...new Set(names)].sort().map((name) => ({ kind: 'Secret' as const, namespace: values.release.namespace, name }));
  return [...stack, ...tenantExternalSecrets(values)];
}

