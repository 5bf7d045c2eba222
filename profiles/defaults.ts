/**
 * Built-in defaults: the first layer of every synth. A complete, valid values object; profiles, values files and
 * `--set` override it key by key. Figures come from the upstream mcp-stack chart (1.0.8) unless a comment says why
 * they differ.
 */
import type { Values } from './schema';
import { databaseExternalDefaults } from './database-schema';
import { pgoHaDefaults } from './pgo-ha-schema';
import { networkPoliciesDefaults } from './network-schema';
import { observabilityDefaults } from './observability-schema';
import { pluginSettingsDefaults } from './plugin-settings-schema';
import { tenantsDefaults } from './tenants-schema';
import { noPodOverrides } from './pod-overrides-schema';
import { secretsDefaults } from './secrets-schema';

const small = (cpu: string, memory: string, cpuLimit: string, memoryLimit: string) => ({
  requests: { cpu, memory },
  limits: { cpu: cpuLimit, memory: memoryLimit },
});

export const defaults: Values = {
  profile: 'kind',
  platform: 'kubernetes',
  release: { name: 'mcp-stack', namespace: 'mcp-stack', createNamespace: true },
  global: { imageRegistry: '' },
  secrets: secretsDefaults,
  images: {
    requireDigests: false,
    pullPolicy: 'IfNotPresent',
    pullSecrets: [],
    gateway: { repository: 'ghcr.io/ibm/mcp-context-forge', tag: 'v1.0.7', user: 10001 },
    nginx: { repository: 'docker.io/nginxinc/nginx-unprivileged', tag: '1.28.2-alpine', user: 101 },
    redis: { repository: 'docker.io/library/redis', tag: '7.4.2', user: 999 },
    postgres: { repository: 'docker.io/library/postgres', tag: '17.6', user: 999 },
    fastTimeServer: { repository: 'ghcr.io/ibm/fast-time-server', tag: '0.8.0', user: 1001 },
    locust: { repository: 'docker.io/locustio/locust', tag: '2.46.6', user: 1000 },
  },
  gateway: {
    replicas: 2,
    resources: small('500m', '768Mi', '2', '2Gi'),
    workers: 2,
    timeoutSeconds: 600,
    maxRequests: 100000,
    maxRequestsJitter: 100,
    dbPool: { size: 15, maxOverflow: 10, timeoutSeconds: 30, recycleSeconds: 3600 },
    cacheTtlSeconds: 300,
    // In-cluster MCP servers live on private addresses; without this the gateway refuses to register them (HTTP 422).
    ssrf: { allowPrivateNetworks: true, allowedNetworks: [] },
    plugins: {
      enabled: true,
      modes: {
        RateLimiterPlugin: 'permissive',
        PIIFilterPlugin: 'permissive',
        SecretsDetectionPlugin: 'permissive',
        EncodedExfilDetectorPlugin: 'permissive',
        RetryWithBackoffPlugin: 'permissive',
      },
      settings: pluginSettingsDefaults,
    },
    platformAdminEmail: 'admin@example.com',
    logLevel: 'INFO',
    extraConfig: {},
    hpa: { enabled: false, minReplicas: 2, maxReplicas: 10, cpuUtilization: 90, memoryUtilization: 90 },
    pdb: { enabled: true, minAvailable: 1 },
    ...noPodOverrides(),
  },
  migration: {
    resources: small('250m', '512Mi', '500m', '1Gi'),
    backoffLimit: 3,
    activeDeadlineSeconds: 600,
    ...noPodOverrides(),
  },
  registration: {
    enabled: true,
    resources: small('100m', '256Mi', '500m', '512Mi'),
    virtualServer: true,
    ...noPodOverrides(),
  },
  nginx: {
    enabled: true,
    replicas: 1,
    resources: small('250m', '128Mi', '1', '512Mi'),
    workerConnections: 8192,
    upstreamKeepalive: 32,
    clientMaxBodySize: '25m',
    tls: false,
    pdb: { enabled: false, minAvailable: 1 },
    ...noPodOverrides(),
  },
  database: {
    mode: 'standalone',
    name: 'mcp',
    user: 'mcp',
    standalone: {
      resources: small('250m', '512Mi', '2', '2Gi'),
      storage: { size: '5Gi', storageClass: '' },
      maxConnections: 200,
      ...noPodOverrides(),
    },
    pgo: {
      existingCluster: '',
      postgresVersion: 17,
      instances: { replicas: 1, resources: small('2', '4Gi', '4', '8Gi'), storage: { size: '2Gi', storageClass: '' }, antiAffinity: pgoHaDefaults.antiAffinity, pdb: pgoHaDefaults.pdb },
      // The OCP seed's benchmarked tuning.
      parameters: {
        shared_buffers: '512MB',
        work_mem: '16MB',
        effective_cache_size: '1536MB',
        maintenance_work_mem: '128MB',
        max_connections: 800,
        synchronous_commit: 'off',
        commit_delay: 100,
        checkpoint_completion_target: 0.9,
        wal_buffers: '16MB',
        random_page_cost: 1.1,
        effective_io_concurrency: 200,
        idle_in_transaction_session_timeout: 300000,
        statement_timeout: 120000,
      },
      pgbouncer: {
        enabled: true,
        replicas: 1,
        resources: small('250m', '128Mi', '1', '256Mi'),
        antiAffinity: pgoHaDefaults.antiAffinity,
        pdb: pgoHaDefaults.pdb,
        // Explicit: PGO sets none, so PgBouncer would silently fall back to session mode.
        poolMode: 'transaction',
        defaultPoolSize: 600,
        minPoolSize: 100,
        reservePoolSize: 150,
        reservePoolTimeoutSeconds: 2,
        maxClientConn: 5000,
        maxDbConnections: 700,
      },
      backups: {
        storage: { size: '2Gi', storageClass: '' },
        fullSchedule: '',
        differentialSchedule: '',
        retentionFull: 2,
        s3: pgoHaDefaults.s3,
      },
      restore: pgoHaDefaults.restore,
      dataSource: pgoHaDefaults.dataSource,
      monitoring: false,
    },
    external: databaseExternalDefaults,
  },
  redis: {
    replicas: 1,
    resources: small('250m', '256Mi', '1', '1Gi'),
    persistence: { enabled: false, storage: { size: '1Gi', storageClass: '' } },
    maxClients: 15000,
    ...noPodOverrides(),
  },
  fastTimeServer: {
    enabled: true,
    replicas: 2,
    resources: small('25m', '16Mi', '100m', '64Mi'),
    pdb: { enabled: false, minAvailable: 1 },
    ...noPodOverrides(),
  },
  exposure: { type: 'ingress', host: 'mcp.localtest.me', ingressClassName: 'nginx', tlsSecretName: '' },
  networkPolicies: networkPoliciesDefaults,
  observability: observabilityDefaults,
  topologySpread: { enabled: false },
  // Locust pods at 500m each: the seed's capacity statement (about 2 CPU extra for 1 master + 3 workers) uses this
  // sizing, and it keeps the benchmark schedulable next to the stack; raise it for very high user counts.
  benchmark: {
    enabled: false,
    preset: 'baseline',
    users: 125,
    spawnRate: 30,
    runTime: '60s',
    workers: 3,
    expectWorkers: 1,
    mcpServerId: '',
    masterResources: small('500m', '512Mi', '2', '1Gi'),
    workerResources: small('500m', '512Mi', '2', '1Gi'),
    master: noPodOverrides(),
    worker: noPodOverrides(),
  },
  gitops: {
    enabled: true,
    repoURL: 'https://github.com/example/mcp-stack-deploy.git',
    targetRevision: 'main',
    pathPrefix: 'dist',
    argocdNamespace: 'argocd',
    project: 'default',
  },
  tenants: tenantsDefaults,
  cluster: { name: 'kind (1 node)', nodes: 1, cpu: '4', memory: '8Gi', reservedCpu: '0', reservedMemory: '0' },
};
