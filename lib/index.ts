/**
 * The package's public face: the constructs, each with its own props, and the whole stack. Everything here works in
 * any cdk8s `App` or `Chart`; see examples/ for an app that composes a gateway with its own Postgres.
 */

// Shared settings (release, namespace, platform, registry) and how constructs find them.
export { StackContext, type StackSettings, type Flow, type Peer } from './constructs/core/context';

// The workloads.
export { GatewayHealthTest, type GatewayHealthTestProps } from './constructs/gateway-health-test';
export { Gateway, GATEWAY_PORT, type GatewayProps, type GatewaySettings, type RedisEndpoint } from './constructs/gateway';
export {
  MigrationJob,
  RegistrationJob,
  type MigrationJobProps,
  type MigrationSettings,
  type RegistrationJobProps,
  type RegistrationSettings,
  type RegisteredServer,
} from './constructs/gateway-jobs';
export { Redis, type RedisProps, type RedisSettings, type SecretKey } from './constructs/redis';
export { NginxProxy, type NginxProxyProps, type NginxSettings, type ProxyUpstream } from './constructs/nginx-proxy';
export { Exposure, type ExposureProps, type ExposureSettings, type ExposedService } from './constructs/exposure';
export { FastTimeServer, type FastTimeServerProps, type FastTimeServerSettings } from './constructs/fast-time-server';
export { LocustBenchmark, type LocustBenchmarkProps, type BenchmarkSettings, type BenchmarkTarget, type BenchmarkGateway } from './constructs/locust';

// The database, in each of its modes; every one hands out a `DatabaseConnection`.
export { Postgres, type PostgresProps, type DatabaseSettings } from './constructs/postgres';
export { PgoPostgres, type PgoPostgresProps, type PgoSettings } from './constructs/postgres-pgo';
export { StandalonePostgres, type StandalonePostgresProps, type StandaloneSettings, type PostgresCredentials } from './constructs/postgres-standalone';
export { ExternalPostgres, type ExternalPostgresProps } from './constructs/postgres-external';
export type { DatabaseConnection } from './constructs/database-connection';

// The namespace, the pods' ServiceAccount, Secrets from an external store, NetworkPolicies.
export { StackNamespace, WorkloadServiceAccount, type StackNamespaceProps, type WorkloadServiceAccountProps } from './constructs/namespace';
export { StackExternalSecret, type StackExternalSecretProps } from './constructs/external-secrets';
export { NetworkPolicies, type NetworkPoliciesProps } from './constructs/network-policies';

// One tenant's MCP servers, and the whole stack.
export { McpTenant, type McpTenantProps } from './constructs/tenants/tenant';
export { TenantImagePolicy, type TenantImagePolicyProps } from './constructs/tenants/admission';
export { McpStack, type McpStackProps } from './stack/mcp-stack';

// The values the stack is made from: the schema's types, and loading them as the command line does.
export { loadValues, type LoadOptions } from '../profiles/loader';
export { InputError } from '../profiles/errors';
export type { Values, Image, Resources } from '../profiles/schema';
