/**
 * `cdk8s synth` is the same product as `synth`: the real cdk8s CLI (node_modules/.bin/cdk8s) runs the app of
 * cdk8s.yaml, and what it writes must equal `bin/mcp-stack synth` for the same input, byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tree } from './support';

const ROOT = join(__dirname, '..');
const CDK8S = join(ROOT, 'node_modules', '.bin', 'cdk8s');
const LAUNCHER = join(ROOT, 'bin', 'mcp-stack');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cdk8s-entry-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The real cdk8s CLI, run from the project root (where cdk8s.yaml is), writing to `out`. */
function cdk8sSynth(out: string, env: Record<string, string> = {}, app?: string) {
  const args = ['synth', '--output', out, ...(app ? ['--app', app] : [])];
  // The build is current (npm test builds first); the cache lives in the test's folder so runs do not share it.
  const r = spawnSync(CDK8S, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', MCP_STACK_BUILD: 'off', MCP_STACK_CACHE_DIR: join(work, 'cache'), ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function synth(args: string[]) {
  const out = mkdtempSync(join(work, 'synth-'));
  const r = spawnSync(LAUNCHER, ['synth', '--out', out, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, MCP_STACK_BUILD: 'off', MCP_STACK_CACHE_DIR: join(work, 'cache') } });
  expect(r.stderr).not.toMatch(/ERROR/);
  expect(r.status).toBe(0);
  return out;
}

describe('cdk8s synth', () => {
  test.each(['kind', 'ocp', 'production'])('profile %s through MCP_STACK_PROFILE equals synth byte for byte', (profile) => {
    const out = join(work, `cdk8s-${profile}`);
    const r = cdk8sSynth(out, { MCP_STACK_PROFILE: profile });
    expect(r.code).toBe(0);
    // The output gate ran and found nothing: it prints a report only for errors or warnings.
    expect(r.stderr).not.toMatch(/ERROR|WARN/);
    expect(tree(out)).toEqual(tree(join(synth(['--profile', profile]), profile)));
  });

  test('values files, --set values, tenants and the benchmark reach it through the environment and through --app flags', () => {
    const values = join(work, 'more-nginx.yaml');
    writeFileSync(values, 'nginx:\n  replicas: 4\n');
    const expected = tree(join(synth(['--profile', 'ocp', '--values', values, '--set', 'gateway.replicas=4', '--set', 'gateway.workers=6', '--tenants', 'examples/tenants.yaml', '--with-benchmark']), 'ocp'));
    const viaEnv = join(work, 'via-env');
    const env = cdk8sSynth(viaEnv, {
      MCP_STACK_PROFILE: 'ocp',
      MCP_STACK_VALUES: values,
      MCP_STACK_SET: 'gateway.replicas=4\ngateway.workers=6',
      MCP_STACK_TENANTS: 'examples/tenants.yaml',
      MCP_STACK_WITH_BENCHMARK: 'true',
    });
    expect(env.code).toBe(0);
    expect(tree(viaEnv)).toEqual(expected);
    expect(Object.keys(expected)).toEqual(expect.arrayContaining(['40-benchmark.yaml']));
    expect(Object.keys(expected).some((f) => f.startsWith('tenants/'))).toBe(true);

    const viaApp = join(work, 'via-app');
    const app = cdk8sSynth(viaApp, {}, `${LAUNCHER} cdk8s --profile ocp --values ${values} --set gateway.replicas=4 --set gateway.workers=6 --tenants examples/tenants.yaml --with-benchmark`);
    expect(app.code).toBe(0);
    expect(tree(viaApp)).toEqual(expected);
  });

  test('a failing gate exits non-zero and leaves the previous output as it was', () => {
    const out = join(work, 'kept-on-gate-failure');
    expect(cdk8sSynth(out).code).toBe(0);
    const before = tree(out);
    const r = cdk8sSynth(out, { MCP_STACK_SET: 'gateway.replicas=40' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\[capacity\/pending-pod\]/);
    expect(r.stderr).toMatch(/the output gate found errors; the previous output was put back/);
    expect(tree(out)).toEqual(before);
  });

  test('bad input exits non-zero with every problem listed and leaves the previous output as it was', () => {
    const out = join(work, 'kept-on-bad-input');
    expect(cdk8sSynth(out, { MCP_STACK_PROFILE: 'ocp' }).code).toBe(0);
    const before = tree(out);
    const r = cdk8sSynth(out, { MCP_STACK_PROFILE: 'ocp', MCP_STACK_SET: 'nginx.replicas=0\ngateway.replicaz=3', MCP_STACK_WITH_BENCHMARK: 'yes' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/MCP_STACK_WITH_BENCHMARK: allowed: true, false \(received "?yes"?\)/);
    expect(tree(out)).toEqual(before);
    const values = cdk8sSynth(out, { MCP_STACK_PROFILE: 'ocp', MCP_STACK_SET: 'nginx.replicas=0\ngateway.replicaz=3' });
    expect(values.code).not.toBe(0);
    expect(values.stderr).toMatch(/nginx\.replicas/);
    expect(values.stderr).toMatch(/gateway\.replicaz/);
    // Our message has no stack trace; the cdk8s CLI then adds its own line (and trace) naming the app's exit code.
    expect(values.stderr.split(/\nError: command /)[0]).not.toMatch(/\n\s+at /);
    expect(tree(out)).toEqual(before);
  });

  test('a flag and the environment naming different profiles are refused, naming both', () => {
    const out = join(work, 'conflict');
    mkdirSync(out);
    const r = cdk8sSynth(out, { MCP_STACK_PROFILE: 'kind' }, `${LAUNCHER} cdk8s --profile ocp`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--profile: conflicts with MCP_STACK_PROFILE=kind \(received "?ocp"?\)/);
  });

  test('--help lists the flags, their environment variables and an example', () => {
    const r = spawnSync(LAUNCHER, ['cdk8s', '--help'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, MCP_STACK_BUILD: 'off' } });
    expect(r.status).toBe(0);
    for (const text of ['--profile', 'MCP_STACK_PROFILE', 'MCP_STACK_VALUES', 'MCP_STACK_SET', 'MCP_STACK_TENANTS', 'cdk8s synth --app']) expect(r.stdout).toContain(text);
  });
});
