/**
 * `database.mode: external`: any Postgres (a managed service, CloudNativePG, a PGO cluster elsewhere), reached with
 * a Secret the user provides. Either one key holds the whole URL, or the URL is composed by the kubelet from the
 * host, port, database, user and password keys, so no credential appears in the spec. Nothing is rendered for the
 * database itself; the NetworkPolicies let its clients reach `database.external.cidrs` on its port, nothing else.
 */
import type { StackContext } from './core/context';
import { composedDatabaseUrl, fromSecret, type DatabaseConnection } from './database-connection';

export function externalConnection(ctx: StackContext): DatabaseConnection {
  const e = ctx.values.database.external;
  const secret = e.secretName;
  const env = e.urlKey
    ? [fromSecret('DATABASE_URL', secret, e.urlKey)]
    : [
        fromSecret('POSTGRES_HOST', secret, e.hostKey),
        fromSecret('POSTGRES_PORT', secret, e.portKey),
        fromSecret('POSTGRES_DB', secret, e.databaseKey),
        fromSecret('POSTGRES_USER', secret, e.userKey),
        fromSecret('PGPASSWORD', secret, e.passwordKey),
        composedDatabaseUrl(e.sslMode ? `?sslmode=${e.sslMode}` : ''),
      ];
  return {
    secretName: secret,
    env: () => env,
    peer: () => ({ cidrs: e.cidrs }),
    port: () => e.port,
  };
}
