/**
 * Upgrading the tool itself on a real API server: the output an earlier version of this project committed (kept in
 * fixtures/earlier/, see its README) is applied first, its Jobs marked finished, then this version's committed output
 * on top, the way a user who synced the earlier version moves to this one: `kubectl apply --server-side` both times
 * (the README's commands), `kubectl apply -f` both times (Argo CD's default), the README's one-time switch from the
 * second to the first, and `helm upgrade` of a release the earlier chart installed, on Helm 3 and Helm 4.
 *
 * No refusal is allowed, and the upgrade must converge: every object of this version reads back exactly as on a
 * second control plane where this version was installed from nothing (server-set fields aside), so nothing the earlier
 * version set and this one dropped is left behind.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { ControlPlane, describeCluster, ROOT } from './control-plane';
import { completeJobs, helmCompletingJobs } from './jobs';
import { CHART, helmOk, type HelmName, restrictedNamespace, tempDir } from './support';

const FIXTURES = join(__dirname, 'fixtures', 'earlier');
/** Each earlier version's output, by the commit that wrote it. */
const EARLIER = readdirSync(FIXTURES).filter((f) => f.endsWith('.tar.gz')).map((f) => f.slice(0, -'.tar.gz'.length)).sort();

/** How an output folder is applied: `kubectl apply -f`, with `--server-side`, or that with `--force-conflicts`. */
type Apply = 'client-side' | 'server-side' | 'server-side, taking over';

/**
 * Plain paths: a profile, how the earlier output was applied, how this one is. Client-side throughout is what Argo
 * CD does by default and what a user who kept typing `kubectl apply -f` does; server-side throughout is the README's.
 */
const PLAIN: [profile: string, first: Apply, then: Apply][] = [
  ['kind', 'client-side', 'client-side'],
  ['kind', 'server-side', 'server-side'],
  ['ocp', 'server-side', 'server-side'],
  ['production', 'server-side', 'server-side'],
  ['production', 'client-side', 'client-side'],
];

/** The YAML files of an output folder, in the order `kubectl apply -f <folder>` reads them. */
function outputFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(dir, f));
}

const APPLY_FLAGS: Record<Apply, string[]> = {
  'client-side': [],
  'server-side': ['--server-side'],
  'server-side, taking over': ['--server-side', '--force-conflicts'],
};

function tryApply(cp: ControlPlane, dir: string, how: Apply): { status: number; stderr: string } {
  return cp.kubectl(['apply', ...APPLY_FLAGS[how], ...outputFiles(dir).flatMap((f) => ['-f', f])]);
}

function applyFolder(cp: ControlPlane, dir: string, how: Apply): void {
  const r = tryApply(cp, dir, how);
  if (r.status !== 0) throw new Error(`kubectl apply ${APPLY_FLAGS[how].join(' ')} of ${dir} was refused:\n${r.stderr}`);
}

/** kind/namespace/name of every object in these YAML files. */
function objectRefs(files: readonly string[]): { kind: string; namespace?: string; name: string }[] {
  return files.flatMap((f) =>
    (loadAll(readFileSync(f, 'utf8')) as any[]).filter(Boolean).map((o) => ({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name })),
  );
}

/** Metadata, labels and annotations the API server or a controller sets, different on every cluster. */
const SERVER_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields'];
const SERVER_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid', 'job-name', 'batch.kubernetes.io/job-name'];
const SERVER_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision'];

/** An object as read back, without what the server sets on its own (identity, times, status, allocated addresses). */
function comparable(o: any): any {
  const strip = (m: any, keys: readonly string[]) => {
    if (!m) return m;
    const kept = Object.fromEntries(Object.entries(m).filter(([k]) => !keys.includes(k)));
    return Object.keys(kept).length ? kept : undefined;
  };
  const out: any = { ...o, metadata: strip(o.metadata, SERVER_METADATA) };
  delete out.status;
  out.metadata.labels = strip(out.metadata.labels, SERVER_LABELS);
  out.metadata.annotations = strip(out.metadata.annotations, SERVER_ANNOTATIONS);
  if (o.kind === 'Service') {
    out.spec = { ...o.spec };
    delete out.spec.clusterIP;
    delete out.spec.clusterIPs;
  }
  if (o.kind === 'Job') {
    out.spec = { ...o.spec, selector: undefined, template: { ...o.spec.template, metadata: { ...o.spec.template.metadata } } };
    out.spec.template.metadata.labels = strip(o.spec.template.metadata.labels, SERVER_LABELS);
  }
  return JSON.parse(JSON.stringify(out));
}

/** Every object of `refs` in `upgraded` that does not read back as in `fresh`, with both versions. */
function differences(upgraded: ControlPlane, fresh: ControlPlane, refs: ReturnType<typeof objectRefs>): string[] {
  const read = (cp: ControlPlane, r: (typeof refs)[number]) =>
    comparable(JSON.parse(cp.kubectlOk(['get', r.kind, r.name, ...(r.namespace ? ['-n', r.namespace] : []), '-o', 'json'])));
  return refs.flatMap((r) => {
    const a = JSON.stringify(read(upgraded, r));
    const b = JSON.stringify(read(fresh, r));
    return a === b ? [] : [`${r.kind} ${r.namespace ?? ''}/${r.name}:\n  upgraded: ${a}\n  fresh:    ${b}`];
  });
}

/**
 * Two control planes: one upgraded from the earlier version, one with this version only. Started one after the other:
 * each takes free ports when it starts, and the first holds its ports before the second looks for some.
 */
async function twoControlPlanes(run: (upgraded: ControlPlane, fresh: ControlPlane) => Promise<void>): Promise<void> {
  const upgraded = await ControlPlane.start();
  try {
    const fresh = await ControlPlane.start();
    try {
      await run(upgraded, fresh);
    } finally {
      await fresh.stop();
    }
  } finally {
    await upgraded.stop();
  }
}

describeCluster()('the output of earlier versions of this project upgrades to this one on a real API server', () => {
  let work: string;
  beforeAll(() => {
    work = tempDir('earlier-versions');
    for (const commit of EARLIER) {
      const r = spawnSync('tar', ['-xzf', join(FIXTURES, `${commit}.tar.gz`), '-C', work, '--one-top-level=' + commit], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`unpacking ${commit}.tar.gz: ${r.stderr}`);
    }
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('at least one earlier version is kept', () => {
    expect(EARLIER.length).toBeGreaterThan(0);
  });

  describe.each(EARLIER)('from %s', (commit) => {
    test.each(PLAIN)('%s: kubectl apply %s, then this version %s', async (profile, first, then) => {
      await twoControlPlanes(async (upgraded, fresh) => {
        const namespace = 'mcp-stack';
        applyFolder(upgraded, join(work, commit, 'dist', profile), first);
        // The earlier version's Jobs ran: a changed Job has a new name, so this version's starts next to it.
        completeJobs(upgraded, namespace);
        applyFolder(upgraded, join(ROOT, 'dist', profile), then);
        applyFolder(fresh, join(ROOT, 'dist', profile), then);
        expect(differences(upgraded, fresh, objectRefs(outputFiles(join(ROOT, 'dist', profile))))).toEqual([]);
      });
    }, 180_000);

    test("kind: kubectl apply -f, then this version with the README's switch to server-side apply", async () => {
      await twoControlPlanes(async (upgraded, fresh) => {
        applyFolder(upgraded, join(work, commit, 'dist', 'kind'), 'client-side');
        completeJobs(upgraded, 'mcp-stack');
        const kind = join(ROOT, 'dist', 'kind');
        // Fields the client-side apply set belong to kubectl's client-side manager: where the server-side apply
        // would set an atomic field (a claim template, an admission policy's match rules) to a value that differs
        // only in what the API server defaulted, kubectl refuses with a conflict, as the README says.
        const plain = tryApply(upgraded, kind, 'server-side');
        expect(plain.status).not.toBe(0);
        expect(plain.stderr).toMatch(/conflict with "kubectl-client-side-apply"/);
        applyFolder(upgraded, kind, 'server-side, taking over');
        // Once taken over, the README's upgrade command needs no force.
        applyFolder(upgraded, kind, 'server-side');
        applyFolder(fresh, kind, 'server-side');
        expect(differences(upgraded, fresh, objectRefs(outputFiles(kind)))).toEqual([]);
      });
    }, 180_000);

    test.each(['helm3', 'helm4'] as HelmName[])('%s: helm upgrade of a release the earlier chart installed, values-kind.yaml', async (helmName) => {
      await twoControlPlanes(async (upgraded, fresh) => {
        const ns = 'mcp';
        const earlier = join(work, commit, 'dist', 'helm', 'mcp-stack');
        const args = (verb: string, chart: string) => [verb, 'mcp', chart, '-n', ns, '-f', join(chart, 'values-kind.yaml'), '--set', 'release.createNamespace=false', '--timeout', '60s'];
        for (const cp of [upgraded, fresh]) restrictedNamespace(cp, ns);
        const results = [
          await helmCompletingJobs(upgraded, helmName, ns, args('install', earlier)),
          await helmCompletingJobs(upgraded, helmName, ns, args('upgrade', CHART)),
          await helmCompletingJobs(fresh, helmName, ns, args('install', CHART)),
        ];
        expect(results.map((r) => [r.status, r.stderr])).toEqual([[0, ''], [0, ''], [0, '']]);
        // The migration Job is named per revision on an upgrade (see the chart's README): Jobs are compared by the
        // paths above; here the release's other objects.
        const manifest = join(work, `${commit}-${helmName}.yaml`);
        writeFileSync(manifest, helmOk(fresh, helmName, ['get', 'manifest', 'mcp', '-n', ns]));
        const refs = objectRefs([manifest])
          .filter((r) => r.kind !== 'Job')
          .map((r) => ({ ...r, namespace: r.namespace ?? (['Namespace', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'].includes(r.kind) ? undefined : ns) }));
        expect(differences(upgraded, fresh, refs)).toEqual([]);
      });
    }, 240_000);
  });
});
