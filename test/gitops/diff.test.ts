/**
 * `diff`: object-level review of what a synth would change, against a folder or a Git revision.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshProfileFiles, type CommandIO } from '../../lib/cli/check';
import { runDiff } from '../../lib/cli/diff';
import { diffObjects, formatObjectDiff } from '../../lib/gitops/object-diff';
import { writeAtomically } from '../../lib/output/index';
import { loadValues } from '../../profiles/loader';

function capture(cwd: string): CommandIO & { out: string; err: string } {
  const io = { cwd, out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

function run(argv: string[], cwd: string) {
  const io = capture(cwd);
  const code = runDiff(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('diff against a folder', () => {
  let root = '';
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'mcp-stack-diff-'));
    writeAtomically(join(root, 'dist', 'kind'), freshProfileFiles(loadValues({ profile: 'kind' })));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('reports nothing when the output is fresh', () => {
    const r = run(['--profile', 'kind'], root);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^diff: profile kind, fresh synth compared with dist\/kind\nno object differences \(\d+ objects\)\n$/);
  });

  test('a changed field: old → new, under the changed object', () => {
    const r = run(['--profile', 'kind', '--set', 'gateway.replicas=5'], root);
    // Differences exit 1, like `git diff --exit-code` and `kubectl diff`.
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^~ changed Deployment mcp-stack\/mcp-stack-gateway {2}\(20-platform\.yaml\)\n {4}spec\.replicas: \d+ → 5$/m);
    expect(r.out).toMatch(/^0 added, 0 removed, \d+ changed, \d+ unchanged$/m);
  });

  test('added objects, with the file they land in', () => {
    const r = run(['--profile', 'kind', '--set', 'networkPolicies.enabled=true'], root);
    expect(r.out).toContain('+ added NetworkPolicy mcp-stack/mcp-stack-default-deny  (30-network-policies.yaml)');
  });

  test('the flags of synth: --with-benchmark and --tenants', () => {
    const bench = run(['--profile', 'kind', '--with-benchmark'], root);
    expect(bench.out).toMatch(/^\+ added Deployment mcp-stack\/mcp-stack-locust-master {2}\(40-benchmark\.yaml\)$/m);
    const tenants = run(['--profile', 'kind', '--tenants', join(__dirname, '..', '..', 'examples', 'tenants.yaml')], root);
    expect(tenants.out).toMatch(/^\+ added Namespace \S+ {2}\(tenants\/[^/]+\/00-guardrails\.yaml\)$/m);
    expect(tenants.out).toContain('+ added Application argocd/mcp-stack-tenants  (argocd/tenants.yaml)');
  });

  test('removed objects', () => {
    const r = run(['--profile', 'kind', '--set', 'fastTimeServer.enabled=false'], root);
    expect(r.out).toContain('- removed Deployment mcp-stack/mcp-stack-fast-time-server  (20-platform.yaml)');
  });

  test('fields of list items are named by the item (containers, env)', () => {
    const r = run(['--profile', 'kind', '--set', 'images.gateway.tag=v9.9.9'], root);
    expect(r.out).toMatch(/^ {4}spec\.template\.spec\.containers\[gateway\]\.image: "[^"]+" → "[^"]+:v9\.9\.9"$/m);
  });

  test('--against takes the dist root or the profile folder itself', () => {
    const other = mkdtempSync(join(tmpdir(), 'mcp-stack-diff-other-'));
    try {
      writeAtomically(join(other, 'kind'), freshProfileFiles(loadValues({ profile: 'kind', sets: ['gateway.replicas=3'] })));
      for (const against of [other, join(other, 'kind')]) {
        const r = run(['--profile', 'kind', '--against', against], root);
        expect(r.out).toMatch(/spec\.replicas: 3 → \d+/);
      }
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  test('a missing committed folder makes every object new', () => {
    for (const argv of [['--profile', 'ocp'], ['--profile', 'ocp', '--against', 'dist']]) {
      const r = run(argv, root);
      expect(r.code).toBe(1);
      expect(r.out).toContain('compared with dist/ocp (absent: every object is new)');
      expect(r.out).toMatch(/^\d+ added, 0 removed, 0 changed, 0 unchanged$/m);
    }
  });

  test('bad flags, an unknown profile and an unknown revision exit 2', () => {
    expect(run(['--bogus'], root)).toMatchObject({ code: 2, err: expect.stringContaining("--bogus: unknown flag for 'diff'") });
    expect(run(['--profile', 'staging'], root)).toMatchObject({ code: 2, err: expect.stringContaining('--profile: unknown profile') });
    const r = run(['--against', 'no-such-branch'], root);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--against: is neither a folder nor a Git revision of this repository (received "no-such-branch")');
  });
});

describe('diff against a Git revision', () => {
  let repo = '';
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, encoding: 'utf8', stdio: 'pipe' });

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'mcp-stack-diff-git-'));
    git('init', '--quiet');
    writeAtomically(join(repo, 'dist', 'kind'), freshProfileFiles(loadValues({ profile: 'kind', sets: ['gateway.replicas=4'] })));
    git('add', 'dist');
    git('commit', '--quiet', '-m', 'output');
    // The working tree moves on; the revision must still be read as committed.
    writeAtomically(join(repo, 'dist', 'kind'), freshProfileFiles(loadValues({ profile: 'kind' })));
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  test('reads dist/<profile> as committed at the revision', () => {
    const r = run(['--profile', 'kind', '--against', 'HEAD', '--set', 'gateway.replicas=4'], repo);
    expect(r.code).toBe(0);
    expect(r.out).toContain('compared with HEAD:dist/kind\nno object differences');
    const changed = run(['--profile', 'kind', '--against', 'HEAD'], repo);
    expect(changed.out).toMatch(/spec\.replicas: 4 → \d+/);
    expect(changed.code).toBe(1);
  });

  test('a revision without the profile makes every object new', () => {
    const r = run(['--profile', 'ocp', '--against', 'HEAD'], repo);
    expect(r.out).toContain('compared with HEAD:dist/ocp (absent: every object is new)');
  });
});

describe('formatObjectDiff', () => {
  const secret = (value: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: n\nstringData:\n  token: ${value}\n`;

  test('never shows the values of a Secret', () => {
    const lines = formatObjectDiff(diffObjects(new Map([['a.yaml', secret('old-value')]]), new Map([['a.yaml', secret('new-value')]])));
    expect(lines).toEqual(['~ changed Secret n/s  (a.yaml)', '    stringData.token: (hidden) → (hidden)']);
  });

  test('shows a changed multi-line value as a line diff, and cuts long values', () => {
    const cm = (conf: string, note: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: n\n  annotations:\n    note: ${note}\ndata:\n  nginx.conf: |\n${conf
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n`;
    const before = cm('worker_processes 1;\nevents {}\nhttp {}', 'a'.repeat(300));
    const after = cm('worker_processes 2;\nevents {}\nhttp {}', 'b');
    const lines = formatObjectDiff(diffObjects(new Map([['c.yaml', before]]), new Map([['c.yaml', after]])));
    expect(lines[0]).toBe('~ changed ConfigMap n/c  (c.yaml)');
    expect(lines).toContain(`    metadata.annotations.note: "${'a'.repeat(98)}… → "b"`);
    expect(lines).toContain('    data["nginx.conf"]: text changed (3 lines → 3 lines)');
    expect(lines).toContain('        -worker_processes 1;');
    expect(lines).toContain('        +worker_processes 2;');
  });

  test('an object that moved to another file', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: n\n';
    expect(formatObjectDiff(diffObjects(new Map([['a.yaml', cm]]), new Map([['b.yaml', cm]])))).toEqual(['~ changed ConfigMap n/c  (moved from a.yaml to b.yaml)']);
  });

  test('a reordered named list', () => {
    const pod = (names: string[]) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: n\nspec:\n  containers:\n${names.map((n) => `    - name: ${n}\n      image: x`).join('\n')}\n`;
    expect(formatObjectDiff(diffObjects(new Map([['p.yaml', pod(['a', 'b'])]]), new Map([['p.yaml', pod(['b', 'a'])]])))).toEqual([
      '~ changed Pod n/p  (p.yaml)',
      '    spec.containers (order): ["a","b"] → ["b","a"]',
    ]);
  });
});
