/**
 * The ArgoCD Applications of a profile (`dist/<profile>/argocd/`): a root Application (app of apps) and one child per
 * deployable unit. Every child reads the committed plain output, so what a pull request shows is what ArgoCD applies.
 *
 * Deletion is decided per child: the database Application has no resources finalizer, its automated sync never
 * prunes, and its objects carry `Prune=false,Delete=false`, so neither an uninstall nor a cascading delete can remove
 * Postgres or the namespace. The other children have the finalizer: deleting them (or the root) removes their objects.
 */
import { Application, type ApplicationProps, type ApplicationSpecSyncPolicy } from '../../imports/argocd-application-argoproj.io';
import type { Values } from '../../profiles/schema';
import { StackContext } from '../constructs/core/context';
import { tenantsBootstrapApplication } from '../constructs/tenants/argocd';
import { tenantGitops } from '../constructs/tenants/model';
import { APPLICATION_WAVES, ARGOCD_DIR, filesByApplication, repoPath, type ApplicationName } from './layout';
import { SYNC_WAVE } from './waves';

/** Cascading delete: ArgoCD deletes an Application's objects before the Application itself. */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';
/** The in-cluster API server, where ArgoCD runs. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';
/** File of the root Application; the root syncs the other files of its folder, never itself. */
export const ROOT_FILE = 'root.yaml';

/** A failed sync (e.g. the database not ready yet) is retried with backoff instead of waiting for the next change. */
const RETRY = { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } };

/** Applications keyed by file under `argocd/`, plus the root. Empty when GitOps is off. */
export function applicationManifests(values: Values, files: readonly string[]): Map<string, any> {
  const out = new Map<string, any>();
  if (!values.gitops.enabled) return out;
  const ctx = StackContext.fromValues(values);
  const source: ApplicationSource = { gitops: values.gitops, path: repoPath(values) };
  const byApp = filesByApplication(files);
  const database = byApp.get('database');
  const platform = byApp.get('platform');
  const benchmark = byApp.get('benchmark');
  out.set(ROOT_FILE, rootApplication(ctx, { gitops: values.gitops, path: repoPath(values, ARGOCD_DIR) }));
  if (database) {
    out.set('database.yaml', childApplication(ctx, source, 'database', database, {
      // Self-heal drift, but never prune: the database outlives every change of the output.
      syncPolicy: { automated: { prune: false, selfHeal: true }, retry: RETRY, syncOptions: ['CreateNamespace=false'] },
      finalizer: false,
    }));
  }
  if (platform) {
    out.set('platform.yaml', childApplication(ctx, source, 'platform', platform, {
      syncPolicy: { automated: { prune: true, selfHeal: true }, retry: RETRY, syncOptions: ['CreateNamespace=false', 'PruneLast=true'] },
      finalizer: true,
    }));
  }
  if (benchmark) {
    // On demand: never synced automatically; `argocd app sync <release>-benchmark` deploys Locust when a run is wanted.
    out.set('benchmark.yaml', childApplication(ctx, source, 'benchmark', benchmark, {
      syncPolicy: { syncOptions: ['CreateNamespace=false', 'PruneLast=true'] },
      finalizer: true,
    }));
  }
  // The tenants module owns its Application (guardrails, projects and per-server Applications); the root orders it.
  if (byApp.has('tenants')) out.set('tenants.yaml', withWave(tenantsBootstrapApplication(ctx, tenantGitops(values.tenants.gitops, values.gitops, values.profile), values.gitops.project), APPLICATION_WAVES.tenants));
  return out;
}

/** Where an Application reads from: the platform's `gitops` settings and the folder in the repository. */
interface ApplicationSource {
  readonly gitops: Pick<Values['gitops'], 'repoURL' | 'targetRevision' | 'argocdNamespace' | 'project'>;
  readonly path: string;
}

/** The app of apps: syncs `<pathPrefix>/<profile>/argocd/` except its own file, which is applied once by hand. */
function rootApplication(ctx: StackContext, source: ApplicationSource): any {
  const g = source.gitops;
  return Application.manifest({
    metadata: {
      name: ctx.release,
      namespace: g.argocdNamespace,
      labels: ctx.labels('gitops'),
      // Deleting the root deletes the children; each child's own finalizer decides what happens to its objects.
      finalizers: [RESOURCES_FINALIZER],
    },
    spec: {
      project: g.project,
      source: { repoUrl: g.repoURL, targetRevision: g.targetRevision, path: source.path, directory: { exclude: ROOT_FILE } },
      destination: { server: IN_CLUSTER, namespace: g.argocdNamespace },
      syncPolicy: { automated: { prune: true, selfHeal: true }, retry: RETRY },
    },
  });
}

interface ChildOptions {
  readonly syncPolicy: ApplicationSpecSyncPolicy;
  readonly finalizer: boolean;
}

function childApplication(ctx: StackContext, source: ApplicationSource, app: ApplicationName, files: readonly string[], options: ChildOptions): any {
  const g = source.gitops;
  const props: ApplicationProps = {
    metadata: {
      name: ctx.name(app),
      namespace: g.argocdNamespace,
      labels: ctx.labels('gitops'),
      annotations: { [SYNC_WAVE]: String(APPLICATION_WAVES[app]) },
      ...(options.finalizer ? { finalizers: [RESOURCES_FINALIZER] } : {}),
    },
    spec: {
      project: g.project,
      source: {
        repoUrl: g.repoURL,
        targetRevision: g.targetRevision,
        path: source.path,
        // Exactly this Application's files: the folder also holds the other units, argocd/ and tenants/.
        directory: { include: globOf(files) },
      },
      destination: { server: IN_CLUSTER, namespace: ctx.namespace },
      syncPolicy: options.syncPolicy,
    },
  };
  return Application.manifest(props);
}

/** ArgoCD's include glob for a list of files: the file itself, or `{a,b}`. */
export function globOf(files: readonly string[]): string {
  return files.length === 1 ? files[0] : `{${files.join(',')}}`;
}

function withWave(app: any, wave: number): any {
  return { ...app, metadata: { ...app.metadata, annotations: { ...(app.metadata.annotations ?? {}), [SYNC_WAVE]: String(wave) } } };
}

