/**
 * Bring-your-own Secrets: for each Secret the stack reads, the name of a Secret the user already has (made by hand,
 * by External Secrets, Sealed Secrets or Vault) and, where the stack reads single keys, the key names in it. Empty
 * names keep the stack's own (`<release>-gateway`, `<release>-redis`, `<release>-postgres`).
 */
import { z } from 'zod';

/** A Secret name: a DNS-1123 subdomain, or empty for the stack's own name. */
const secretName = z
  .string()
  .max(253, 'must be at most 253 characters')
  .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/, "must be a Secret name (lower-case letters, digits, '-' and '.') or empty");

/** A key of a Secret's data. */
const secretKey = z
  .string()
  .max(253, 'must be at most 253 characters')
  .regex(/^[-._a-zA-Z0-9]+$/, "must be a Secret key (letters, digits, '-', '_' and '.')");

/** Keys the gateway Secret must hold: the gateway reads them as settings of the same names. */
export const GATEWAY_SECRET_KEYS = ['JWT_SECRET_KEY', 'AUTH_ENCRYPTION_SECRET', 'BASIC_AUTH_PASSWORD', 'PLATFORM_ADMIN_PASSWORD'] as const;

/** Where one value lives in the store. */
const remoteRef = z.strictObject({
  /** Key of the value in the store (a Vault path, an AWS Secrets Manager name ...); required when the ExternalSecret is enabled. */
  key: z.string().max(1024, 'must be at most 1024 characters').regex(/^\S*$/, 'must be a remote key without spaces or line breaks'),
  /** Property inside that value (a JSON field, a Vault key); empty reads the whole value. */
  property: z.string().max(1024, 'must be at most 1024 characters').regex(/^\S*$/, 'must be a property name without spaces or line breaks'),
});

/**
 * An External Secrets Operator `ExternalSecret` (external-secrets.io/v1) that writes the Secret the stack reads
 * (the existing Secret's name when one is given) from a SecretStore, one remote reference per key.
 */
function externalSecretSchema<K extends string>(keys: readonly K[]) {
  return z.strictObject({
    /** Render the ExternalSecret; the External Secrets Operator and the store must exist in the cluster. */
    enabled: z.boolean(),
    /** The SecretStore or ClusterSecretStore to read from. */
    secretStoreRef: z.strictObject({
      /** Name of the store; required when the ExternalSecret is enabled. */
      name: secretName,
      kind: z.enum(['SecretStore', 'ClusterSecretStore']),
    }),
    /** How often the operator reads the store again, e.g. 1h or 15m. */
    refreshInterval: z.string().regex(/^([0-9]+(ns|us|ms|s|m|h))+$/, 'must be a duration such as 1h, 15m or 1h30m'),
    /** Where each key of the Secret comes from. */
    remoteRefs: z.strictObject(Object.fromEntries(keys.map((k) => [k, remoteRef])) as Record<K, typeof remoteRef>),
  });
}

export const secretsSchema = z.strictObject({
  /**
   * The gateway Secret (JWT_SECRET_KEY, AUTH_ENCRYPTION_SECRET, BASIC_AUTH_PASSWORD, PLATFORM_ADMIN_PASSWORD), read
   * whole as environment by the gateway, its Jobs and the benchmark's token step, so its keys are the setting names.
   */
  gateway: z.strictObject({
    /** Name of an existing Secret to read instead of `<release>-gateway`; empty keeps the stack's name. */
    existingSecret: secretName,
    externalSecret: externalSecretSchema(GATEWAY_SECRET_KEYS),
  }),
  /** The Redis password, read by Redis and by every gateway pod. */
  redis: z.strictObject({
    /** Name of an existing Secret to read instead of `<release>-redis`; empty keeps the stack's name. */
    existingSecret: secretName,
    /** Key of the password in that Secret. */
    passwordKey: secretKey,
    externalSecret: externalSecretSchema(['password'] as const),
  }),
  /** The standalone Postgres credentials (database.mode standalone; PGO writes its own Secret). */
  postgres: z.strictObject({
    /** Name of an existing Secret to read instead of `<release>-postgres`; empty keeps the stack's name. */
    existingSecret: secretName,
    /** Key of the user name. */
    userKey: secretKey,
    /** Key of the password. */
    passwordKey: secretKey,
    /** Key of the database name. */
    databaseKey: secretKey,
    externalSecret: externalSecretSchema(['user', 'password', 'database'] as const),
  }),
});

export type SecretsValues = z.infer<typeof secretsSchema>;

/** The secrets the `secrets` values describe, by their key under `secrets`, with the keys their ExternalSecret maps. */
export const SECRET_IDS = ['gateway', 'redis', 'postgres'] as const;
export type SecretId = (typeof SECRET_IDS)[number];

function externalSecretOff<K extends string>(keys: readonly K[]) {
  return {
    enabled: false,
    secretStoreRef: { name: '', kind: 'SecretStore' as const },
    refreshInterval: '1h',
    remoteRefs: Object.fromEntries(keys.map((k) => [k, { key: '', property: '' }])) as Record<K, { key: string; property: string }>,
  };
}

export const secretsDefaults: SecretsValues = {
  gateway: { existingSecret: '', externalSecret: externalSecretOff(GATEWAY_SECRET_KEYS) },
  redis: { existingSecret: '', passwordKey: 'REDIS_PASSWORD', externalSecret: externalSecretOff(['password'] as const) },
  postgres: {
    existingSecret: '',
    userKey: 'user',
    passwordKey: 'password',
    databaseKey: 'dbname',
    externalSecret: externalSecretOff(['user', 'password', 'database'] as const),
  },
};
