/**
 * No secret value in committed output: the scanner, on crafted leaks, on every synthesized profile and on every
 * file under dist/.
 */
import { join } from 'node:path';
import { freshProfileFiles } from '../../lib/cli/check';
import { findSecretValues, isCredentialName, looksLikeToken } from '../../lib/gitops';
import { readTree } from '../../lib/gitops/tree';
import { loadValues } from '../../profiles/loader';

const ROOT = join(__dirname, '..', '..');

/** A random-looking token built at run time, so no credential-shaped literal sits in this file either. */
const TOKEN = Array.from({ length: 40 }, (_, i) => 'aB3xK9qZ7mW2pL5vN8rT4yC6hJ1dF0gS'[(i * 7 + 3) % 32]).join('');
const PEM = ['-----BEGIN', 'RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----'].join(' ');

function pod(env: unknown[]): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: n
spec:
  containers:
    - name: app
      image: example/app:1
      env: ${JSON.stringify(env)}
`;
}

describe('findSecretValues flags', () => {
  test('a Secret with data or stringData', () => {
    const files = new Map([
      ['a.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: n\ndata:\n  password: aHVudGVyMg==\n'],
      ['b.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\n  namespace: n\nstringData:\n  url: https://example.com\n'],
    ]);
    const found = findSecretValues(files);
    expect(found).toContain('a.yaml: Secret n/db: a Secret with values (keys: password); create Secrets with the secrets command instead');
    expect(found).toContain('b.yaml: Secret n/api: a Secret with values (keys: url); create Secrets with the secrets command instead');
  });

  test('a PEM private key, in a manifest or in a file that is not YAML', () => {
    const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tls\n  namespace: n\ndata:\n  key.pem: ${JSON.stringify(PEM)}\n`;
    const template = `{{- if .Values.tls }}\nkey: |\n  ${PEM.split('\n').join('\n  ')}\n{{ end`;
    expect(findSecretValues(new Map([['cm.yaml', cm], ['templates/t.yaml', template]]))).toEqual([
      'cm.yaml: ConfigMap n/tls at data["key.pem"]: a PEM private key',
      'templates/t.yaml: a PEM private key',
    ]);
  });

  test('a literal password in a configuration file, and a URL with a literal password', () => {
    const cm = `apiVersion: v1
kind: ConfigMap
metadata:
  name: app
  namespace: n
data:
  app.ini: |
    [db]
    user = app
    password = hunter2
  DATABASE_URL: postgresql://app:hunter2@db:5432/app
`;
    expect(findSecretValues(new Map([['cm.yaml', cm]]))).toEqual([
      'cm.yaml: ConfigMap n/app at data["app.ini"]: a literal password (line 3)',
      'cm.yaml: ConfigMap n/app at data.DATABASE_URL: a URL with a literal password',
    ]);
  });

  test('credential settings with literal values, and credential-like tokens under any name', () => {
    const found = findSecretValues(new Map([['p.yaml', pod([{ name: 'API_TOKEN', value: 'let-me-in' }, { name: 'UPSTREAM_HEADER', value: TOKEN }])]]));
    expect(found).toEqual([
      'p.yaml: Pod n/p at spec.containers[0].env[0].value: env API_TOKEN holds a literal value; use valueFrom.secretKeyRef',
      'p.yaml: Pod n/p at spec.containers[0].env[1].value: env UPSTREAM_HEADER holds a credential-like token; use valueFrom.secretKeyRef',
    ]);
  });

  test('a credential key with a literal value anywhere in an object', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: n\ndata:\n  JWT_SECRET_KEY: not-so-secret\n';
    expect(findSecretValues(new Map([['c.yaml', cm]]))).toEqual(["c.yaml: ConfigMap n/c at data.JWT_SECRET_KEY: 'JWT_SECRET_KEY' holds a literal value"]);
  });

  test('never quotes the value it found', () => {
    const found = findSecretValues(new Map([['p.yaml', pod([{ name: 'DB_PASSWORD', value: 'hunter2' }, { name: 'X', value: TOKEN }])]]));
    expect(found).toHaveLength(2);
    for (const f of found) expect(f.includes('hunter2') || f.includes(TOKEN)).toBe(false);
  });
});

describe('findSecretValues does not flag', () => {
  test('references to Secrets and values resolved at run time', () => {
    const env = [
      { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      { name: 'DATABASE_URL', value: 'postgresql+psycopg://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@db:5432/app' },
      { name: 'REDIS_URL', value: 'redis://:$(REDIS_PASSWORD)@redis:6379/0' },
      { name: 'TOKEN_EXPIRY', value: '10080' },
      { name: 'REQUIRE_TOKEN_EXPIRATION', value: 'true' },
      { name: 'GATEWAY_URL', value: 'http://mcp-stack-gateway.mcp-stack.svc.cluster.local:4444' },
      { name: 'CLIENT_SECRET', value: '' },
    ];
    expect(findSecretValues(new Map([['p.yaml', pod(env)]]))).toEqual([]);
  });

  test('checksums, digests, templates and a Secret without values', () => {
    const deploy = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  namespace: n
spec:
  template:
    metadata:
      annotations:
        checksum/config: ${'0123456789abcdef'.repeat(4)}
    spec:
      containers:
        - name: app
          image: example/app@sha256:${'ab12'.repeat(16)}
          args: ['--password-file', '/secrets/password']
`;
    const conf = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: n\ndata:\n  plugins.yaml: |\n    redis_url: redis://:{{ env.REDIS_PASSWORD }}@redis:6379/0\n    password: ${DB_PASSWORD}\n';
    const empty = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: n\n';
    expect(findSecretValues(new Map([['d.yaml', deploy], ['c.yaml', conf], ['s.yaml', empty]]))).toEqual([]);
  });

  test.each(['secretName', 'TOKEN_EXPIRY', 'REQUIRE_STRONG_SECRETS', 'passwordSecretRef', 'key'])('the name %s as a credential', (name) => {
    expect(isCredentialName(name)).toBe(false);
  });

  test.each(['password', 'BASIC_AUTH_PASSWORD', 'apiToken', 'client-secret', 'JWT_SECRET_KEY', 'apiKey'])('but does take %s for one', (name) => {
    expect(isCredentialName(name)).toBe(true);
  });

  test('host names and words as tokens', () => {
    expect(looksLikeToken('mcp-stack-fast-time-server')).toBe(false);
    expect(looksLikeToken('streamablehttp')).toBe(false);
    expect(looksLikeToken(TOKEN)).toBe(true);
  });
});

describe('no secret value', () => {
  test.each(['kind', 'ocp', 'production'])('in the synthesized %s profile, with every optional unit on', (profile) => {
    const files = freshProfileFiles(loadValues({ profile, sets: ['benchmark.enabled=true', 'networkPolicies.enabled=true'] }));
    expect(findSecretValues(files)).toEqual([]);
  });

  test.each(['kind', 'ocp'])('in the synthesized %s profile with the example tenants', (profile) => {
    const files = freshProfileFiles(loadValues({ profile, tenantsFile: join(ROOT, 'examples', 'tenants.yaml') }));
    expect([...files.keys()].some((f) => f.startsWith('tenants/'))).toBe(true);
    expect(findSecretValues(files)).toEqual([]);
  });

  test('in any committed file under dist/', () => {
    const files = readTree(join(ROOT, 'dist'));
    expect(files.size).toBeGreaterThan(0);
    expect(findSecretValues(files)).toEqual([]);
  });
});
