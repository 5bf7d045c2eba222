/**
 * The gate's policy per built-in profile, in one place. Target clusters mirror the profiles' own `cluster`
 * values: kind is one 4 CPU / 8 GiB node, ocp the seed's "OCP Large" (3 workers × 16 CPU / 32 GiB), production
 * 3 × 16 CPU / 64 GiB with room kept for system daemons.
 */
import type { GatePolicy } from './types';

export const PROFILES = ['kind', 'ocp', 'production'] as const;

export function isKnownProfile(name: string): name is (typeof PROFILES)[number] {
  return (PROFILES as readonly string[]).includes(name);
}

export function defaultPolicy(profile: string): GatePolicy {
  switch (profile) {
    case 'kind':
      return {
        profile,
        forbidFixedUids: false,
        requireDigests: false,
        requireNetworkPolicies: false,
        requirePdb: false,
        monitoring: false,
        cluster: { name: 'kind (1 node)', nodes: 1, cpu: '4', memory: '8Gi' },
      };
    case 'ocp':
      return {
        profile,
        forbidFixedUids: true,
        requireDigests: false,
        requireNetworkPolicies: false,
        requirePdb: false,
        monitoring: false,
        cluster: { name: 'OCP Large (3 workers)', nodes: 3, cpu: '16', memory: '32Gi' },
      };
    case 'production':
      return {
        profile,
        forbidFixedUids: false,
        requireDigests: true,
        requireNetworkPolicies: true,
        requirePdb: true,
        monitoring: false,
        cluster: { name: 'production (3 nodes)', nodes: 3, cpu: '16', memory: '64Gi', reservedCpu: '1', reservedMemory: '2Gi' },
      };
    default:
      throw new Error(`unknown profile '${profile}': expected one of ${PROFILES.join(', ')}`);
  }
}
