/**
 * `kubectl apply -f dist/<profile>` and `kubectl apply -k dist/<profile>` apply the same documents in the same order.
 * Both run the real kubectl (`npm test` installs it into .tools/bin first); no cluster is needed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { freshProfileFiles } from '../../lib/cli/check';
import { gitopsFiles, KUSTOMIZATION_FILE } from '../../lib/gitops';
import { writeAtomically } from '../../lib/output/index';
import { loadValues } from '../../profiles/loader';

const ROOT = join(__dirname, '..', '..');
const KUBECTL = join(ROOT, '.tools', 'bin', 'kubectl');

function kustomizationOf(files: readonly string[]): any {
  return load(gitopsFiles(loadValues({ profile: 'kind' }), files).get(KUSTOMIZATION_FILE)!);
}

describe('the kustomization', () => {
  test('lists the numbered files in name order and keeps their document order', () => {
    const k = kustomizationOf(['20-platform.yaml', '00-namespace.yaml', '40-benchmark.yaml', '10-database.yaml', '30-network-policies.yaml']);
    expect(k).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      sortOptions: { order: 'fifo' },
      resources: ['00-namespace.yaml', '10-database.yaml', '20-platform.yaml', '30-network-policies.yaml', '40-benchmark.yaml'],
    });
  });

  test('leaves out argocd/ and tenants/, which are applied on their own', () => {
    const k = kustomizationOf(['00-namespace.yaml', 'argocd/root.yaml', 'tenants/acme/00-guardrails.yaml', 'tenants/acme/10-workloads/time.yaml']);
    expect(k.resources).toEqual(['00-namespace.yaml']);
  });

  test('has a name kustomize reads and `kubectl apply -f <folder>` skips (it only reads .yaml, .yml and .json)', () => {
    expect(KUSTOMIZATION_FILE).toBe('Kustomization');
    expect(/\.(ya?ml|json)$/.test(KUSTOMIZATION_FILE)).toBe(false);
  });
});

describe.each(['kind', 'ocp', 'production'])('kubectl with the %s profile', (profile) => {
  const files = freshProfileFiles(loadValues({ profile, sets: ['benchmark.enabled=true'] }));
  const numbered = [...files.keys()].filter((f) => /^[^/]+\.ya?ml$/.test(f)).sort();
  const docs = (f: string) => (loadAll(files.get(f)!) as any[]).filter((d) => d != null);
  let dir = '';

  beforeAll(() => {
    if (!existsSync(KUBECTL)) throw new Error(`${KUBECTL} is missing: run \`npm run tools\` (npm test does it first)`);
    dir = mkdtempSync(join(tmpdir(), 'mcp-stack-kubectl-'));
    writeAtomically(join(dir, profile), files);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('apply -k renders the documents of the numbered files in file order', () => {
    const r = spawnSync(KUBECTL, ['kustomize', join(dir, profile)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const id = (o: any) => `${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
    const applyK = (loadAll(r.stdout) as any[]).filter((d) => d != null).map(id);
    expect(applyK).toEqual(numbered.flatMap((f) => docs(f).map(id)));
    expect(applyK[0]).toMatch(/^Namespace /);
  });

  test('apply -f reads the same documents in the same order, and neither the kustomization nor argocd/', () => {
    // No cluster: every document fails its API lookup, and kubectl names the file of each one, in the order it read them.
    const r = spawnSync(KUBECTL, ['apply', '-f', join(dir, profile), '--dry-run=client', '--validate=false', '--server', 'http://127.0.0.1:9'], {
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: '/dev/null' },
    });
    const read = [...r.stderr.matchAll(/unable to recognize "([^"]+)"/g)].map((m) => m[1].slice(join(dir, profile).length + 1));
    expect(read).toEqual(numbered.flatMap((f) => docs(f).map(() => f)));
  });
});
