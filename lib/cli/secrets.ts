/**
 * `secrets`: the Secrets the stack expects, never written to dist/. On `kind` it prints a Namespace and the Secrets
 * with strong random values, ready for `kubectl apply -f -`. With `--from FILE` it prints them with your values,
 * after refusing weak or placeholder ones. On other profiles without `--from` it lists names and keys.
 */
import { InputError, loadValues, type Problem } from '../../profiles/loader';
import type { Values } from '../../profiles/schema';
import { readYamlInput } from '../../profiles/yaml-input';
import { StackContext } from '../constructs/core/context';
import { restrictedNamespaceLabels } from '../constructs/namespace';
import { toYamlStream } from '../output/index';
import { pullSecretCommand, pullSecretServer } from '../stack/pull-secrets';
import { expectedSecrets, generateSecretValue, weaknessOf, type ExpectedSecret } from '../stack/secrets';
import { parseFlags, usage, type FlagSpec } from './args';

export const SECRETS_FLAGS: Record<string, FlagSpec> = {
  profile: { type: 'string', description: 'profile whose Secrets to print (default kind)' },
  from: { type: 'string', description: 'YAML file mapping Secret name → key → value (keep it out of git)' },
  values: { type: 'string', multiple: true, description: 'values file (release name and namespace decide the names)' },
  set: { type: 'string', multiple: true, description: 'one value, e.g. release.namespace=mcp' },
  'set-string': { type: 'string', multiple: true, description: 'one value kept as a string, as with Helm' },
  help: { type: 'boolean', description: 'show this help' },
};

export function runSecrets(argv: readonly string[]): number {
  const { flags } = parseFlags('secrets', argv, SECRETS_FLAGS);
  if (flags.help) {
    process.stdout.write(
      usage('secrets', 'Print the Secrets the stack expects (values never land in dist/). Values are never shown in messages.', SECRETS_FLAGS, [
        'mcp-stack secrets --profile kind | kubectl apply -f -       # strong random values',
        'mcp-stack secrets --profile ocp                             # the Secrets and keys to create',
        'mcp-stack secrets --profile ocp --from my-secrets.local.yaml | kubectl apply -f -',
      ]),
    );
    return 0;
  }
  const values = loadValues({
    profile: flags.profile as string | undefined,
    valuesFiles: flags.values as string[] | undefined,
    sets: flags.set as string[] | undefined,
    setStrings: flags['set-string'] as string[] | undefined,
  });
  const userSecrets = expectedSecrets(values).filter((s) => s.createdBy === 'user');
  if (flags.from) {
    process.stdout.write(secretManifests(values, userSecrets, readSecretsFile(flags.from as string, userSecrets)));
    return 0;
  }
  if (values.profile === 'kind') {
    process.stdout.write(secretManifests(values, userSecrets, generated(userSecrets)));
    return 0;
  }
  process.stdout.write(describe(values));
  return 0;
}

/** Plain-text list of every expected Secret with its keys and who creates it. */
export function describe(values: Values): string {
  const lines = [`Secrets the ${values.profile} profile expects in namespace ${values.release.namespace}:`];
  for (const s of expectedSecrets(values)) {
    lines.push(`  ${s.name}  (${createdByText(s)}: ${s.purpose})`);
    for (const k of s.keys) lines.push(`    - ${k.key}${k.value ? ` = ${k.value}` : k.kind === 'fixed' ? '' : ` (${k.kind.replace('-', ' ')})`}`);
  }
  for (const name of values.images.pullSecrets) {
    lines.push(`  ${name}  (you create it: image pull Secret, type kubernetes.io/dockerconfigjson, named by every pod)`);
    lines.push(`    ${pullSecretCommand(name, values.release.namespace, pullSecretServer(values))}`);
  }
  if (values.images.pullSecrets.length) {
    lines.push('  Tenant MCP server pods name the same pull Secrets: create them in each server namespace too, for the registries its images come from.');
  }
  lines.push('', 'Create the ones marked "you create it" with your secret manager, or print them with', `  npm run --silent secrets -- --profile ${values.profile} --from my-secrets.local.yaml | kubectl apply -f -`, '');
  return lines.join('\n');
}

function createdByText(s: ExpectedSecret): string {
  if (s.createdBy === 'user') return 'you create it';
  if (s.createdBy === 'database-owner') return "you create it with the database's credentials";
  if (s.createdBy === 'storage-owner') return 'you create it with the access key pgBackRest uses: a file with [global], repo2-s3-key=<key id> and repo2-s3-key-secret=<secret>';
  if (s.createdBy === 'collector-owner') return "you create it with the headers your OpenTelemetry collector expects (key=value,...)";
  if (s.createdBy === 'gateway-token') return "you create it with a JWT (with an expiry) signed with the gateway Secret's JWT_SECRET_KEY, e.g. from `python3 -m mcpgateway.utils.create_jwt_token` in a gateway pod";
  return `created by ${s.createdBy}`;
}

function generated(secrets: readonly ExpectedSecret[]): Map<string, Record<string, string>> {
  return new Map(secrets.map((s) => [s.name, Object.fromEntries(s.keys.map((k) => [k.key, k.value ?? generateSecretValue(k.kind)]))]));
}

function readSecretsFile(file: string, secrets: readonly ExpectedSecret[]): Map<string, Record<string, string>> {
  const problems: Problem[] = [];
  // The reader's messages give a line and column, never the text there: this file holds secrets.
  const input = readYamlInput(file);
  if (!input.ok) throw new InputError('invalid secrets file: 1 problem', [{ path: '--from', message: input.message, received: file }]);
  const data = input.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InputError('invalid secrets file: 1 problem', [{ path: '--from', message: 'must map Secret names to key/value mappings', received: file }]);
  }
  const given = data as Record<string, unknown>;
  const out = new Map<string, Record<string, string>>();
  for (const name of Object.keys(given)) {
    if (!secrets.some((s) => s.name === name)) {
      problems.push({ path: name, message: `not a Secret this profile expects; expected: ${secrets.map((s) => s.name).join(', ')}` });
    }
  }
  for (const s of secrets) {
    const entry = given[s.name];
    if (entry === undefined) {
      problems.push({ path: s.name, message: `missing; needs keys ${s.keys.map((k) => k.key).join(', ')}` });
      continue;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push({ path: s.name, message: 'must be a mapping of key to value' });
      continue;
    }
    const kv = entry as Record<string, unknown>;
    const result: Record<string, string> = {};
    for (const key of Object.keys(kv)) {
      if (!s.keys.some((k) => k.key === key)) problems.push({ path: `${s.name}.${key}`, message: `unknown key; allowed: ${s.keys.map((k) => k.key).join(', ')}` });
    }
    for (const k of s.keys) {
      const value = kv[k.key] ?? k.value;
      if (typeof value !== 'string') {
        problems.push({ path: `${s.name}.${k.key}`, message: value === undefined ? 'missing' : 'must be a string' });
        continue;
      }
      if (k.value !== undefined && value !== k.value) {
        problems.push({ path: `${s.name}.${k.key}`, message: `must be '${k.value}' (it follows the values)` });
        continue;
      }
      // Never echo the value itself: the message may end up in a CI log.
      const weakness = weaknessOf(value, k.kind);
      if (weakness) problems.push({ path: `${s.name}.${k.key}`, message: `refused: ${weakness}` });
      result[k.key] = value;
    }
    out.set(s.name, result);
  }
  if (problems.length) throw new InputError(`invalid secrets file: ${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems);
  return out;
}

function secretManifests(values: Values, secrets: readonly ExpectedSecret[], data: Map<string, Record<string, string>>): string {
  const ctx = StackContext.fromValues(values);
  const objects: unknown[] = [];
  if (values.release.createNamespace) {
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ctx.namespace, labels: restrictedNamespaceLabels(ctx) } });
  }
  for (const s of secrets) {
    objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: ctx.meta('secret', s.name), type: 'Opaque', stringData: data.get(s.name) });
  }
  return toYamlStream(objects, '# Secrets for kubectl apply -f -. Do not commit this output.');
}
