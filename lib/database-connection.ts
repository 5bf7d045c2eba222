/** What every database mode hands its consumers (the gateway, the migration Job, the NetworkPolicies). */
import { k8s, type Peer } from './core/context';

/** How a pod reaches the database. Env names match what ContextForge and its migration expect. */
export interface DatabaseConnection {
  /** Secret holding `user`, `password`, `dbname` (and, for PGO, `host`, `port`, `pgbouncer-host`, `pgbouncer-port`). */
  readonly secretName: string;
  /** Env vars `POSTGRES_{HOST,PORT,DB,USER,PASSWORD}` plus the composed `DATABASE_URL`; `direct` bypasses the pooler. */
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
 * `DATABASE_URL` composed by the kubelet from the other env vars, so no credential is written into the spec. The
 * driver is psycopg 3 (`postgresql+psycopg`), the one the gateway image ships.
 */
export function composedDatabaseUrl(query = ''): k8s.EnvVar {
  return {
    name: 'DATABASE_URL',
    value: `postgresql+psycopg://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@$(POSTGRES_HOST):$(POSTGRES_PORT)/$(POSTGRES_DB)${query}`,
  };
}

export const databaseUrl: k8s.EnvVar = composedDatabaseUrl();

