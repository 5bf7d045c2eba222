/** `validate` on the command line: exit codes, usage errors, profiles from paths, text and JSON output. */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPolicy } from '../../lib/gate';
import { runValidateCli } from '../../lib/gate/cli';
import { FIXTURES } from './support';

const EXTERNALS = ['--external', 'Secret/mcp-gateway', '--external', 'Secret/mcp/mcp-postgres', '--external=Secret/mcp-redis'];

describe('runValidateCli', () => {
  let root: string;
  let out: string;
  let err: string;
  const run = (argv: string[], extra: Parameters<typeof runValidateCli>[1] = {}) => {
    out = '';
    err = '';
    return runValidateCli(argv, { cwd: root, root, out: (t) => (out += t), err: (t) => (err += t), ...extra });
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'gate-cli-'));
    mkdirSync(join(root, 'dist', 'kind'), { recursive: true });
    copyFileSync(join(FIXTURES, 'valid', 'kind-stack.yaml'), join(root, 'dist', 'kind', 'stack.yaml'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('exits 0 on a clean output and takes the profile from the folder name', () => {
    expect(run([...EXTERNALS, 'dist/kind'])).toBe(0);
    expect(out).toMatch(/^capacity \(dist\/kind\): kind \(1 node\): 1 × 4 CPU \/ 8Gi: node-1 /m);
    expect(out).toMatch(/validate: OK: 0 error\(s\), 0 warning\(s\) in 25 document\(s\)\n$/);
    expect(err).toBe('');
  });

  it('exits 1 when there are errors, one line per finding, errors and warnings apart', () => {
    copyFileSync(join(FIXTURES, 'broken', 'defect-01-weak-secrets.yaml'), join(root, 'dist', 'kind', 'zz-secret.yaml'));
    expect(run([...EXTERNALS, 'dist/kind'])).toBe(1);
    const [errors, warnings] = out.split('\nWarnings');
    expect(errors).toContain('Errors (2):');
    expect(errors).toMatch(/ERROR dist\/kind\/zz-secret\.yaml:\d+  Secret\/mcp\/mcp-gateway  stringData\.JWT_SECRET_KEY  \[policy\/weak-secret\] .+ -- fix: generate a random value/);
    expect(warnings).toContain('[policy/secret-in-output]');
    expect(out).toContain('validate: FAILED: 2 error(s), 1 warning(s) in 26 document(s)');
  });

  it('prints JSON with --json', () => {
    expect(run(['--json', ...EXTERNALS, 'dist/kind'])).toBe(0);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ errors: 0, warnings: 0, documents: 25, findings: [], runs: [{ path: 'dist/kind', profile: 'kind' }] });
    expect(report.runs[0].capacity.pending).toEqual([]);
  });

  it('uses --profile over the folder name, and the policy source it is given', () => {
    const seen: string[] = [];
    expect(run(['--profile', 'production', ...EXTERNALS, 'dist/kind'], { policyFor: (p) => (seen.push(p), defaultPolicy(p)) })).toBe(0);
    expect(seen).toEqual(['production']);
  });

  it('reports every usage problem at once and exits 2', () => {
    expect(run(['--bogus', '--profile', 'staging', '--external', 'Deployment/x', 'missing-dir', '--schema'])).toBe(2);
    expect(err).toContain("unknown option '--bogus'");
    expect(err).toContain("--profile 'staging' is not a profile (expected one of kind, ocp, production)");
    expect(err).toContain("--external 'Deployment/x' must be Kind/name or Kind/namespace/name");
    expect(err).toContain('--schema needs a value');
    expect(err).toContain("path 'missing-dir' does not exist");
    expect(err).toContain('usage: validate');
    expect(out).toBe('');
  });

  it('validates the synthesized profiles by default, skipping missing ones, and exits 2 when there are none', () => {
    expect(run(EXTERNALS)).toBe(0);
    expect(err).toContain('skipping dist/ocp: not synthesized');
    expect(err).toContain('skipping dist/production: not synthesized');
    rmSync(join(root, 'dist'), { recursive: true });
    expect(run([])).toBe(2);
    expect(err).toContain('nothing to validate: none of dist/kind, dist/ocp, dist/production exists');
  });

  it('exits 2 with the path and the option when the schema is missing', () => {
    expect(run(['--schema', 'no-such.json', 'dist/kind'])).toBe(2);
    expect(err).toMatch(/Kubernetes schema file not found: .*no-such\.json\. Set the 'schemaPath' option \(CLI: --schema PATH\)/);
  });

  it('turns off profile rules for a folder that names no profile, and says so', () => {
    mkdirSync(join(root, 'rendered'));
    writeFileSync(join(root, 'rendered', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n');
    expect(run(['rendered'])).toBe(0);
    expect(err).toContain('rendered: no profile');
  });
});
