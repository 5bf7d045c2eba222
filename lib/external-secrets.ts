/**
 * ExternalSecrets (External Secrets Operator, external-secrets.io/v1) for users who keep the stack's credentials in
 * a store: each writes the Secret the stack reads (the user's existing Secret name when given, else the stack's),
 * one key per remote reference. Rendered with the namespace, so the Secrets are asked for before anything reads them.
 */
import { Construct } from 'constructs';
import { ExternalSecret, ExternalSecretSpecSecretStoreRefKind, ExternalSecretSpecTargetCreationPolicy } from '../imports/external-secrets.io';
import type { StackContext } from './core/context';
import { gatewaySecretRef, redisSecretRef, stackName, standalonePostgresSecretRef } from './core/naming';
import type { Values } from '../profiles/schema';

interface Wanted {
  readonly id: 'gateway' | 'redis' | 'postgres';
  /** The Secret the stack reads. */
  readonly target: string;
  readonly spec: Values['secrets']['gateway']['externalSecret'] | Values['secrets']['redis']['externalSecret'] | Values['secrets']['postgres']['externalSecret'];
  /** Remote reference name → key of the Secret the stack reads. */
  readonly keys: Record<string, string>;
}

/** The ExternalSecrets the values ask for (the Postgres one only with the standalone database, PGO writes its own). */
export function wantedExternalSecrets(v: Values): Wanted[] {
  const s = v.secrets;
  const out: Wanted[] = [];
  if (s.gateway.externalSecret.enabled) {
    out.push({ id: 'gateway', target: gatewaySecretRef(v), spec: s.gateway.externalSecret, keys: Object.fromEntries(Object.keys(s.gateway.externalSecret.remoteRefs).map((k) => [k, k])) });
  }
  if (s.redis.externalSecret.enabled) {
    out.push({ id: 'redis', target: redisSecretRef(v).name, spec: s.redis.externalSecret, keys: { password: redisSecretRef(v).passwordKey } });
  }
  if (s.postgres.externalSecret.enabled && v.database.mode === 'standalone') {
    const pg = standalonePostgresSecretRef(v);
    out.push({ id: 'postgres', target: pg.name, spec: s.postgres.externalSecret, keys: { user: pg.userKey, password: pg.passwordKey, database: pg.databaseKey } });
  }
  return out;
}

export function renderExternalSecrets(scope: Construct, ctx: StackContext): void {
  for (const w of wantedExternalSecrets(ctx.values)) {
    const refs = w.spec.remoteRefs as Record<string, { key: string; property: string }>;
    new ExternalSecret(scope, `ExternalSecret-${w.id}`, {
      metadata: ctx.meta(w.id, stackName(ctx.release, w.id)),
      spec: {
        secretStoreRef: {
          name: w.spec.secretStoreRef.name,
          kind: w.spec.secretStoreRef.kind === 'ClusterSecretStore' ? ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE : ExternalSecretSpecSecretStoreRefKind.SECRET_STORE,
        },
        refreshInterval: w.spec.refreshInterval,
        target: { name: w.target, creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER },
        data: Object.entries(w.keys).map(([ref, secretKey]) => ({
          secretKey,
          remoteRef: { key: refs[ref].key, ...(refs[ref].property ? { property: refs[ref].property } : {}) },
        })),
      },
    });
  }
}
