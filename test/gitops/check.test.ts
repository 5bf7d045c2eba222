/**
 * `check`: CI's guard against committed output that no longer matches the profiles.
 */
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareTrees, freshProfileFiles, profileTargets, runCheck, type CommandIO } from '../../lib/cli/check';
import { runSynth } from '../../lib/cli/synth';
import { readTree } from '../../lib/gitops/tree';
import { OWNER_MARK, writeAtomically } from '../../lib/output/index';
import { loadValues, profileNames } from '../../profiles/loader';

/** These tests write only the profile folders; the chart target has its own test below. */
const PROFILES_ONLY = profileTargets().filter((t) => t.dir !== 'helm/mcp-stack');

function capture(cwd: string): CommandIO & { out: string; err: string } {
  const io = { cwd, out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

/** A dist root holding what a synth of every profile writes. */
function freshDist(sets: Record<string, string[]> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'mcp-stack-check-test-'));
  try {
    for (const profile of profileNames) writeAtomically(join(root, 'dist', profile), freshProfileFiles(loadValues({ profile, sets: sets[profile] })));
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
  return root;
}

describe('check', () => {
  let root = '';
  beforeEach(() => {
    root = freshDist();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('passes on fresh output', () => {
    const io = capture(root);
    expect(runCheck([], io, PROFILES_ONLY)).toBe(0);
    expect(io.err).toBe('');
    expect(io.out).toMatch(/^check: dist\/ is up to date \(kind, ocp, production; \d+ files\)\n$/);
  });

  test('fails on a changed file with a unified diff naming it, and the fix', () => {
    const file = join(root, 'dist', 'ocp', '20-platform.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('kind: Deployment', 'kind: Deployment\n# edited by hand'));
    const io = capture(root);
    expect(runCheck([], io, PROFILES_ONLY)).toBe(1);
    expect(io.err).toContain('check: dist/ is stale for ocp\n');
    expect(io.err).toContain('changed: dist/ocp/20-platform.yaml\n--- dist/ocp/20-platform.yaml (committed)\n+++ dist/ocp/20-platform.yaml (fresh synth)\n@@ -');
    expect(io.err).toContain('\n-# edited by hand\n');
    expect(io.err).toContain('To fix, run and commit dist/:\n  npm run synth -- --profile ocp    # dist/ocp\n');
  });

  test('fails on a missing file', () => {
    unlinkSync(join(root, 'dist', 'kind', 'argocd', 'root.yaml'));
    const io = capture(root);
    expect(runCheck([], io, PROFILES_ONLY)).toBe(1);
    expect(io.err).toMatch(/^missing: dist\/kind\/argocd\/root\.yaml \(a synth writes it, \d+ lines\)$/m);
  });

  test('fails on a file a synth no longer writes', () => {
    writeFileSync(join(root, 'dist', 'production', '25-left-over.yaml'), 'kind: ConfigMap\n');
    const io = capture(root);
    expect(runCheck([], io, PROFILES_ONLY)).toBe(1);
    expect(io.err).toContain('extra:   dist/production/25-left-over.yaml (a synth no longer writes it: delete it)');
  });

  test('fails when a profile changes, and passes after a synth', () => {
    // The committed output was made before the kind profile got one more gateway replica.
    rmSync(root, { recursive: true, force: true });
    root = freshDist({ kind: ['gateway.replicas=7'] });
    const before = capture(root);
    expect(runCheck([], before, PROFILES_ONLY)).toBe(1);
    expect(before.err).toContain('changed: dist/kind/20-platform.yaml');
    expect(before.err).toMatch(/^-  replicas: 7$/m);
    expect(before.err).not.toContain('dist/ocp');
    writeAtomically(join(root, 'dist', 'kind'), freshProfileFiles(loadValues({ profile: 'kind' })));
    const after = capture(root);
    expect(runCheck([], after, PROFILES_ONLY)).toBe(0);
  });

  test('--dist points at another output root', () => {
    const io = capture(root);
    expect(runCheck(['--dist', join(root, 'dist')], capture('/'), PROFILES_ONLY)).toBe(0);
    expect(runCheck(['--dist', 'elsewhere'], io, PROFILES_ONLY)).toBe(1);
    expect(io.err).toMatch(/^missing: elsewhere\/kind\/20-platform\.yaml/m);
  });

  test('bad flags exit 2 with every problem listed', () => {
    const io = capture(root);
    expect(runCheck(['--bogus', '--dist'], io, PROFILES_ONLY)).toBe(2);
    expect(io.err).toContain("--bogus: unknown flag for 'check'");
    expect(io.err).toContain('--dist: needs a value');
  });
});

describe('check and synth agree', () => {
  test('every file `synth --all` writes is byte-identical to what check expects', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mcp-stack-check-synth-'));
    try {
      const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        await expect(runSynth(['--all', '--out', out, '--no-validate'])).resolves.toBe(0);
      } finally {
        write.mockRestore();
      }
      for (const profile of profileNames) {
        const written = readTree(join(out, profile));
        // The ownership mark is the writer's, not the synth's: check compares it through the writer on both sides.
        expect(written.get(OWNER_MARK)).toMatch(/^# Written by mcp-stack-cdk8s/);
        written.delete(OWNER_MARK);
        const expected = freshProfileFiles(loadValues({ profile }));
        const c = compareTrees(expected, written);
        // Files synth does not write yet (before it writes the delivery files too) are the only allowed difference.
        expect({ profile, extra: c.extra.filter((f) => !(f === 'Kustomization' || f.startsWith('argocd/'))), changed: c.changed, missing: c.missing }).toEqual({
          profile,
          extra: [],
          changed: [],
          missing: [],
        });
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('check targets', () => {
  test('other output folders (e.g. a Helm chart) are checked the same way', () => {
    const root = mkdtempSync(join(tmpdir(), 'mcp-stack-check-target-'));
    try {
      const chart = { dir: 'helm', render: () => new Map([['Chart.yaml', 'name: mcp-stack\nversion: 2.0.0\n']]) };
      writeAtomically(join(root, 'dist', 'helm'), new Map([['Chart.yaml', 'name: mcp-stack\nversion: 1.0.0\n']]));
      const io = capture(root);
      expect(runCheck([], io, [chart])).toBe(1);
      expect(io.err).toContain('changed: dist/helm/Chart.yaml');
      expect(io.err).toContain('-version: 1.0.0\n+version: 2.0.0');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

test('npm run check covers every profile and the committed Helm chart', () => {
  expect(profileTargets().map((t) => t.dir)).toEqual([...profileNames, 'helm/mcp-stack']);
});
