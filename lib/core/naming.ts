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
export function redisSecretName(release: string): string {
  return stackName(release, 'redis');
}
export function standalonePostgresSecretName(release: string): string {
  return stackName(release, 'postgres');
}
