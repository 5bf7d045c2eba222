/** What every database mode hands its consumers (the gateway, the migration Job, the NetworkPolicies). */
import { k8s, type Peer } from './core/context';

/** How a pod reaches the database. Env names match what ContextForge and its migration expect. */
export interface DatabaseConnection {
  /** Secret holding `user`, `password`, `dbname` (and, for PGO, `host`, `port`, `pgbouncer-host`, `pgbouncer-port`). */
  readonly secretName: string;
  /** Env vars `POSTGRES_{HOST,PORT,DB,USER}`, `PGPASSWORD` and the composed `DATABASE_URL`; `direct` bypasses the pooler. */
  env(direct: boolean): k8s.EnvVar[];
  /** Pods that accept the connection, for NetworkPolicies. */
  peer(direct: boolean): Peer;
  port(direct: boolean): number;
}

export const fromSecret = (name: string, secret: string, key: string): k8s.EnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
});

/**
 * `DATABASE_URL` composed by the kubelet from the other env vars, without the password: the kubelet cannot
 * percent-encode, so a password with `@`, `/`, `#`, `%`, `:`, `?` or a space would break the URL. The gateway's driver
 * (psycopg 3 on libpq, `postgresql+psycopg`, the one the image ships) takes the password from `PGPASSWORD` when the
 * URL has none, so it may hold any character. User and database names are safe in a URL as they are.
 */
export function composedDatabaseUrl(query = ''): k8s.EnvVar {
  return {
    name: 'DATABASE_URL',
    value: `postgresql+psycopg://$(POSTGRES_USER)@$(POSTGRES_HOST):$(POSTGRES_PORT)/$(POSTGRES_DB)${query}`,
  };
}

export const databaseUrl: k8s.EnvVar = composedDatabaseUrl();

