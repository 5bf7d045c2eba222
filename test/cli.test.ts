/**
 * The command line as users run it: the compiled program in a child process (`npm test` compiles it first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { tempDir, tree } from './support';

const ROOT = join(__dirname, '..');
const MAIN = join(ROOT, 'build', 'main.js');

function run(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => tempDir('cli');

/** What `synth` writes for the default kind profile: numbered units, the kustomization, the ArgoCD Applications. */
const PLAIN_FILES = ['.mcp-stack-output', '00-namespace.yaml', '10-database.yaml', '20-platform.yaml', 'Kustomization', 'argocd/database.yaml', 'argocd/platform.yaml', 'argocd/root.yaml'];

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error('build/main.js is missing: run `npm test` (it compiles first) or `npm run build`');
});

describe('synth', () => {
  test('writes the kind profile as numbered files under <out>/kind', () => {
    const out = tmp();
    const r = run(['synth', '--out', out, '--no-validate']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(Object.keys(tree(join(out, 'kind')))).toEqual(PLAIN_FILES);
    const docs = loadAll(readFileSync(join(out, 'kind', '00-namespace.yaml'), 'utf8')) as any[];
    expect(docs.map((d) => d.kind)).toEqual(['Namespace', 'ServiceAccount']);
  });

  test('is deterministic: the same input gives byte-identical output', () => {
    const [a, b] = [tmp(), tmp()];
    expect(run(['synth', '--profile', 'ocp', '--out', a, '--no-validate']).code).toBe(0);
    expect(run(['synth', '--profile', 'ocp', '--out', b, '--no-validate']).code).toBe(0);
    expect(tree(join(a, 'ocp'))).toEqual(tree(join(b, 'ocp')));
  });

  test('a failed synth leaves the previous output exactly as it was', () => {
    const out = tmp();
    expect(run(['synth', '--out', out, '--no-validate']).code).toBe(0);
    const before = tree(out);
    const r = run(['synth', '--out', out, '--no-validate', '--set', 'gateway.replicas=0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('gateway.replicas: Too small: expected number to be >=1 (received 0) [from --set gateway.replicas]');
    expect(tree(out)).toEqual(before);
  });

  test('a second synth replaces the output: files it no longer produces disappear', () => {
    const out = tmp();
    expect(run(['synth', '--out', out, '--no-validate', '--set', 'networkPolicies.enabled=true']).code).toBe(0);
    expect(existsSync(join(out, 'kind', '30-network-policies.yaml'))).toBe(true);
    writeFileSync(join(out, 'kind', 'stray.yaml'), 'x: 1\n');
    expect(run(['synth', '--out', out, '--no-validate']).code).toBe(0);
    expect(Object.keys(tree(join(out, 'kind')))).toEqual(PLAIN_FILES);
    expect(readdirSync(out)).toEqual(['kind']);
  });

  test('values files and --set reach the output', () => {
    const out = tmp();
    const file = join(out, 'values.yaml');
    writeFileSync(file, 'gateway:\n  replicas: 2\n');
    expect(run(['synth', '--out', out, '--no-validate', '--values', file, '--set', 'nginx.workerConnections=4096']).code).toBe(0);
    const docs = loadAll(readFileSync(join(out, 'kind', '20-platform.yaml'), 'utf8')) as any[];
    expect(docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'mcp-stack-gateway').spec.replicas).toBe(2);
    expect(docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'mcp-stack-nginx').data['nginx.conf']).toContain('worker_connections 4096;');
  });

  test('bad flags: every problem at once, exit 2, nothing written', () => {
    const out = tmp();
    const r = run(['synth', '--out', out, '--profle', 'ocp', '--values', '--all', '--colour']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("invalid arguments for 'synth': 4 problems");
    // `ocp` follows an unknown flag, so it stands alone: a stray argument is refused, never ignored.
    expect(r.stderr).toContain("  - ocp: unexpected argument: 'synth' takes only flags");
    expect(r.stderr).toContain("--profle: unknown flag for 'synth'; allowed: --profile, --all, --out");
    expect(r.stderr).toContain('--values: needs a value');
    expect(r.stderr).toContain("--colour: unknown flag for 'synth'");
    expect(readdirSync(out)).toEqual([]);
  });

  test('tenants from a file get a folder each, and the output gate passes on them', () => {
    const out = tmp();
    const r = run(['synth', '--out', out, '--tenants', 'examples/tenants.yaml']);
    expect(r.stderr).not.toMatch(/^ERROR/m);
    // The gate prints nothing when it finds nothing (no error, no warning).
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const files = Object.keys(tree(join(out, 'kind')));
    for (const t of ['acme', 'globex', 'initech']) expect(files).toContain(`tenants/${t}/00-guardrails.yaml`);
    // Removing the tenants removes their folders on the next synth.
    expect(run(['synth', '--out', out]).code).toBe(0);
    expect(Object.keys(tree(join(out, 'kind'))).some((f) => f.startsWith('tenants/'))).toBe(false);
  });

  test('the output gate stops a synth whose output would fail on a cluster, and nothing is written', () => {
    const out = tmp();
    // A PDB that can never be satisfied passes the values schema only through the gate's own PDB and capacity rules:
    // 40 gateway pods of 4 CPU do not fit one 4 CPU kind node.
    const r = run(['synth', '--out', out, '--set', 'gateway.replicas=40', '--set', 'gateway.resources.requests.cpu=4', '--set', 'gateway.resources.limits.cpu=4']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('capacity/pending-pod');
    expect(r.stderr).toContain('synth: the output gate found errors; nothing was written');
    expect(readdirSync(out)).toEqual([]);
  });

  test('--format helm writes the chart; profile and value flags do not apply to it; unknown formats are refused', () => {
    const out = tmp();
    const r = run(['synth', '--format', 'helm', '--out', out]);
    expect(r.code).toBe(0);
    const files = Object.keys(tree(join(out, 'helm', 'mcp-stack')));
    expect(files).toEqual(expect.arrayContaining(['.helmignore', '.mcp-stack-output', 'Chart.yaml', 'values.yaml', 'values-ocp.yaml', 'values.schema.json', 'templates/20-platform.yaml', 'templates/NOTES.txt']));
    // The ownership mark stays out of a packaged chart.
    const packaged = spawnSync(join(ROOT, '.tools', 'bin', 'helm3'), ['package', join(out, 'helm', 'mcp-stack'), '-d', out], { encoding: 'utf8' });
    expect(packaged.status).toBe(0);
    const listing = spawnSync('tar', ['tzf', join(out, readdirSync(out).find((f) => f.endsWith('.tgz'))!)], { encoding: 'utf8' }).stdout;
    expect(listing).toContain('mcp-stack/Chart.yaml');
    expect(listing).not.toContain('.mcp-stack-output');
    const bad = run(['synth', '--format', 'helm', '--profile', 'ocp', '--set', 'gateway.replicas=2', '--out', tmp()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--profile: does not apply with --format helm');
    expect(bad.stderr).toContain('--set: does not apply with --format helm');
    const unknown = run(['synth', '--format', 'kustomize', '--out', tmp()]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--format: allowed: plain, helm (received "kustomize")');
  });

  test('--all with --profile is refused', () => {
    const r = run(['synth', '--all', '--profile', 'kind', '--out', tmp()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--all: cannot be combined with --profile');
  });

  test('an unknown command lists the commands', () => {
    const r = run(['render']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'render'; allowed: synth, secrets, validate, check, diff, schema, cdk8s");
  });
});

test('schema prints the values schema as strict JSON Schema', () => {
  const r = run(['schema']);
  expect(r.code).toBe(0);
  const schema = JSON.parse(r.stdout);
  expect(schema.additionalProperties).toBe(false);
  expect(schema.properties.gateway.properties.replicas).toMatchObject({ type: 'integer', minimum: 1 });
  expect(schema.properties.exposure.properties.type.enum).toEqual(['route', 'ingress', 'none']);
});

describe('synth --stdout', () => {
  it('prints every YAML file the synth writes, in path order, and writes nothing', () => {
    const cwd = tmp();
    const files = tmp();
    const tenants = join(ROOT, 'examples', 'tenants.yaml');
    const printed = run(['synth', '--stdout', '--tenants', tenants], cwd);
    expect(printed.code).toBe(0);
    expect(readdirSync(cwd)).toEqual([]);
    expect(run(['synth', '--tenants', tenants, '--out', files]).code).toBe(0);
    const written = tree(join(files, 'kind'));
    const yamlPaths = Object.keys(written).filter((p) => p.endsWith('.yaml')).sort();
    expect(yamlPaths).toContain('argocd/root.yaml');
    expect(yamlPaths.some((p) => p.startsWith('tenants/'))).toBe(true);
    expect(printed.stdout).toBe(yamlPaths.map((p) => written[p]).join(''));
    // One valid stream: every document parses, and the Kustomization (not a manifest) is not in it.
    const docs = loadAll(printed.stdout).filter((d) => d != null) as { kind: string }[];
    expect(docs.length).toBe(yamlPaths.map((p) => loadAll(written[p]).filter((d) => d != null).length).reduce((a, b) => a + b));
    expect(docs.map((d) => d.kind)).not.toContain('Kustomization');
  });

  it('without the gate, tenant files rendered one at a time are the same bytes, written and printed', () => {
    const tenants = join(ROOT, 'examples', 'tenants.yaml');
    const gated = tmp();
    const lazy = tmp();
    expect(run(['synth', '--tenants', tenants, '--out', gated]).code).toBe(0);
    expect(run(['synth', '--tenants', tenants, '--no-validate', '--out', lazy]).code).toBe(0);
    const expected = tree(join(gated, 'kind'));
    expect(tree(join(lazy, 'kind'))).toEqual(expected);
    const printed = run(['synth', '--tenants', tenants, '--no-validate', '--stdout'], tmp());
    const yamlPaths = Object.keys(expected).filter((p) => p.endsWith('.yaml')).sort();
    expect(printed.stdout).toBe(yamlPaths.map((p) => expected[p]).join(''));
  });

  it('refuses --all and --out with it, listing both problems, and prints nothing', () => {
    const r = run(['synth', '--stdout', '--all', '--out', 'somewhere']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("invalid arguments for 'synth': 2 problems");
    expect(r.stderr).toContain('--stdout: prints one profile; cannot be combined with --all');
    expect(r.stderr).toContain('--stdout: writes no files; cannot be combined with --out (received "somewhere")');
  });

  it('prints nothing when the output gate fails', () => {
    // Valid values, but a cluster too small for the pods: the capacity check fails.
    const r = run(['synth', '--stdout', '--set', 'cluster.cpu=500m']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('[capacity/pending-pod]');
    expect(r.stderr).toContain('synth: the output gate found errors; nothing was written');
  });
});

describe('secrets', () => {
  test('kind: a Namespace and every Secret the stack reads, with strong random values', () => {
    const r = run(['secrets', '--profile', 'kind']);
    expect(r.code).toBe(0);
    const docs = loadAll(r.stdout) as any[];
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Namespace/mcp-stack',
      'Secret/mcp-stack-gateway',
      'Secret/mcp-stack-postgres',
      'Secret/mcp-stack-redis',
    ]);
    const gateway = docs[1];
    expect(gateway.metadata.labels['app.kubernetes.io/part-of']).toBe('mcp-stack');
    expect(Object.keys(gateway.stringData).sort()).toEqual(['AUTH_ENCRYPTION_SECRET', 'BASIC_AUTH_PASSWORD', 'JWT_SECRET_KEY', 'PLATFORM_ADMIN_PASSWORD']);
    expect(gateway.stringData.JWT_SECRET_KEY.length).toBeGreaterThanOrEqual(64);
    expect(docs[2].stringData).toMatchObject({ user: 'mcp', dbname: 'mcp' });
    // fresh values every time
    const again = loadAll(run(['secrets', '--profile', 'kind']).stdout) as any[];
    expect(again[1].stringData.JWT_SECRET_KEY).not.toBe(gateway.stringData.JWT_SECRET_KEY);
  });

  test('ocp without a file lists names and keys, including the PGO-written Secret', () => {
    const r = run(['secrets', '--profile', 'ocp']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('mcp-stack-gateway  (you create it');
    expect(r.stdout).toContain('mcp-stack-pg-pguser-mcp  (created by pgo');
    expect(r.stdout).toContain('mcp-stack-nginx-tls  (created by openshift-service-ca');
    expect(r.stdout).toContain('- JWT_SECRET_KEY (token)');
  });

  test('a secrets file with weak, placeholder, missing and unknown entries is refused with every problem, values never echoed', () => {
    const dir = tmp();
    const file = join(dir, 'secrets.local.yaml');
    writeFileSync(
      file,
      [
        'mcp-stack-gateway:',
        '  JWT_SECRET_KEY: my-test-key-but-now-longer-than-32-bytes',
        '  AUTH_ENCRYPTION_SECRET: short',
        '  BASIC_AUTH_PASSWORD: changeme-changeme-changeme',
        '  EXTRA: x',
        'mcp-stack-other:',
        '  a: b',
        '',
      ].join('\n'),
    );
    const r = run(['secrets', '--profile', 'ocp', '--from', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("mcp-stack-gateway.JWT_SECRET_KEY: refused: looks like a placeholder (contains 'test')");
    expect(r.stderr).toContain('mcp-stack-gateway.AUTH_ENCRYPTION_SECRET: refused: too short: at least 32 characters for a token');
    expect(r.stderr).toContain("mcp-stack-gateway.BASIC_AUTH_PASSWORD: refused: looks like a placeholder (contains 'changeme')");
    expect(r.stderr).toContain('mcp-stack-gateway.PLATFORM_ADMIN_PASSWORD: missing');
    expect(r.stderr).toContain('mcp-stack-gateway.EXTRA: unknown key');
    expect(r.stderr).toContain('mcp-stack-other: not a Secret this profile expects');
    expect(r.stderr).toContain('mcp-stack-redis: missing; needs keys REDIS_PASSWORD');
    expect(r.stderr).not.toContain('changeme-changeme-changeme');
    expect(r.stdout).toBe('');
  });

  test('a strong secrets file becomes Secret manifests', () => {
    const dir = tmp();
    const file = join(dir, 'secrets.local.yaml');
    const strong = (n: number) => Array.from({ length: n }, (_, i) => 'Kq7ZxW2pRt9LmN4vBy6HcJ8dFs3GhE5a'[(i * 7) % 32]).join('');
    writeFileSync(
      file,
      `mcp-stack-gateway:\n  JWT_SECRET_KEY: ${strong(48)}\n  AUTH_ENCRYPTION_SECRET: ${strong(40)}\n  BASIC_AUTH_PASSWORD: ${strong(20)}\n  PLATFORM_ADMIN_PASSWORD: ${strong(24)}\nmcp-stack-redis:\n  REDIS_PASSWORD: ${strong(24)}\n`,
    );
    const r = run(['secrets', '--profile', 'ocp', '--from', file]);
    expect(r.stderr).toBe('');
    const docs = loadAll(r.stdout) as any[];
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['Namespace/mcp-stack', 'Secret/mcp-stack-gateway', 'Secret/mcp-stack-redis']);
    expect(docs[2].stringData.REDIS_PASSWORD).toBe(strong(24));
  });
});
