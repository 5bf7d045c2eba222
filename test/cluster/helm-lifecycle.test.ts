/**
 * The Helm lifecycle on a real API server, Helm 3 and Helm 4: install, upgrade, rollback (the gateway settings and
 * the pods' checksum go back to the old revision) and uninstall (what stays is exactly what the README lists: the
 * database and its volume; the Redis volume goes with its StatefulSet). The Jobs Helm waits for are marked
 * complete through the status subresource (no kubelet here).
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { ControlPlane, describeCluster, suiteControlPlane } from './control-plane';
import { helmCompletingJobs } from './jobs';
import { CHART, contents, eventually, type HelmName, helmOk, restrictedNamespace, tempDir } from './support';

/** The ConfigMaps a release manifest (`helm get manifest`) records. */
function configMapsOf(manifest: string): string[] {
  return (loadAll(manifest) as any[]).filter((o) => o?.kind === 'ConfigMap').map((o) => o.metadata.name);
}

/**
 * The chart as the first release shipped it in this respect: the gateway ConfigMaps were Helm hooks (created before
 * install and upgrade, never recorded in the release). A copy of today's chart with those hook annotations added.
 */
function chartWithConfigMapHooks(): string {
  const dir = join(tempDir('chart-hooks'), 'mcp-stack');
  cpSync(CHART, dir, { recursive: true });
  const file = join(dir, 'templates', '20-platform.yaml');
  const text = readFileSync(file, 'utf8');
  const hooked = text.replace(/^( {4}argocd\.argoproj\.io\/hook-delete-policy: BeforeHookCreation\n)/gm, "$1    helm.sh/hook: pre-install,pre-upgrade\n    helm.sh/hook-weight: '-5'\n    helm.sh/hook-delete-policy: before-hook-creation\n");
  if ((hooked.match(/helm\.sh\/hook: pre-install,pre-upgrade/g) ?? []).length !== 2) throw new Error('expected the two gateway ConfigMaps in the chart');
  writeFileSync(file, hooked);
  return dir;
}


describeCluster()('Helm lifecycle on a real API server', () => {
  const controlPlane = suiteControlPlane();
  let cp: ControlPlane;
  beforeAll(() => {
    cp = controlPlane();
  });

  describe.each(['helm3', 'helm4'] as HelmName[])('%s', (helmName) => {
    const ns = `life-${helmName}`;
    const rel = 'mcp';
    const base = ['-f', join(CHART, 'values-kind.yaml'), '--set', 'release.createNamespace=false', '--set', 'redis.persistence.enabled=true', '--timeout', '60s'];
    const run = async (args: string[]) => {
      const r = await helmCompletingJobs(cp, helmName, ns, [...args, '-n', ns]);
      if (r.status !== 0) throw new Error(`${helmName} ${args.join(' ')} failed:\n${r.stderr}`);
    };
    const gatewaySettings = () => JSON.parse(cp.kubectlOk(['get', 'configmap', `${rel}-gateway`, '-n', ns, '-o', 'json'])).data;
    const podChecksum = () => JSON.parse(cp.kubectlOk(['get', 'deployment', `${rel}-gateway`, '-n', ns, '-o', 'json'])).spec.template.metadata.annotations['checksum/config'];

    it('installs, upgrades, rolls back and uninstalls', async () => {
      restrictedNamespace(cp, ns);

      await run(['install', rel, CHART, ...base]);
      expect(gatewaySettings().LOG_LEVEL).toBe('INFO');
      const firstChecksum = podChecksum();

      await run(['upgrade', rel, CHART, ...base, '--set', 'gateway.logLevel=DEBUG']);
      expect(gatewaySettings().LOG_LEVEL).toBe('DEBUG');
      expect(podChecksum()).not.toBe(firstChecksum);

      await run(['rollback', rel, '1', '--timeout', '60s']);
      expect(gatewaySettings().LOG_LEVEL).toBe('INFO');
      expect(podChecksum()).toBe(firstChecksum);

      // The StatefulSet controller has made the claims by now (Postgres and Redis).
      await eventually(() => contents(cp, ns).includes(`PersistentVolumeClaim/data-${rel}-redis-0`));
      expect(contents(cp, ns)).toEqual(expect.arrayContaining([`PersistentVolumeClaim/data-${rel}-redis-0`, `PersistentVolumeClaim/data-${rel}-postgres-0`]));

      await run(['uninstall', rel, '--timeout', '60s']);
      const kept = [`PersistentVolumeClaim/data-${rel}-postgres-0`, `Service/${rel}-postgres`, `ServiceAccount/${rel}-workload`, `StatefulSet/${rel}-postgres`];
      // The Redis claim goes through the garbage collector once its StatefulSet is gone.
      await eventually(() => JSON.stringify(contents(cp, ns)) === JSON.stringify(kept), 30_000);
      expect(contents(cp, ns)).toEqual(kept);
    }, 240_000);

    it('install --wait completes once the pods turn ready (the migration starts with the release, not after the wait)', async () => {
      const waited = `wait-${helmName}`;
      restrictedNamespace(cp, waited);
      const started = Date.now();
      const r = await helmCompletingJobs(cp, helmName, waited, ['install', rel, CHART, '-n', waited, '-f', join(CHART, 'values-kind.yaml'), '--wait', '--timeout', '90s'], true);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(Date.now() - started).toBeLessThan(90_000);
      const gateway = JSON.parse(cp.kubectlOk(['get', 'deployment', `${rel}-gateway`, '-n', waited, '-o', 'json']));
      expect(gateway.status.readyReplicas).toBe(gateway.spec.replicas);
      // And an upgrade with --wait runs a fresh migration Job (named after the revision) before the pods turn ready.
      const u = await helmCompletingJobs(cp, helmName, waited, ['upgrade', rel, CHART, '-n', waited, '-f', join(CHART, 'values-kind.yaml'), '--set', 'migration.resources.limits.memory=2Gi', '--wait', '--timeout', '90s'], true);
      if (u.status !== 0) throw new Error(`${helmName} upgrade --wait failed:\n${u.stderr}`);
      const jobs = (JSON.parse(cp.kubectlOk(['get', 'jobs', '-n', waited, '-l', 'app.kubernetes.io/component=migration', '-o', 'json'])).items as any[]).map((j) => j.metadata.name);
      expect(jobs).toEqual([expect.stringMatching(new RegExp(`^${rel}-migrate-[0-9a-f]{8}-r2$`))]);
    }, 240_000);

    it('a release whose gateway ConfigMaps were hooks upgrades after the README\'s adoption steps, and uninstall removes them', async () => {
      const old = `adopt-${helmName}`;
      const values = ['-f', join(CHART, 'values-kind.yaml'), '--timeout', '60s'];
      restrictedNamespace(cp, old);
      const installed = await helmCompletingJobs(cp, helmName, old, ['install', rel, chartWithConfigMapHooks(), '-n', old, ...values]);
      if (installed.status !== 0) throw new Error(`${helmName} install of the hook chart failed:\n${installed.stderr}`);
      expect(configMapsOf(helmOk(cp, helmName, ['get', 'manifest', rel, '-n', old]))).not.toContain(`${rel}-gateway`);

      // Without the steps Helm refuses to take over objects it did not record.
      const refused = await helmCompletingJobs(cp, helmName, old, ['upgrade', rel, CHART, '-n', old, ...values]);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/exists and cannot be imported into the current release: invalid ownership metadata/);

      // The README's steps.
      const maps = [`${rel}-gateway`, `${rel}-gateway-plugins`];
      cp.kubectlOk(['-n', old, 'annotate', 'configmap', ...maps, `meta.helm.sh/release-name=${rel}`, `meta.helm.sh/release-namespace=${old}`]);
      cp.kubectlOk(['-n', old, 'label', '--overwrite', 'configmap', ...maps, 'app.kubernetes.io/managed-by=Helm']);
      const adopted = await helmCompletingJobs(cp, helmName, old, ['upgrade', rel, CHART, '-n', old, ...values, '--set', 'gateway.logLevel=DEBUG']);
      if (adopted.status !== 0) throw new Error(`${helmName} upgrade after adoption failed:\n${adopted.stderr}`);
      const cm = JSON.parse(cp.kubectlOk(['get', 'configmap', `${rel}-gateway`, '-n', old, '-o', 'json']));
      expect(cm.data.LOG_LEVEL).toBe('DEBUG');
      // Helm marks what it adopts as its own and keeps that label (nothing in the stack selects on it).
      expect(cm.metadata.labels['app.kubernetes.io/managed-by']).toBe('Helm');
      expect(configMapsOf(helmOk(cp, helmName, ['get', 'manifest', rel, '-n', old]))).toEqual(expect.arrayContaining([`${rel}-gateway`, `${rel}-gateway-plugins`]));

      await helmCompletingJobs(cp, helmName, old, ['uninstall', rel, '-n', old, '--timeout', '60s']);
      const left = contents(cp, old).filter((o) => o.startsWith('ConfigMap/'));
      expect(left).toEqual([]);
    }, 240_000);

    it('installs with the chart\'s own values.yaml into a namespace Helm creates', async () => {
      const fresh = `defaults-${helmName}`;
      const r = await helmCompletingJobs(cp, helmName, fresh, ['install', rel, CHART, '-n', fresh, '--create-namespace', '--timeout', '60s']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const manifest = helmOk(cp, helmName, ['get', 'manifest', rel, '-n', fresh]);
      expect(manifest).not.toMatch(/^kind: Namespace$/m);
      expect(contents(cp, fresh)).toEqual(expect.arrayContaining([`Deployment/${rel}-gateway`, `StatefulSet/${rel}-postgres`]));
    }, 120_000);
  });
});
