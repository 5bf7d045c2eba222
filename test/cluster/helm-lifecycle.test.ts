/**
 * The Helm lifecycle on a real API server, Helm 3 and Helm 4: install, upgrade, rollback (the gateway settings and
 * the pods' checksum go back to the old revision) and uninstall (what stays is exactly what the README lists: the
 * database and its volume; the Redis volume goes with its StatefulSet). The Jobs Helm waits for are marked
 * complete through the status subresource (no kubelet here).
 */
import { join } from 'node:path';
import { ControlPlane, describeCluster } from './control-plane';
import { helmCompletingJobs } from './jobs';
import { CHART, eventually, helmOk, type HelmName } from './support';

/** What a namespace holds, by kind/name, without what Kubernetes itself puts there. */
function contents(cp: ControlPlane, ns: string): string[] {
  const kinds = 'deployments,statefulsets,services,configmaps,secrets,jobs,cronjobs,persistentvolumeclaims,poddisruptionbudgets,horizontalpodautoscalers,ingresses,networkpolicies,serviceaccounts';
  const items = JSON.parse(cp.kubectlOk(['get', kinds, '-n', ns, '-o', 'json'])).items as any[];
  return items
    .filter((o) => !['kube-root-ca.crt', 'openshift-service-ca.crt', 'default'].includes(o.metadata.name))
    .map((o) => `${o.kind}/${o.metadata.name}`)
    .sort();
}

describeCluster()('Helm lifecycle on a real API server', () => {
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await ControlPlane.start();
  }, 120_000);
  afterAll(async () => {
    await cp?.stop();
  }, 60_000);

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
      cp.kubectlOk(['create', 'namespace', ns]);
      cp.kubectlOk(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted']);

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
      cp.kubectlOk(['create', 'namespace', waited]);
      cp.kubectlOk(['label', 'namespace', waited, 'pod-security.kubernetes.io/enforce=restricted']);
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
