/**
 * One-way doors on a real API server. Each change below is one the server (or the volume claim behind an operator)
 * refuses to apply in place. The synth must refuse it first (exit 2, the door and the manual step named, nothing
 * written); written anyway, the server must refuse it too (so the door is real, not a guess); and after the manual
 * step the refusal names, the change must apply. The chart refuses the same doors on `helm upgrade` (Helm 3 and 4),
 * reading the release's volumes with `lookup`, and lets the upgrade through once the manual step is done.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tree } from '../support';
import { ControlPlane, describeCluster, suiteControlPlane } from './control-plane';
import { helmCompletingJobs } from './jobs';
import { CHART, cli, helm, type HelmName, restrictedNamespace, serverSideApply, synthStream, tempDir } from './support';

/** The numbered files of an output folder as one stream, as `kubectl apply -f <folder>` reads them. */
function folderStream(dir: string): string {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => readFileSync(join(dir, f), 'utf8')).join('\n---\n');
}

/** Every file of a folder with its text, to see that a refused synth wrote nothing. */

describeCluster()('one-way doors on a real API server', () => {
  const controlPlane = suiteControlPlane();
  let cp: ControlPlane;
  beforeAll(() => {
    cp = controlPlane();
  });

  describe('plain output: synth compares with the folder it replaces', () => {
    const ns = 'doors';
    // Made when the suite runs, not when it is collected: a suite skipped for want of a control plane runs no hooks,
    // so a folder made at collection would be left behind.
    let out = '';
    let dir = '';
    let base: string[] = [];
    beforeAll(() => {
      out = tempDir('doors');
      dir = join(out, 'kind');
      base = ['--profile', 'kind', '--set', `release.name=${ns}`, '--set', `release.namespace=${ns}`, '--out', out];
    });
    const setArgs = (sets: string[]) => sets.flatMap((s) => ['--set', s]);
    const orphan = (name: string) => cp.kubectlOk(['delete', 'statefulset', name, '-n', ns, '--cascade=orphan']);

    /** The door is refused by synth (message read), by the server when written anyway, and applies after the step. */
    const door = (sets: string[], expected: RegExp[], manualStep: () => void) => {
      const before = tree(dir);
      const r = cli(['synth', ...base, ...setArgs(sets)]);
      expect(r.status).toBe(2);
      for (const e of expected) expect(r.stderr).toMatch(e);
      expect(r.stderr).toMatch(/nothing was written/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(tree(dir)).toEqual(before);
      // Written anyway, the real API server refuses it.
      const forced = synthStream([...base.filter((a, i) => a !== '--out' && base[i - 1] !== '--out'), ...setArgs(sets), '--accept-one-way-doors']);
      const refused = cp.kubectl(['apply', '--server-side', '--field-manager=mcp-stack', '-f', '-'], forced);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/Forbidden: updates to statefulset spec for fields other than/);
      // The manual step, then the change applies and is the new previous release.
      manualStep();
      const w = cli(['synth', ...base, ...setArgs(sets), '--accept-one-way-doors']);
      expect(w.status).toBe(0);
      serverSideApply(cp, folderStream(dir));
    };

    it('first release', () => {
      const r = cli(['synth', ...base]);
      expect(r.status).toBe(0);
      serverSideApply(cp, folderStream(dir));
    });

    it('Redis persistence on', () => {
      door(['redis.persistence.enabled=true'], [/StatefulSet\/doors-redis spec\.volumeClaimTemplates: one-way door: turning Redis persistence on/, /redis\.persistence\.enabled/, /kubectl -n doors delete statefulset doors-redis --cascade=orphan/], () => orphan('doors-redis'));
    });

    it('Redis volume shrink and storage class change (one message lists both)', () => {
      door(
        ['redis.persistence.enabled=true', 'redis.persistence.storage.size=512Mi', 'redis.persistence.storage.storageClass=fast'],
        [/2 problems/, /a volume cannot shrink \(1Gi to 512Mi, redis\.persistence\.storage\.size\)/, /cannot change its storage class \(\(cluster default\) to fast, redis\.persistence\.storage\.storageClass\)/, /delete the claims data-doors-redis-<n>/],
        () => orphan('doors-redis'),
      );
    });

    it('Redis persistence off', () => {
      door(['redis.persistence.enabled=false'], [/turning Redis persistence off/, /delete the claims it leaves \(data-doors-redis-0/], () => orphan('doors-redis'));
    });

    it('standalone Postgres volume grows through its claim template', () => {
      door(['database.standalone.storage.size=10Gi'], [/StatefulSet\/doors-postgres spec\.volumeClaimTemplates\[data\]\.spec\.resources\.requests\.storage: one-way door: .*cannot grow through it \(5Gi to 10Gi, database\.standalone\.storage\.size\)/, /kubectl patch pvc/], () => orphan('doors-postgres'));
    });

    it('standalone Postgres volume shrink', () => {
      door(['database.standalone.storage.size=10Gi', 'database.standalone.storage.size=2Gi'], [/a volume cannot shrink \(10Gi to 2Gi, database\.standalone\.storage\.size\)/, /back up the data/], () => orphan('doors-postgres'));
    });

    it('standalone Postgres storage class', () => {
      door(['database.standalone.storage.size=2Gi', 'database.standalone.storage.storageClass=slow'], [/database\.standalone\.storage\.storageClass/], () => orphan('doors-postgres'));
    });

    it('--previous names the release the cluster runs, also with --stdout', () => {
      const r = cli(['synth', '--profile', 'kind', '--set', `release.name=${ns}`, '--set', `release.namespace=${ns}`, '--set', 'database.standalone.storage.size=1Gi', '--set', 'database.standalone.storage.storageClass=slow', '--stdout', '--previous', dir]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/a volume cannot shrink \(2Gi to 1Gi/);
      const missing = cli(['synth', '--stdout', '--previous', join(out, 'no-such-folder')]);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toMatch(/--previous: no such folder/);
    });
  });

  it('PGO volumes: synth refuses a shrink or class change, which the claim PGO manages would refuse', () => {
    const out = tempDir('doors-pgo');
    const base = ['synth', '--profile', 'production', '--out', out];
    expect(cli(base).status).toBe(0);
    const r = cli([...base, '--set', 'database.pgo.instances.storage.size=1Gi', '--set', 'database.pgo.backups.storage.storageClass=other']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/PostgresCluster\/mcp-stack-pg spec\.instances\[instance1\]\.dataVolumeClaimSpec\.resources\.requests\.storage: one-way door: a volume cannot shrink .*database\.pgo\.instances\.storage\.size/);
    expect(r.stderr).toMatch(/repos\[repo1\]\.volume\.volumeClaimSpec\.storageClassName: one-way door: .*database\.pgo\.backups\.storage\.storageClass/);
    // The operator applies those sizes to PersistentVolumeClaims; the real API server refuses to shrink one.
    cp.kubectlOk(['create', 'namespace', 'pvc-shrink']);
    const pvc = (size: string) => `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: pvc-shrink}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: ${size}}}}\n`;
    serverSideApply(cp, pvc('10Gi'));
    const shrink = cp.kubectl(['apply', '--server-side', '--field-manager=mcp-stack', '-f', '-'], pvc('1Gi'));
    expect(shrink.status).not.toBe(0);
    expect(shrink.stderr).toMatch(/PersistentVolumeClaim "data" is invalid/);
  });

  describe.each(['helm3', 'helm4'] as HelmName[])('helm upgrade on %s refuses them with lookup', (helmName) => {
    const ns = `doors-${helmName}`;
    const sets: string[] = ['release.createNamespace=false', 'redis.persistence.enabled=true'];
    const args = (verb: 'install' | 'upgrade', extra: string[] = []) => [verb, 'mcp', CHART, '-n', ns, '-f', join(CHART, 'values-kind.yaml'), ...[...sets, ...extra].flatMap((s) => ['--set', s]), '--timeout', '60s'];
    const revision = () => JSON.parse(helm(cp, helmName, ['history', 'mcp', '-n', ns, '-o', 'json']).stdout).length;

    it('install', async () => {
      restrictedNamespace(cp, ns);
      const r = await helmCompletingJobs(cp, helmName, ns, args('install'));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }, 90_000);

    it.each([
      ['Redis volume shrink', ['redis.persistence.storage.size=512Mi'], /redis\.persistence\.storage\.size: one-way door: a volume cannot shrink \(1Gi to 512Mi\)/],
      ['Redis persistence off', ['redis.persistence.enabled=false'], /redis\.persistence\.enabled: one-way door: turning Redis persistence off .*kubectl -n doors-helm\d delete statefulset mcp-redis --cascade=orphan/],
      ['Postgres volume grows through its claim template', ['database.standalone.storage.size=8Gi'], /database\.standalone\.storage\.size: one-way door: .*cannot grow through it \(5Gi to 8Gi\)/],
      ['Postgres storage class', ['database.standalone.storage.storageClass=fast'], /database\.standalone\.storage\.storageClass: one-way door: a volume cannot change its storage class \(\(cluster default\) to fast\)/],
    ])('%s is refused before anything is applied', (_label, change, expected) => {
      const before = revision();
      const r = helm(cp, helmName, args('upgrade', change));
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/one-way doors: the cluster cannot apply this release/);
      expect(r.stderr).toMatch(expected);
      expect(revision()).toBe(before);
    });

    it('after the manual step the upgrade goes through', async () => {
      cp.kubectlOk(['delete', 'statefulset', 'mcp-redis', '-n', ns, '--cascade=orphan']);
      sets.push('redis.persistence.enabled=false');
      const r = await helmCompletingJobs(cp, helmName, ns, args('upgrade'));
      if (r.status !== 0) throw new Error(`${helmName} upgrade failed:\n${r.stderr}`);
      const sts = JSON.parse(cp.kubectlOk(['get', 'statefulset', 'mcp-redis', '-n', ns, '-o', 'json']));
      expect(sts.spec.volumeClaimTemplates ?? []).toEqual([]);
    }, 90_000);
  });
});
