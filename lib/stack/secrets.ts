/**
 * The Secrets the stack reads and never writes. One list serves the `secrets` command (which generates or checks
 * their values), the output gate (which must know they are created elsewhere) and the README.
 */
import { randomBytes } from 'node:crypto';
import type { Values } from '../../profiles/schema';
import {
  gatewayMetricsSecretName,
  gatewaySecretRef,
  pgoClusterName,
  pgoUserSecretName,
  redisSecretRef,
  stackName,
  standalonePostgresSecretRef,
} from '../constructs/core/naming';
import { S3_CONF_KEY } from '../constructs/postgres-pgo-ha';
import { entropy } from '../gitops/secret-scan';

/**
 * `token`: a signing or encryption key (≥ 32 characters, ≥ 3.5 bits of entropy per character, as the gateway demands
 * before it starts); `password`: a login (≥ 16); `admin-password`: a gateway login, which also needs three of upper
 * case, lower case, digits and the gateway's special characters (it warns at start otherwise); `fixed`: a known value.
 */
export type SecretKeyKind = 'token' | 'password' | 'admin-password' | 'fixed';

export interface ExpectedSecret {
  readonly name: string;
  /**
   * Who creates it: `user` (the `secrets` command or your secret manager), `database-owner` (you, with the
   * credentials of a database the stack does not run: nothing to generate), `collector-owner` (you, with the OTLP
   * headers your collector expects), `gateway-token` (you, with a token the running gateway issues: nothing to
   * generate), `storage-owner` (you, with the object storage's access key for pgBackRest), or a controller.
   */
  readonly createdBy: 'user' | 'database-owner' | 'collector-owner' | 'gateway-token' | 'storage-owner' | 'external-secrets' | 'pgo' | 'openshift-service-ca' | 'tls';
  /** Its key under `secrets` in the values, for the Secrets a user may bring (existingSecret, externalSecret). */
  readonly id?: 'gateway' | 'redis' | 'postgres';
  readonly keys: readonly { key: string; kind: SecretKeyKind; value?: string }[];
  readonly purpose: string;
}

export function expectedSecrets(v: Values): ExpectedSecret[] {
  const rel = v.release.name;
  // A Secret an ExternalSecret of the output writes is the External Secrets Operator's to create.
  const by = (id: 'gateway' | 'redis' | 'postgres') => (v.secrets[id].externalSecret.enabled ? ('external-secrets' as const) : ('user' as const));
  const out: ExpectedSecret[] = [
    {
      name: gatewaySecretRef(v),
      id: 'gateway',
      createdBy: by('gateway'),
      purpose: 'gateway signing and encryption keys, admin passwords',
      keys: [
        { key: 'JWT_SECRET_KEY', kind: 'token' },
        { key: 'AUTH_ENCRYPTION_SECRET', kind: 'token' },
        { key: 'BASIC_AUTH_PASSWORD', kind: 'admin-password' },
        { key: 'PLATFORM_ADMIN_PASSWORD', kind: 'admin-password' },
      ],
    },
    { name: redisSecretRef(v).name, id: 'redis', createdBy: by('redis'), purpose: 'Redis password', keys: [{ key: redisSecretRef(v).passwordKey, kind: 'password' }] },
  ];
  if (v.database.mode === 'standalone') {
    const pg = standalonePostgresSecretRef(v);
    out.push({
      name: pg.name,
      id: 'postgres',
      createdBy: by('postgres'),
      purpose: 'standalone Postgres credentials',
      keys: [
        { key: pg.databaseKey, kind: 'fixed' as const, value: v.database.name },
        { key: pg.passwordKey, kind: 'password' as const },
        { key: pg.userKey, kind: 'fixed' as const, value: v.database.user },
      ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    });
  } else if (v.database.mode === 'external') {
    const k = v.database.external;
    out.push({
      name: v.database.external.secretName,
      createdBy: 'database-owner',
      purpose: 'connection to the external database',
      keys: (k.urlKey ? [k.urlKey] : [k.hostKey, k.portKey, k.databaseKey, k.userKey, k.passwordKey]).map((key) => ({ key, kind: 'fixed' as const })),
    });
  } else {
    const existing = v.database.pgo.existingCluster;
    const pooled = v.database.pgo.pgbouncer.enabled;
    out.push({
      name: pgoUserSecretName(existing || pgoClusterName(rel), v.database.user),
      createdBy: 'pgo',
      purpose: existing ? `database credentials, written by the PGO operator for PostgresCluster ${existing}` : 'database credentials, written by the PGO operator',
      keys: ['dbname', 'host', 'password', ...(pooled ? ['pgbouncer-host', 'pgbouncer-port'] : []), 'port', 'user'].map((key) => ({ key, kind: 'fixed' as const })),
    });
  }
  const s3 = v.database.pgo.backups.s3;
  if (v.database.mode === 'pgo' && !v.database.pgo.existingCluster && s3.enabled) {
    out.push({
      name: s3.secretName,
      createdBy: 'storage-owner',
      purpose: 'pgBackRest access to the object storage repository, mounted by PGO',
      keys: [{ key: S3_CONF_KEY, kind: 'fixed' }],
    });
  }
  if (v.observability.metrics.enabled) {
    out.push({
      name: v.observability.metrics.tokenSecretName || gatewayMetricsSecretName(rel),
      createdBy: 'gateway-token',
      purpose: 'bearer token Prometheus sends to the gateway metrics endpoint',
      keys: [{ key: v.observability.metrics.tokenKey, kind: 'fixed' }],
    });
  }
  if (v.observability.tracing.enabled && v.observability.tracing.headersSecretName) {
    out.push({
      name: v.observability.tracing.headersSecretName,
      createdBy: 'collector-owner',
      purpose: 'OTLP headers for the OpenTelemetry collector',
      keys: [{ key: v.observability.tracing.headersKey, kind: 'fixed' }],
    });
  }
  if (v.nginx.enabled && v.nginx.tls) {
    out.push({
      name: stackName(rel, 'nginx-tls'),
      createdBy: 'openshift-service-ca',
      purpose: 'NGINX serving certificate for the reencrypt Route',
      keys: [{ key: 'tls.crt', kind: 'fixed' }, { key: 'tls.key', kind: 'fixed' }],
    });
  }
  if (v.exposure.type === 'ingress' && v.exposure.tlsSecretName) {
    out.push({
      name: v.exposure.tlsSecretName,
      createdBy: 'tls',
      purpose: 'Ingress certificate (cert-manager or your CA)',
      keys: [{ key: 'tls.crt', kind: 'fixed' }, { key: 'tls.key', kind: 'fixed' }],
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * A strong random value: 48 bytes (tokens) or 24 bytes (passwords), URL-safe base64. Drawn again in the rare case the
 * strength check below would refuse it (about 1 admin password in 250 has no digit, and URL-safe base64 holds none of
 * the gateway's special characters), so every generated value passes the check `secrets --from` applies.
 */
export function generateSecretValue(kind: SecretKeyKind): string {
  for (;;) {
    const value = randomBytes(kind === 'token' ? 48 : 24).toString('base64url');
    if (!weaknessOf(value, kind)) return value;
  }
}

const MIN_LENGTH: Record<SecretKeyKind, number> = { token: 32, password: 16, 'admin-password': 16, fixed: 1 };
/** The gateway refuses to start on a signing or encryption key below this Shannon entropy (bits per character). */
const MIN_TOKEN_ENTROPY = 3.5;
/** The characters the gateway counts as special when it grades an admin password's complexity. */
const GATEWAY_SPECIAL = /[!@#$%^&*(),.?":{}|<>]/;
/** The gateway's four character classes; an admin password needs three. */
const CHARACTER_CLASSES: readonly RegExp[] = [/\p{Lu}/u, /\p{Ll}/u, /\p{Nd}/u, GATEWAY_SPECIAL];
/**
 * Words that mark a value someone meant to replace (including the upstream chart's weak default), found anywhere in
 * the value. Each is six letters or more, so a random value holds one by chance about once in ten million draws.
 */
const PLACEHOLDER_WORDS = ['changeme', 'change-me', 'change_me', 'replace', 'placeholder', 'example', 'password', 'secret', 'default', 'insecure'];
/** Short placeholder words, refused only as a whole part of the value between separators (`-`, `_`, `.`, space). */
const PLACEHOLDER_PARTS = new Set(['test', 'todo', 'xxx', 'xxxx', 'fixme', 'tbd', 'dummy', 'fake', 'sample']);
/** Text a template engine or a shell was meant to expand: `{{ .Values.x }}`, `${VAR}`, `$VAR`, `$(cmd)`, `%VAR%`, `<value>`. */
const TEMPLATES: readonly [RegExp, string][] = [
  [/\{\{.*\}\}|\{%.*%\}/s, 'a template expression ({{ ... }})'],
  [/\$\{[^}]*\}/, 'an unexpanded variable (${...})'],
  [/\$\([^)]*\)|`[^`]*`/, 'an unexpanded command ($(...))'],
  [/^\$[A-Za-z_][A-Za-z0-9_]*$/, 'an unexpanded variable ($NAME)'],
  [/%[A-Za-z_][A-Za-z0-9_]*%/, 'an unexpanded variable (%NAME%)'],
  [/<[^<>]*>/, 'a placeholder in angle brackets (<...>)'],
];

/** Why a value is not acceptable for a key of this kind, or undefined if it is. Never quotes the value. */
export function weaknessOf(value: string, kind: SecretKeyKind): string | undefined {
  if (kind === 'fixed') return value.length ? undefined : 'must not be empty';
  const template = TEMPLATES.find(([re]) => re.test(value));
  if (template) return `looks like ${template[1]}, not a value: expand it before passing it`;
  if (value.length < MIN_LENGTH[kind]) return `too short: at least ${MIN_LENGTH[kind]} characters for a ${kind}`;
  const lower = value.toLowerCase();
  const hit = PLACEHOLDER_WORDS.find((p) => lower.includes(p)) ?? lower.split(/[-_.\s]+/).find((part) => PLACEHOLDER_PARTS.has(part));
  if (hit) return `looks like a placeholder (contains '${hit}')`;
  if (new Set(value).size < 10) return 'too little variety: fewer than 10 distinct characters';
  if (kind === 'token' && entropy(value) < MIN_TOKEN_ENTROPY) {
    return `too little randomness: the gateway refuses to start on a key under ${MIN_TOKEN_ENTROPY} bits of entropy per character`;
  }
  if (kind === 'admin-password' && CHARACTER_CLASSES.filter((c) => c.test(value)).length < 3) {
    return 'too few kinds of character: needs three of upper case, lower case, digits and one of !@#$%^&*(),.?":{}|<> (the gateway warns otherwise)';
  }
  return undefined;
}
