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

export const secretsSchema = z.strictObject({
  /**
   * The gateway Secret (JWT_SECRET_KEY, AUTH_ENCRYPTION_SECRET, BASIC_AUTH_PASSWORD, PLATFORM_ADMIN_PASSWORD), read
   * whole as environment by the gateway, its Jobs and the benchmark's token step, so its keys are the setting names.
   */
  gateway: z.strictObject({
    /** Name of an existing Secret to read instead of `<release>-gateway`; empty keeps the stack's name. */
    existingSecret: secretName,
  }),
  /** The Redis password, read by Redis and by every gateway pod. */
  redis: z.strictObject({
    /** Name of an existing Secret to read instead of `<release>-redis`; empty keeps the stack's name. */
    existingSecret: secretName,
    /** Key of the password in that Secret. */
    passwordKey: secretKey,
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
  }),
});

export type SecretsValues = z.infer<typeof secretsSchema>;

export const secretsDefaults: SecretsValues = {
  gateway: { existingSecret: '' },
  redis: { existingSecret: '', passwordKey: 'REDIS_PASSWORD' },
  postgres: { existingSecret: '', userKey: 'user', passwordKey: 'password', databaseKey: 'dbname' },
};
