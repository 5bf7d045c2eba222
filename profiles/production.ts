/**
 * `production`: any conformant Kubernetes >= 1.28. HA everywhere it matters: HPA, PDBs, topology spread,
 * PGO with two instances and two PgBouncers on separate nodes and scheduled pgBackRest backups, monitoring,
 * NetworkPolicies, images pinned by digest.
 */
import type { ValuesOverride } from './schema';

export const production: ValuesOverride = {
  profile: 'production',
  platform: 'kubernetes',
  // Digests as published for these tags (multi-arch indexes); verify them against your registry or mirror with
  // `crane digest <image>:<tag>` before the first rollout. Images no profile component uses need no digest.
  // The gateway moved to the tag that has a matching PyPI release (the one the stack's tests run); the digest pinned
  // for the previous tag would still pull the previous release, so it is gone, and digests are not required until
  // the new one is pinned here (`--set images.gateway.digest=sha256:...` pins it for one rollout).
  images: {
    requireDigests: false,
    pullPolicy: 'IfNotPresent',
    nginx: { digest: 'sha256:7377697a821c131a924a7105fafbe7414db4e9fcc77a6f08f776f33f141ec3f8' },
    redis: { digest: 'sha256:fbdbaea47b9ae4ecc2082ecdb4e1cea81e32176ffb1dcf643d422ad07427e5d9' },
    postgres: { digest: 'sha256:00bc86618629af00d2937fdc5a5d63db3ff8450acf52f0636ec813c7f4902929' },
    locust: { digest: 'sha256:d43616228012a7d79b883e2ecd42f87640469377f2b666c4ab27e5248dfdf35f' },
  },
  gateway: {
    replicas: 3,
    resources: { requests: { cpu: '2', memory: '2Gi' }, limits: { cpu: '4', memory: '4Gi' } },
    workers: 4,
    // Not every private address: only the Service range, where the tenant MCP proxies are (kubeadm's default range;
    // set the cluster's own, e.g. from the kube-apiserver's --service-cluster-ip-range).
    ssrf: { allowPrivateNetworks: false, allowedNetworks: ['10.96.0.0/12'] },
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
      // Two instances and two PgBouncers, never two of a kind on one node, at most one of each down at a time.
      instances: { replicas: 2, storage: { size: '50Gi' }, antiAffinity: 'required', pdb: { enabled: true, minAvailable: 1 } },
      // The two PgBouncers share the server connections one had (2 × 350 within max_connections 800).
      pgbouncer: { replicas: 2, antiAffinity: 'required', pdb: { enabled: true, minAvailable: 1 }, maxDbConnections: 350 },
      // Room for 4 weekly full backups, the daily differentials and the WAL between them; both can grow later
      // (PGO expands the claims when the storage class allows expansion), never shrink.
      backups: { storage: { size: '100Gi' }, fullSchedule: '0 1 * * 0', differentialSchedule: '0 1 * * 1-6', retentionFull: 4 },
      monitoring: true,
    },
  },
  // The time server is a benchmark backend, not a production service; enabling it needs its image digest
  // (`images.fastTimeServer.digest`), which is not pinned here.
  fastTimeServer: { enabled: false, replicas: 2, pdb: { enabled: true, minAvailable: 1 } },
  redis: { persistence: { enabled: true } },
  exposure: { type: 'ingress', host: 'mcp.example.com', ingressClassName: 'nginx', tlsSecretName: 'mcp-stack-tls' },
  networkPolicies: { enabled: true },
  topologySpread: { enabled: true },
  // Narrow the registries tenants may pull from; set network.apiServer.cidrs to the cluster's API endpoints.
  tenants: { exposure: { domain: 'mcp.example.com' }, registryAllowList: ['ghcr.io'], admission: 'validating-admission-policy' },
  cluster: { name: 'production (3 nodes)', nodes: 3, cpu: '16', memory: '64Gi', reservedCpu: '1', reservedMemory: '2Gi' },
};
