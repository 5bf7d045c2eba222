/**
 * ExternalSecrets (External Secrets Operator, external-secrets.io/v1) for users who keep the stack's credentials in
 * a store: each writes the Secret the stack reads (the user's existing Secret name when given, else the stack's),
 * one key per remote reference. Rendered with the namespace, so the Secrets are asked for before anything reads them.
 */
import type { Construct } from 'constructs';
import { ExternalSecret, ExternalSecretSpecSecretStoreRefKind, ExternalSecretSpecTargetCreationPolicy } from '../../imports/external-secrets.io';
import { StackContext } from './core/context';
import { gatewaySecretRef, redisSecretRef, stackName, standalonePostgresSecretRef } from './core/naming';
import type { SecretsValues } from '../../profiles/secrets-schema';

/** One key of the written Secret and where its value lives in the store. */
export interface ExternalSecretKey {
  /** Key in the Secret the operator writes. */
  readonly secretKey: string;
  /** Key of the entry in the store. */
  readonly key: string;
  /** Property of that entry holding the value; empty or absent takes the whole entry. @default '' */
  readonly property?: string;
}

export interface StackExternalSecretProps {
  /** Release and namespace. @default StackContext.of(scope) */
  readonly context?: StackContext;
  /** The credential (`gateway`, `redis`, `postgres`): the ExternalSecret is `<release>-<component>` and labelled so. */
  readonly component: string;
  /** The Secret the operator writes and owns: the one the pods read. */
  readonly target: string;
  /** The SecretStore or ClusterSecretStore to read from. */
  readonly secretStoreRef: { readonly name: string; readonly kind: 'SecretStore' | 'ClusterSecretStore' };
  /** How often the operator reads the store again. @default '1h' */
  readonly refreshInterval?: string;
  /** Every key the Secret gets, in order. */
  readonly data: readonly ExternalSecretKey[];
}

/** An ExternalSecret writing one of the Secrets the stack reads. */
export class StackExternalSecret extends ExternalSecret {
  constructor(scope: Construct, id: string, props: StackExternalSecretProps) {
    const ctx = props.context ?? StackContext.of(scope);
    super(scope, id, {
      metadata: ctx.meta(props.component, stackName(ctx.release, props.component)),
      spec: {
        secretStoreRef: {
          name: props.secretStoreRef.name,
          kind: props.secretStoreRef.kind === 'ClusterSecretStore' ? ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE : ExternalSecretSpecSecretStoreRefKind.SECRET_STORE,
        },
        refreshInterval: props.refreshInterval ?? '1h',
        target: { name: props.target, creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER },
        data: props.data.map((d) => ({ secretKey: d.secretKey, remoteRef: { key: d.key, ...(d.property ? { property: d.property } : {}) } })),
      },
    });
  }
}

/** What decides which ExternalSecrets the stack asks for. */
export interface ExternalSecretsChoice {
  /** The `secrets` values: Secret names, keys and each credential's `externalSecret` block. */
  readonly secrets: SecretsValues;
  /** The release name, which names the stack's own Secrets. */
  readonly release: string;
  /** The database runs in the stack (standalone): only then does the stack read a Postgres Secret PGO does not write. */
  readonly standaloneDatabase: boolean;
}

/** The ExternalSecrets the values ask for (the Postgres one only with the standalone database, PGO writes its own). */
export function wantedExternalSecrets(choice: ExternalSecretsChoice): Omit<StackExternalSecretProps, 'context'>[] {
  const s = choice.secrets;
  const named = { secrets: s, release: { name: choice.release } };
  const out: Omit<StackExternalSecretProps, 'context'>[] = [];
  const want = (component: string, target: string, spec: SecretsValues[keyof SecretsValues]['externalSecret'], keys: Record<string, string>) => {
    const refs = spec.remoteRefs as Record<string, { key: string; property: string }>;
    out.push({
      component,
      target,
      secretStoreRef: spec.secretStoreRef,
      refreshInterval: spec.refreshInterval,
      // Remote reference name → key of the Secret the stack reads.
      data: Object.entries(keys).map(([ref, secretKey]) => ({ secretKey, key: refs[ref].key, property: refs[ref].property })),
    });
  };
  if (s.gateway.externalSecret.enabled) {
    want('gateway', gatewaySecretRef(named), s.gateway.externalSecret, Object.fromEntries(Object.keys(s.gateway.externalSecret.remoteRefs).map((k) => [k, k])));
  }
  if (s.redis.externalSecret.enabled) {
    want('redis', redisSecretRef(named).name, s.redis.externalSecret, { password: redisSecretRef(named).passwordKey });
  }
  if (s.postgres.externalSecret.enabled && choice.standaloneDatabase) {
    const pg = standalonePostgresSecretRef(named);
    want('postgres', pg.name, s.postgres.externalSecret, { user: pg.userKey, password: pg.passwordKey, database: pg.databaseKey });
  }
  return out;
}
