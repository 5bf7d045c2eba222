/**
 * The ArgoCD Applications of `dist/<profile>/argocd/`: who syncs what, what deleting them deletes, and where they
 * read from.
 */
import { loadAll } from 'js-yaml';
import { renderProfile } from '../../lib/cli/synth';
import { applicationOf, gitopsFiles, RESOURCES_FINALIZER, SYNC_WAVE } from '../../lib/gitops';
import { loadValues } from '../../profiles/loader';

const PROFILES = ['kind', 'ocp', 'production'];

const UNIT_FILES = [
  '00-namespace.yaml',
  '10-database.yaml',
  '20-platform.yaml',
  '30-network-policies.yaml',
  '40-benchmark.yaml',
  'tenants/acme/00-guardrails.yaml',
  'tenants/acme/10-workloads/time.yaml',
  'tenants/acme/20-argocd.yaml',
];

const GITOPS_SETS = [
  'gitops.repoURL=https://git.example.com/platform/deploy.git',
  'gitops.targetRevision=release-7',
  'gitops.pathPrefix=clusters/east',
  'gitops.argocdNamespace=openshift-gitops',
  'gitops.project=platform',
];

function docsOf(text: string | undefined): any[] {
  if (text === undefined) throw new Error('file not generated');
  return (loadAll(text) as any[]).filter((d) => d != null);
}

function application(files: Map<string, string>, name: string): any {
  const docs = docsOf(files.get(`argocd/${name}.yaml`));
  expect(docs).toHaveLength(1);
  expect(docs[0]).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' });
  return docs[0];
}

/** Files an include glob of the form `a` or `{a,b}` names. */
function included(glob: string): string[] {
  return glob.startsWith('{') ? glob.slice(1, -1).split(',') : [glob];
}

describe('Applications for the ocp profile with every unit and a tenant', () => {
  const values = loadValues({ profile: 'ocp', sets: GITOPS_SETS });
  const files = gitopsFiles(values, UNIT_FILES);

  test('writes the root, one Application per unit, and the kustomization', () => {
    expect([...files.keys()].sort()).toEqual([
      'Kustomization',
      'argocd/benchmark.yaml',
      'argocd/database.yaml',
      'argocd/platform.yaml',
      'argocd/root.yaml',
      'argocd/tenants.yaml',
    ]);
  });

  test('every Application reads the repository, revision and path prefix of the profile', () => {
    for (const name of ['root', 'database', 'platform', 'benchmark', 'tenants']) {
      const app = application(files, name);
      expect({ name, ns: app.metadata.namespace, repo: app.spec.source.repoURL, rev: app.spec.source.targetRevision }).toEqual({
        name,
        ns: 'openshift-gitops',
        repo: 'https://git.example.com/platform/deploy.git',
        rev: 'release-7',
      });
      expect(app.spec.source.path.startsWith('clusters/east/ocp')).toBe(true);
      expect(app.spec.project).toBe('platform');
    }
  });

  test('the root is the app of apps: it syncs the argocd folder, except its own file, into the ArgoCD namespace', () => {
    const root = application(files, 'root');
    expect(root.metadata.name).toBe('mcp-stack');
    expect(root.spec.source).toMatchObject({ path: 'clusters/east/ocp/argocd', directory: { exclude: 'root.yaml' } });
    expect(root.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'openshift-gitops' });
    expect(root.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(root.metadata.annotations?.[SYNC_WAVE]).toBeUndefined();
  });

  test('the database Application never prunes and has no finalizer, so deleting it keeps Postgres and the namespace', () => {
    const db = application(files, 'database');
    expect(db.metadata.name).toBe('mcp-stack-database');
    expect(db.metadata.finalizers).toBeUndefined();
    expect(db.spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: true });
    expect(db.spec.source).toMatchObject({ path: 'clusters/east/ocp', directory: { include: '{00-namespace.yaml,10-database.yaml}' } });
    expect(db.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'mcp-stack' });
  });

  test('the platform Application prunes, self-heals and deletes its objects with it', () => {
    const platform = application(files, 'platform');
    expect(platform.metadata.finalizers).toEqual([RESOURCES_FINALIZER]);
    expect(platform.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(platform.spec.source.directory).toEqual({ include: '{20-platform.yaml,30-network-policies.yaml}' });
  });

  test('the benchmark Application only syncs by hand', () => {
    const bench = application(files, 'benchmark');
    expect(bench.spec.syncPolicy.automated).toBeUndefined();
    expect(bench.spec.source.directory).toEqual({ include: '40-benchmark.yaml' });
    expect(bench.metadata.finalizers).toEqual([RESOURCES_FINALIZER]);
  });

  test('the tenants Application syncs each tenant folder but not the workloads the tenant Applications own', () => {
    const tenants = application(files, 'tenants');
    expect(tenants.spec.source.path).toBe('clusters/east/ocp/tenants');
    expect(tenants.spec.source.directory.recurse).toBe(true);
    expect(tenants.spec.source.directory.include).not.toContain('10-workloads');
  });

  test('the root orders its children: database, then platform, then benchmark and tenants', () => {
    const wave = (name: string) => Number(application(files, name).metadata.annotations[SYNC_WAVE]);
    expect([wave('database'), wave('platform'), wave('benchmark'), wave('tenants')]).toEqual([0, 1, 2, 2]);
  });

  test('each numbered file is synced by exactly one Application', () => {
    const owners = new Map<string, string[]>();
    for (const name of ['database', 'platform', 'benchmark']) {
      for (const file of included(application(files, name).spec.source.directory.include)) owners.set(file, [...(owners.get(file) ?? []), name]);
    }
    const numbered = UNIT_FILES.filter((f) => !f.includes('/'));
    expect(Object.fromEntries(numbered.map((f) => [f, owners.get(f)]))).toEqual(Object.fromEntries(numbered.map((f) => [f, [applicationOf(f)]])));
  });
});

describe('Applications follow the files the profile has', () => {
  test('no benchmark or tenants Application without their files', () => {
    const files = gitopsFiles(loadValues({ profile: 'kind' }), ['00-namespace.yaml', '10-database.yaml', '20-platform.yaml']);
    expect([...files.keys()].sort()).toEqual(['Kustomization', 'argocd/database.yaml', 'argocd/platform.yaml', 'argocd/root.yaml']);
    expect(application(files, 'platform').spec.source.directory).toEqual({ include: '20-platform.yaml' });
  });

  test('a new numbered unit is synced by the platform Application', () => {
    const files = gitopsFiles(loadValues({ profile: 'kind' }), ['00-namespace.yaml', '10-database.yaml', '20-platform.yaml', '50-monitoring.yaml']);
    expect(application(files, 'platform').spec.source.directory.include).toBe('{20-platform.yaml,50-monitoring.yaml}');
  });

  test('with gitops disabled only the kustomization is written', () => {
    const files = gitopsFiles(loadValues({ profile: 'kind', sets: ['gitops.enabled=false'] }), UNIT_FILES);
    expect([...files.keys()]).toEqual(['Kustomization']);
  });

  test('files it generated itself are ignored when passed back in', () => {
    const values = loadValues({ profile: 'kind' });
    const first = gitopsFiles(values, UNIT_FILES);
    expect(gitopsFiles(values, [...UNIT_FILES, ...first.keys()])).toEqual(first);
  });
});

describe.each(PROFILES)('the real %s profile', (profile) => {
  const values = loadValues({ profile, sets: ['benchmark.enabled=true'] });
  const units = renderProfile(values);
  const files = gitopsFiles(values, [...units.keys()]);

  test('is deterministic', () => {
    expect(gitopsFiles(values, [...units.keys()])).toEqual(files);
  });

  test('every file the database Application syncs exists, and the PostgresCluster refuses pruning and deletion', () => {
    const include = included(application(files, 'database').spec.source.directory.include);
    for (const file of include) expect(units.has(file)).toBe(true);
    const clusters = include.flatMap((f) => docsOf(units.get(f))).filter((o) => o.kind === 'PostgresCluster');
    for (const c of clusters) expect(c.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
  });

  test('paths default to dist/<profile>', () => {
    expect(application(files, 'platform').spec.source.path).toBe(`dist/${profile}`);
    expect(application(files, 'root').spec.source.path).toBe(`dist/${profile}/argocd`);
  });
});
