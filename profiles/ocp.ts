/**
 * `ocp`: OpenShift 4.x under the restricted-v2 SCC, reproducing the configuration the OCP PGO seed benchmarked:
 * 3 gateway pods (4/8 CPU, 4/8 Gi, 8 Gunicorn workers), 3 NGINX pods, PGO Postgres with PgBouncer,
 * Redis on an nfs-client PVC, HPA off, Route reencrypt to NGINX 8443.
 */
import type { ValuesOverride } from './schema';

export const ocp: ValuesOverride = {
  profile: 'ocp',
  platform: 'openshift',
  // The OpenShift seed pulls Docker Hub images (Redis, NGINX, Postgres) with this Secret, past the anonymous rate limit.
  images: { pullPolicy: 'IfNotPresent', pullSecrets: ['dockerhub-pull'] },
  gateway: {
    replicas: 3,
    resources: { requests: { cpu: '4', memory: '4Gi' }, limits: { cpu: '8', memory: '8Gi' } },
    workers: 8,
    maxRequests: 1000000,
    maxRequestsJitter: 100000,
    dbPool: { size: 20, maxOverflow: 10, timeoutSeconds: 60, recycleSeconds: 60 },
    cacheTtlSeconds: 300,
    // The seed's benchmarked plugin set: the rate limiter at 10,000 calls a minute.
    plugins: { settings: { rateLimiter: { perUserPerMinute: 10000, perTenantPerMinute: 10000 } } },
    extraConfig: { VALIDATION_MAX_REQUESTS_PER_MINUTE: '10000', HTTPX_MAX_CONNECTIONS: '500', HTTPX_MAX_KEEPALIVE_CONNECTIONS: '300' },
    // Benchmarks scale by hand; an HPA would fight them.
    hpa: { enabled: false },
    pdb: { enabled: true, minAvailable: 2 },
  },
  nginx: {
    replicas: 3,
    resources: { requests: { cpu: '2', memory: '512Mi' }, limits: { cpu: '4', memory: '1Gi' } },
    workerConnections: 32768,
    tls: true,
    pdb: { enabled: true, minAvailable: 2 },
  },
  database: {
    mode: 'pgo',
    pgo: {
      // One instance and one PgBouncer as benchmarked; for failover set instances.replicas and pgbouncer.replicas
      // to 2 with antiAffinity 'required' and pdb.enabled (see the README's high availability section).
      // The seed's 2Gi volumes fill within days of real use: sized for a working gateway database and its backups.
      instances: { replicas: 1, storage: { size: '10Gi', storageClass: 'nfs-client' } },
      backups: { storage: { size: '20Gi', storageClass: 'nfs-client' } },
    },
  },
  redis: {
    resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
    persistence: { enabled: true, storage: { size: '1Gi', storageClass: 'nfs-client' } },
  },
  exposure: { type: 'route', host: '', ingressClassName: '', tlsSecretName: '' },
  // Set `tenants.exposure.domain` to the cluster's apps domain; Red Hat's registry serves the UBI-based MCP images.
  tenants: { exposure: { domain: 'apps.ocp.example.com' }, registryAllowList: ['docker.io', 'ghcr.io', 'quay.io', 'registry.redhat.io'] },
  // OpenShift reserves CPU and memory on every worker for the kubelet and system daemons (system-reserved: 500m and
  // 1Gi by default); without it 3 x 8 CPU would fit the stack, which the seed found does not (OCP Medium).
  cluster: { name: 'OCP Large (3 workers)', nodes: 3, cpu: '16', memory: '32Gi', reservedCpu: '500m', reservedMemory: '1Gi' },
};
