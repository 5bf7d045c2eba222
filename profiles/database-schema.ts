/**
 * The `database.external` values (any Postgres, reached with a Secret the user provides) and the cross-field rules
 * of the database modes: combinations that cannot work are refused before anything is rendered.
 */
import { z } from 'zod';
import { cidr } from './tenants-schema';

/** A Secret key name as the API server accepts it. */
const secretKey = z.string().regex(/^[-._a-zA-Z0-9]*$/, "must be a Secret key (letters, digits, '-', '_' and '.')");

const secretName = z
  .string()
  .max(253)
  .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/, 'must be a Secret name (a DNS subdomain) or empty');

export const sslModes = ['', 'disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

export const databaseExternalSchema = z.strictObject({
  /** The Secret (in the release namespace) holding the database URL or its parts; created and rotated by you. */
  secretName,
  /**
   * The key holding the whole SQLAlchemy URL the gateway uses
   * (`postgresql+psycopg://<user>:<password>@<host>:5432/<db>?sslmode=require`); the other keys are then not read.
   * Empty: the URL is built from the five keys below.
   */
  urlKey: secretKey,
  /** The key holding the host name (the key names default to those of PGO's and CloudNativePG's Secrets). */
  hostKey: secretKey,
  /** The key holding the port. */
  portKey: secretKey,
  /** The key holding the database name. */
  databaseKey: secretKey,
  /** The key holding the user name. */
  userKey: secretKey,
  /** The key holding the user's password. */
  passwordKey: secretKey,
  /** `sslmode` appended to the URL built from the parts; empty leaves libpq's default (`prefer`). */
  sslMode: z.enum(sslModes),
  /** Address ranges of the database (or its proxy), for the NetworkPolicies: the only place its clients may connect. */
  cidrs: z.array(cidr),
  /** Port of the database on those addresses, for the NetworkPolicies. */
  port: z.number().int().min(1).max(65535),
});

export type DatabaseExternal = z.infer<typeof databaseExternalSchema>;

export const databaseExternalDefaults: DatabaseExternal = {
  secretName: '',
  urlKey: '',
  hostKey: 'host',
  portKey: 'port',
  databaseKey: 'dbname',
  userKey: 'user',
  passwordKey: 'password',
  sslMode: '',
  cidrs: [],
  port: 5432,
};

export const URL_PART_KEYS = ['hostKey', 'portKey', 'databaseKey', 'userKey', 'passwordKey'] as const;
