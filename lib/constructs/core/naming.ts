/**
 * Every derived name lives here, so a Service, the env var that points at it and the policy that admits it can
 * never drift apart.
 */

/** Name of a stack object: `<release>-<component>`, e.g. `mcp-stack-gateway`. */
export function stackName(release: string, component: string): string {
  return `${release}-${component}`;
}

/** In-cluster DNS name of a Service. */
export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

/** Name of the PostgresCluster the PGO profiles create. */
export function pgoClusterName(release: string): string {
  return `${release}-pg`;
}

/** The Secret PGO writes for a user: `<cluster>-pguser-<user>`. */
export function pgoUserSecretName(cluster: string, user: string): string {
  return `${cluster}-pguser-${user}`;
}

/** The Service PGO creates in front of PgBouncer. */
export function pgoPgbouncerServiceName(cluster: string): string {
  return `${cluster}-pgbouncer`;
}

/** Secrets the stack reads but never writes (the `secrets` command or the user creates them). */
export function gatewaySecretName(release: string): string {
  return stackName(release, 'gateway');
}
/** The Secret with the token Prometheus sends to the gateway's metrics endpoint, unless `gateway.metrics.tokenSecretName` names another. */
export function gatewayMetricsSecretName(release: string): string {
  return stackName(release, 'gateway-metrics');
}
export function redisSecretName(release: string): string {
  return stackName(release, 'redis');
}
export function standalonePostgresSecretName(release: string): string {
  return stackName(release, 'postgres');
}

/** The Secret and keys the stack reads for each credential: the user's existing Secret when named, else the stack's. */
export interface SecretChoice {
  readonly secrets: {
    gateway: { existingSecret: string };
    redis: { existingSecret: string; passwordKey: string };
    postgres: { existingSecret: string; userKey: string; passwordKey: string; databaseKey: string };
  };
  readonly release: { name: string };
}
export function gatewaySecretRef(v: SecretChoice): string {
  return v.secrets.gateway.existingSecret || gatewaySecretName(v.release.name);
}
export function redisSecretRef(v: SecretChoice): { name: string; passwordKey: string } {
  return { name: v.secrets.redis.existingSecret || redisSecretName(v.release.name), passwordKey: v.secrets.redis.passwordKey };
}
export function standalonePostgresSecretRef(v: SecretChoice): { name: string; userKey: string; passwordKey: string; databaseKey: string } {
  const p = v.secrets.postgres;
  return { name: p.existingSecret || standalonePostgresSecretName(v.release.name), userKey: p.userKey, passwordKey: p.passwordKey, databaseKey: p.databaseKey };
}
