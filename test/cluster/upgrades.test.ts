/**
 * The upgrade matrix on a real API server: a release, then the same release with one more value changed, for each
 * class of value a user turns (image tags, replicas, resources, toggles on and off, tenants). Each transition is
 * applied on top of the previous one, through `kubectl apply --server-side` and through `helm upgrade` on Helm 3
 * and Helm 4 (one release per path, so a transition costs one apply). Any rejection fails the transition.
 */
import { join } from 'node:path';
import { rmSync, writeFileSync } from 'node:fs';
import { ControlPlane, describeCluster, ROOT, suiteControlPlane } from './control-plane';
import { completeJobs, finishAndExpireJobs, helmCompletingJobs } from './jobs';
import { CHART, type HelmName, restrictedNamespace, serverSideApply, synthStream, tempDir } from './support';

/** One transition: a label and the `--set` values it adds to everything before it. */
type Step = [label: string, sets: string[]];

/** Transitions every path runs, in order, on the kind profile (standalone Postgres, Redis, NGINX). */
export const STACK_STEPS: Step[] = [
  ['gateway image tag', ['images.gateway.tag=v1.0.12']],
  ['nginx image tag', ['images.nginx.tag=1.28.3-alpine']],
  ['redis image tag', ['images.redis.tag=7.4.3']],
  ['postgres image tag', ['images.postgres.tag=17.7-bookworm']],
  ['fast-time-server image tag', ['images.fastTimeServer.tag=0.8.1']],
  ['gateway replicas', ['gateway.replicas=3', 'database.standalone.maxConnections=300']],
  ['nginx replicas', ['nginx.replicas=2']],
  ['fast-time-server replicas', ['fastTimeServer.replicas=3']],
  ['gateway resources', ['gateway.resources.limits.memory=3Gi']],
  ['nginx resources', ['nginx.resources.limits.memory=1Gi']],
  ['redis resources', ['redis.resources.limits.memory=768Mi']],
  ['postgres resources', ['database.standalone.resources.limits.memory=3Gi']],
  ['fast-time-server resources', ['fastTimeServer.resources.limits.memory=128Mi']],
  ['migration resources', ['migration.resources.limits.memory=2Gi']],
  ['registration resources', ['registration.resources.limits.memory=1Gi']],
  ['migration backoff limit', ['migration.backoffLimit=5']],
  ['registration resources after a migration change', ['registration.resources.limits.memory=768Mi']],
  // Escape hatches are part of a Job's pod template: each renames its Job.
  ['migration escape hatch', ['migration.podLabels.team=mcp']],
  ['registration escape hatch', ['registration.podLabels.team=mcp']],
  ['gateway HPA on', ['gateway.hpa.enabled=true', 'gateway.hpa.maxReplicas=4']],
  ['gateway HPA off', ['gateway.hpa.enabled=false']],
  ['gateway PDB off', ['gateway.pdb.enabled=false']],
  ['gateway PDB on', ['gateway.pdb.enabled=true']],
  ['nginx PDB on', ['nginx.pdb.enabled=true']],
  ['nginx off', ['nginx.enabled=false']],
  ['nginx on', ['nginx.enabled=true']],
  ['registration off', ['registration.enabled=false']],
  ['registration on', ['registration.enabled=true']],
  ['gateway plugins off', ['gateway.plugins.enabled=false']],
  ['network policies on', ['networkPolicies.enabled=true']],
  ['network policies off', ['networkPolicies.enabled=false']],
  // The cluster-wide admission policy and its binding go and come back (Helm deletes them; kubectl leaves them).
  ['tenant admission off', ['tenants.admission=none']],
  ['tenant admission on', ['tenants.admission=validating-admission-policy']],
  ['benchmark on', ['benchmark.enabled=true']],
  ['locust image tag', ['images.locust.tag=2.46.7']],
  ['locust workers', ['benchmark.workers=5']],
  ['locust worker resources', ['benchmark.workerResources.limits.memory=2Gi']],
  ['benchmark off', ['benchmark.enabled=false']],
  // The Prometheus Operator's objects (their CRDs are installed here) and the gateway's observability env.
  ['gateway metrics on', ['observability.metrics.enabled=true']],
  ['alert rules on', ['observability.alerts.enabled=true']],
  ['gateway metrics through a PodMonitor', ['observability.metrics.monitor=PodMonitor']],
  ['gateway metrics without the Operator', ['observability.alerts.enabled=false', 'observability.metrics.monitor=none']],
  ['gateway metrics off', ['observability.metrics.enabled=false', 'observability.metrics.monitor=ServiceMonitor']],
  ['gateway traces on', ['observability.tracing.enabled=true', 'observability.tracing.endpoint=http://otel-collector.observability:4317']],
  ['gateway traces off', ['observability.tracing.enabled=false']],
  // The standalone StatefulSet stays (its volume too: it is kept), and the gateway moves to the user's Secret.
  ['external database by Secret', ['database.mode=external', 'database.external.secretName=app-db', 'database.external.urlKey=uri']],
];

/**
 * The Helm paths run one transition per class of value (a Helm upgrade costs a few seconds: hooks, release
 * Secrets), so the tier stays within minutes; the kubectl path runs all of them.
 */
const HELM_CLASSES = new Set([
  'gateway image tag', 'redis image tag', 'postgres image tag', 'gateway replicas', 'gateway resources', 'redis resources',
  'migration resources', 'migration backoff limit', 'migration escape hatch', 'registration escape hatch', 'nginx off', 'nginx on', 'registration off', 'registration on', 'tenant admission off', 'tenant admission on', 'benchmark on', 'locust workers', 'benchmark off',
  'gateway metrics on', 'alert rules on', 'gateway metrics through a PodMonitor', 'gateway metrics without the Operator', 'gateway metrics off', 'gateway traces on', 'gateway traces off',
  'external database by Secret',
]);
export const HELM_STEPS = STACK_STEPS.filter(([label]) => HELM_CLASSES.has(label));

/** pgBackRest's second repository in S3-compatible object storage. */
const PGO_S3 = [
  'database.pgo.backups.s3.enabled=true',
  'database.pgo.backups.s3.bucket=mcp-backups',
  'database.pgo.backups.s3.endpoint=minio.storage.svc:9000',
  'database.pgo.backups.s3.region=us-east-1',
  'database.pgo.backups.s3.uriStyle=path',
  'database.pgo.backups.s3.secretName=pgbackrest-s3',
  'database.pgo.backups.s3.cidrs={10.30.0.0/24}',
  'database.pgo.backups.s3.port=9000',
];

/** Transitions of the PGO path (production): the database is a PostgresCluster. */
export const PGO_STEPS: Step[] = [
  // Redis keeps its volume here (persistence on): the claim template must not change with the image.
  ['redis image tag (persistent Redis)', ['images.redis.tag=7.4.3', `images.redis.digest=sha256:${'3'.repeat(64)}`]],
  ['PGO instance resources', ['database.pgo.instances.resources.limits.memory=12Gi']],
  ['PGO instance replicas', ['database.pgo.instances.replicas=3']],
  // Three PgBouncers share the server connections two had.
  ['PgBouncer replicas', ['database.pgo.pgbouncer.replicas=3', 'database.pgo.pgbouncer.maxDbConnections=230']],
  // Volumes grow through PGO (shrinking is refused at synth time as a one-way door).
  ['PGO storage size up', ['database.pgo.instances.storage.size=60Gi']],
  ['pgBackRest repository size up', ['database.pgo.backups.storage.size=150Gi']],
  ['PGO anti-affinity preferred', ['database.pgo.instances.antiAffinity=preferred', 'database.pgo.pgbouncer.antiAffinity=preferred']],
  ['PGO anti-affinity required', ['database.pgo.instances.antiAffinity=required', 'database.pgo.pgbouncer.antiAffinity=required']],
  ['PGO budgets off', ['database.pgo.instances.pdb.enabled=false', 'database.pgo.pgbouncer.pdb.enabled=false']],
  ['PGO budgets on', ['database.pgo.instances.pdb.enabled=true', 'database.pgo.pgbouncer.pdb.enabled=true']],
  ['object storage repository on', PGO_S3],
  ['in-place restore on', ['database.pgo.restore.enabled=true', 'database.pgo.restore.id=20260131-1200', 'database.pgo.restore.repoName=repo2', 'database.pgo.restore.options={--type=time,--target=2026-01-31 12:00:00+00}']],
  ['in-place restore again', ['database.pgo.restore.id=20260201-0900']],
  ['in-place restore off', ['database.pgo.restore.enabled=false']],
  ['object storage repository off', ['database.pgo.backups.s3.enabled=false', 'database.pgo.backups.s3.cidrs={}']],
  // PGO reads the data source only when it creates a cluster: on a running one the field is accepted and ignored.
  ['data source set', ['database.pgo.dataSource.clusterName=old-pg']],
  ['data source cleared', ['database.pgo.dataSource.clusterName=']],
  ['gateway replicas (HPA min)', ['gateway.hpa.minReplicas=4']],
  ['topology spread off', ['topologySpread.enabled=false']],
  ['network policies off', ['networkPolicies.enabled=false']],
  ['network policies on', ['networkPolicies.enabled=true']],
  ['metrics, the pgmonitor exporter PodMonitor and alert rules on', ['observability.metrics.enabled=true', 'observability.metrics.postgresExporter=true', 'observability.alerts.enabled=true']],
  ['gateway traces on, with the collector addresses', ['observability.tracing.enabled=true', 'observability.tracing.endpoint=http://otel-collector.observability:4317', 'networkPolicies.gatewayEgress.otel.cidrs={10.40.0.0/24}']],
  ['the exporter PodMonitor, alert rules and traces off', ['observability.alerts.enabled=false', 'observability.metrics.postgresExporter=false', 'observability.tracing.enabled=false']],
  // Without the pooler every gateway connection reaches Postgres: max_connections grows with it.
  ['PgBouncer off', ['database.pgo.pgbouncer.enabled=false', 'database.pgo.parameters.max_connections=1300']],
  ['PgBouncer on', ['database.pgo.pgbouncer.enabled=true']],
  ['an existing PGO cluster', ['database.pgo.existingCluster=shared-pg']],
  ['external database by Secret', ['database.mode=external', 'database.pgo.existingCluster=', 'database.external.secretName=app-db', 'database.external.cidrs={10.20.0.0/24}']],
];

const EXAMPLE_TENANTS = join(ROOT, 'examples', 'tenants.yaml');

describeCluster()('upgrade matrix on a real API server', () => {
  const controlPlane = suiteControlPlane();
  let cp: ControlPlane;
  let work: string;
  beforeAll(async () => {
    cp = controlPlane();
    work = tempDir('upgrades');
  }, 120_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  const release = (name: string) => ['--set', `release.name=${name}`, '--set', `release.namespace=${name}`];

  describe('kubectl apply --server-side, kind', () => {
    // A larger declared node than the default laptop, so the gate's scheduling simulation fits the matrix's
    // accumulated replicas and the benchmark.
    const sets: string[] = ['cluster.cpu=16', 'cluster.memory=32Gi'];
    const synth = (extra: string[] = []) => synthStream(['--profile', 'kind', ...release('ssa'), ...sets.flatMap((s) => ['--set', s]), ...extra]);
    it('first release', () => {
      serverSideApply(cp, synth());
    });
    it.each(STACK_STEPS)('%s', (_label, change) => {
      // The Jobs of the previous apply ran (here: are marked finished) and are still there (their TTL is 10
      // minutes): a changed Job has a new name, so the apply goes through at once, with no wait and no delete.
      completeJobs(cp, 'ssa');
      sets.push(...change);
      serverSideApply(cp, synth());
    }, 60_000);
    it('tenants added, then one removed', () => {
      serverSideApply(cp, synth(['--tenants', EXAMPLE_TENANTS]));
      const fewer = join(work, 'tenants-fewer.yaml');
      writeFileSync(fewer, 'tenants:\n  - name: acme\n    servers:\n      - name: fetch\n        image: { repository: docker.io/mcp/fetch, tag: "2025.4.7" }\n        transport: stdio\n');
      serverSideApply(cp, synth(['--tenants', fewer]));
    });
    it('finished Jobs, old names included, remove themselves (TTL controller)', async () => {
      expect(JSON.parse(cp.kubectlOk(['get', 'jobs', '-n', 'ssa', '-o', 'json'])).items.length).toBeGreaterThan(2);
      await finishAndExpireJobs(cp, 'ssa');
    }, 60_000);
  });

  describe('kubectl apply --server-side, production', () => {
    const sets: string[] = [];
    const synth = () => synthStream(['--profile', 'production', ...release('ssa-pgo'), ...sets.flatMap((s) => ['--set', s])]);
    it('first release', () => {
      serverSideApply(cp, synth());
    });
    it.each(PGO_STEPS)('%s', (_label, change) => {
      // A database change changes what the migration Job reads: like any Job change it gets a new Job name, so it
      // applies next to the finished Job at once (and the new Job then migrates the new database).
      completeJobs(cp, 'ssa-pgo');
      sets.push(...change);
      serverSideApply(cp, synth());
    }, 60_000);
  });

  describe.each(['helm3', 'helm4'] as HelmName[])('helm upgrade on %s, values-kind.yaml', (helmName) => {
    const ns = `${helmName}-upgrades`;
    const sets: string[] = ['release.createNamespace=false'];
    const args = (verb: 'install' | 'upgrade') => [verb, 'mcp', CHART, '-n', ns, '-f', join(CHART, 'values-kind.yaml'), ...sets.flatMap((s) => ['--set', s]), '--timeout', '60s'];
    it('first release (namespace created beforehand with the Pod Security labels)', async () => {
      restrictedNamespace(cp, ns);
      const r = await helmCompletingJobs(cp, helmName, ns, args('install'));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }, 90_000);
    const operatorObjects = () => cp.kubectlOk(['get', 'servicemonitors,podmonitors,prometheusrules', '-n', ns, '-o', 'name']).split('\n').filter(Boolean).sort();
    it.each(HELM_STEPS)('%s', async (label, change) => {
      sets.push(...change);
      const r = await helmCompletingJobs(cp, helmName, ns, args('upgrade'));
      if (r.status !== 0) throw new Error(`${helmName} upgrade failed:\n${r.stderr}`);
      // Switching the monitor kind or the rules replaces the objects; turning the Operator off removes them.
      const expected: Record<string, string[]> = {
        'alert rules on': ['prometheusrule.monitoring.coreos.com/mcp-alerts', 'servicemonitor.monitoring.coreos.com/mcp-gateway'],
        'gateway metrics through a PodMonitor': ['podmonitor.monitoring.coreos.com/mcp-gateway', 'prometheusrule.monitoring.coreos.com/mcp-alerts'],
        'gateway metrics without the Operator': [],
      };
      if (label in expected) expect(operatorObjects()).toEqual(expected[label]);
    }, 90_000);
  });
});
