/**
 * Composition root of the stack: values in, ordered deployable units out. Each unit becomes one file of the plain
 * output (numbered so `kubectl apply -f` creates the namespace and the database before the workloads).
 */
import { ApiObject, App, Chart } from 'cdk8s';
import type { Values } from '../profiles/schema';
import { BenchmarkChart, benchmarkGateway, benchmarkTarget } from '../charts/benchmark';
import { DatabaseChart } from '../charts/database';
import { NamespaceChart } from '../charts/namespace';
import { NetworkChart } from '../charts/network';
import { PlatformChart } from '../charts/platform';
import { StackContext } from './core/context';
import { withSyncWave } from './gitops/waves';

/** One deployable unit: its file in the output and its objects, in apply order. */
export interface Unit {
  readonly name: string;
  readonly file: string;
  readonly objects: any[];
}

export interface Stack {
  readonly ctx: StackContext;
  readonly units: Unit[];
}

export function buildStack(values: Values): Stack {
  const ctx = StackContext.fromValues(values);
  const app = new App({ outdir: 'cdk8s.out' });
  const charts: [string, string, Chart][] = [];
  charts.push(['namespace', '00-namespace.yaml', new NamespaceChart(app, 'namespace', ctx)]);
  const database = new DatabaseChart(app, 'database', ctx);
  charts.push(['database', '10-database.yaml', database]);
  const platform = new PlatformChart(app, 'platform', ctx, database.connection);
  charts.push(['platform', '20-platform.yaml', platform]);
  // Built before the NetworkPolicies: they allow exactly the flows every other unit declared.
  const benchmark = values.benchmark.enabled
    ? new BenchmarkChart(app, 'benchmark', ctx, benchmarkTarget(platform), benchmarkGateway(platform.gateway))
    : undefined;
  if (values.networkPolicies.enabled) charts.push(['network', '30-network-policies.yaml', new NetworkChart(app, 'network', ctx)]);
  if (benchmark) charts.push(['benchmark', '40-benchmark.yaml', benchmark]);

  validateConstructs(app);
  const units = charts.map(([name, file, chart]) => {
    const objects = sortForApply(renderChart(chart)).map(withSyncWave);
    return { name, file, objects: KEPT_UNITS.has(name) ? objects.map(keepOnUninstall) : objects };
  });
  return { ctx, units };
}

/** Units whose objects outlive the platform: the namespace and the database stay when Helm or ArgoCD uninstalls. */
const KEPT_UNITS = new Set(['namespace', 'database']);

function keepOnUninstall(o: any): any {
  const annotations = { ...(o.metadata.annotations ?? {}), 'helm.sh/resource-policy': 'keep', 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' };
  return { ...o, metadata: { ...o.metadata, annotations } };
}

/** Construct-level validations (`node.addValidation`), gathered into one error like `app.synth()` does. */
function validateConstructs(app: App): void {
  const errors: string[] = [];
  for (const c of app.node.findAll()) {
    for (const message of c.node.validate()) errors.push(`[${c.node.path}] ${message}`);
  }
  if (errors.length) throw new Error(`validation failed:\n  ${errors.join('\n  ')}`);
}

function renderChart(chart: Chart): any[] {
  return chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
}

/** Helm's install order by kind, so dependencies (namespace, accounts, config, storage) come before workloads. */
const KIND_ORDER = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodDisruptionBudget', 'ServiceAccount', 'Secret',
  'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole',
  'ClusterRoleBinding', 'Role', 'RoleBinding', 'Service', 'DaemonSet', 'Pod', 'ReplicaSet', 'Deployment',
  'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService',
];

export function sortForApply(objects: any[]): any[] {
  const rank = (o: any) => {
    const i = KIND_ORDER.indexOf(o.kind);
    return i < 0 ? KIND_ORDER.length : i;
  };
  const key = (o: any) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  return [...objects].sort((a, b) => rank(a) - rank(b) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
