/**
 * Adding a component, done as the README's "Adding a component" says, on a copy of the project: the example under
 * examples/adding-a-component/ (a database admin UI, Deployment and Service) is one new construct file and a patch
 * of four hand-edited files. The copy is compiled, and its own CLI and chart generator must then carry the component
 * into the plain output and the generated chart with every rule applied: the output gate, the cross-field rules
 * (the digest rule of production images, literal credentials in its escape hatches) in the synth and in Helm 3 and 4
 * alike, its NetworkPolicy, and a chart that renders what the synth writes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { API_VERSIONS, HELM_NAMES, helm, KUBE_VERSION, normaliseHelmLabels, requireHelm } from './helm/support';
import { readmeSection } from './readme';
import { tempDir } from './support';

const ROOT = join(__dirname, '..');
const EXAMPLE = join(ROOT, 'examples', 'adding-a-component');
const NEW_FILE = 'lib/constructs/db-admin.ts';
const DIGEST = `sha256:${'a'.repeat(64)}`;
/** Production with every image pinned (`images.requireDigests`, which the production profile turns on once the gateway's digest is verified). */
const PINNED = ['--profile', 'production', '--set', 'images.requireDigests=true', '--set', `images.gateway.digest=sha256:${'b'.repeat(64)}`];

/** The files the patch edits, from its `+++` lines. */
const patchedFiles = () => [...readFileSync(join(EXAMPLE, 'component.patch'), 'utf8').matchAll(/^\+\+\+ b\/(\S+)$/gm)].map((m) => m[1]).sort();

let work: string;
let project: string;
let chart: string;

/** The copy's own CLI; exit code and output. */
function cli(args: string[]): { status: number; out: string } {
  const r = spawnSync(process.execPath, [join(project, 'build', 'main.js'), ...args], { cwd: project, encoding: 'utf8', env: { ...process.env, MCP_STACK_CACHE: 'off' }, maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** Values with a literal credential in the component's escape hatch. */
function credentialFile(): string {
  const file = join(work, 'credential.yaml');
  writeFileSync(file, dump({ dbAdmin: { enabled: true, extraEnv: [{ name: 'ADMIN_PASSWORD', value: 'literal' }] } }));
  return file;
}

const objectsOf = (stream: string) => (loadAll(stream) as any[]).filter(Boolean);
const keyOf = (o: any) => `${o.kind}/${o.metadata.name}`;

beforeAll(() => {
  requireHelm();
  work = tempDir('add-component');
  project = join(work, 'project');
  for (const part of ['main.ts', 'lib', 'profiles', 'imports', 'scripts', 'assets', 'reference', 'bin', 'package.json', 'tsconfig.json']) {
    cpSync(join(ROOT, part), join(project, part), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
  // What a contributor does: the new construct, then the four edits.
  cpSync(join(EXAMPLE, 'db-admin.ts'), join(project, NEW_FILE));
  const applied = spawnSync('git', ['apply', '-p1', join(EXAMPLE, 'component.patch')], { cwd: project, encoding: 'utf8' });
  if (applied.status !== 0) {
    throw new Error(
      `the example's edits no longer apply to the sources (a line next to one of them changed): refresh ` +
        `examples/adding-a-component/component.patch (apply it with \`patch -p1 --fuzz=2\`, check the result, then \`git diff -U1\`)\n${applied.stderr}`,
    );
  }
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = join(work, 'out');
  const r = cli(['synth', '--format', 'helm', '--out', out]);
  if (r.status !== 0) throw new Error(`the copy's chart generation failed:\n${r.out}`);
  chart = join(out, 'helm', 'mcp-stack');
}, 900_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the component is one new file and four edited ones, as the README says', () => {
  expect(patchedFiles()).toEqual(['lib/stack/units/platform.ts', 'profiles/cross-field-rules.ts', 'profiles/defaults.ts', 'profiles/schema.ts']);
  const section = readmeSection('## Adding a component');
  for (const file of [NEW_FILE, ...patchedFiles()]) expect(section).toContain(`\`${file}\``);
  expect(section).toMatch(/five files/);
});

describe('the plain output', () => {
  test('has the Deployment and Service once the component is on, past the output gate', () => {
    const r = cli(['synth', '--stdout', '--set', 'dbAdmin.enabled=true']);
    expect(r.status).toBe(0);
    const names = objectsOf(r.out).map(keyOf);
    expect(names).toEqual(expect.arrayContaining(['Deployment/mcp-stack-db-admin', 'Service/mcp-stack-db-admin']));
    expect(objectsOf(cli(['synth', '--stdout']).out).map(keyOf).filter((n) => n.includes('db-admin'))).toEqual([]);
  });

  test('pinned production refuses its image without a digest (exit 2), and with one allows it exactly its database flow', () => {
    const refused = cli(['synth', '--stdout', ...PINNED, '--set', 'dbAdmin.enabled=true']);
    expect(refused.status).toBe(2);
    expect(refused.out).toContain('images.dbAdmin.digest: is required: this profile pins every image by digest (images.requireDigests)');
    expect(refused.out).toContain('invalid input: 1 problem');
    const r = cli(['synth', '--stdout', ...PINNED, '--set', 'dbAdmin.enabled=true', '--set', `images.dbAdmin.digest=${DIGEST}`]);
    expect(r.status).toBe(0);
    const objects = objectsOf(r.out);
    const deployment = objects.find((o) => keyOf(o) === 'Deployment/mcp-stack-db-admin');
    expect(deployment.spec.template.spec.containers[0].image).toBe(`docker.io/library/adminer:4.8.1@${DIGEST}`);
    const policy = objects.find((o) => keyOf(o) === 'NetworkPolicy/mcp-stack-allow-db-admin');
    expect(policy.spec.policyTypes).toEqual(['Egress']);
    expect(policy.spec.egress).toHaveLength(1);
  });

  test('the cross-field rules and the output gate cover its escape hatches', () => {
    const refused = cli(['synth', '--stdout', '--values', credentialFile()]);
    expect(refused.status).toBe(2);
    expect(refused.out).toContain('dbAdmin.extraEnv.0.value: a literal value for ADMIN_PASSWORD, whose name says it is a credential');
    // A mount of a volume the pod does not have passes the values but not the output gate (exit 1).
    const mount = join(work, 'mount.yaml');
    writeFileSync(mount, dump({ dbAdmin: { enabled: true, extraVolumeMounts: [{ name: 'missing', mountPath: '/data' }] } }));
    const gated = cli(['synth', '--stdout', '--values', mount]);
    expect(gated.status).toBe(1);
    expect(gated.out).toMatch(/mcp-stack-db-admin[\s\S]*missing|missing[\s\S]*mcp-stack-db-admin/);
  });
});

describe.each(HELM_NAMES)('the generated chart on %s', (h) => {
  const template = (args: string[]) => helm(h, ['template', 'mcp-stack', chart, '-n', 'mcp-stack', '--skip-tests', '--kube-version', KUBE_VERSION, ...API_VERSIONS.flatMap((a) => ['--api-versions', a]), ...args]);

  test('renders the component as the synth writes it', () => {
    const sets = [...PINNED.slice(2), '--set', 'dbAdmin.enabled=true', '--set', `images.dbAdmin.digest=${DIGEST}`];
    const r = template(['-f', join(chart, 'values-production.yaml'), ...sets]);
    expect(r.stderr).toBe('');
    const fromChart = objectsOf(r.stdout).map(normaliseHelmLabels).filter((o) => keyOf(o).includes('db-admin'));
    const plain = objectsOf(cli(['synth', '--stdout', '--profile', 'production', '--set', 'release.createNamespace=false', ...sets]).out).filter((o) => keyOf(o).includes('db-admin'));
    expect(fromChart.map(keyOf).sort()).toEqual(['Deployment/mcp-stack-db-admin', 'NetworkPolicy/mcp-stack-allow-db-admin', 'Service/mcp-stack-db-admin']);
    expect(Object.fromEntries(fromChart.map((o) => [keyOf(o), o]))).toEqual(Object.fromEntries(plain.map((o) => [keyOf(o), o])));
  });

  test('refuses what the synth refuses, in the same words', () => {
    const digest = template(['-f', join(chart, 'values-production.yaml'), ...PINNED.slice(2), '--set', 'dbAdmin.enabled=true']);
    expect(digest.code).not.toBe(0);
    expect(digest.stderr).toContain('images.dbAdmin.digest: is required: this profile pins every image by digest (images.requireDigests)');
    const credential = template(['-f', credentialFile()]);
    expect(credential.code).not.toBe(0);
    expect(credential.stderr).toContain('dbAdmin.extraEnv.0.value: a literal value for ADMIN_PASSWORD, whose name says it is a credential');
    expect(credential.stderr).not.toContain('literal"');
  });
});
