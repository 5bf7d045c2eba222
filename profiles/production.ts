/**
 * `production`: any conformant Kubernetes >= 1.28. HA everywhere it matters: HPA, PDBs, topology spread,
 * PGO with two instances and scheduled pgBackRest backups, monitoring, NetworkPolicies, images pinned by digest.
 */
import type { ValuesOverride } from './schema';

export const production: ValuesOverride = {
  profile: 'production',
  platform: 'kubernetes',
  images: {
    requireDigests: true,
    pullPolicy: 'IfNotPresent',
  },
  gateway: {
    replicas: 3,
    resources: { requests: { cpu: '2', memory: '2Gi' }, limits: { cpu: '4', memory: '4Gi' } },
    workers: 4,
    hpa: { enabled: true, minReplicas: 3, maxReplicas: 10, cpuUtilization: 70, memoryUtilization: 80 },
    pdb: { enabled: true, minAvailable: 2 },
  },
  nginx: {
    replicas: 3,
    resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '2', memory: '1Gi' } },
    workerConnections: 16384,
    pdb: { enabled: true, minAvailable: 2 },
  },
  database: {
    mode: 'pgo',
    pgo: {
      instances: { replicas: 2 },
      backups: { fullSchedule: '0 1 * * 0', differentialSchedule: '0 1 * * 1-6', retentionFull: 4 },
      monitoring: true,
    },
  },
  fastTimeServer: { replicas: 2, pdb: { enabled: true, minAvailable: 1 } },
  redis: { persistence: { enabled: true } },
  exposure: { type: 'ingress', host: 'mcp.example.com', ingressClassName: 'nginx', tlsSecretName: 'mcp-stack-tls' },
  networkPolicies: { enabled: true },
  topologySpread: { enabled: true },
  cluster: { name: 'production (3 nodes)', nodes: 3, cpu: '16', memory: '64Gi', reservedCpu: '1', reservedMemory: '2Gi' },
};
