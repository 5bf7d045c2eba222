/**
 * Composition root of the stack: values in, ordered deployable units out. Each unit becomes one file of the plain
 * output (numbered so `kubectl apply -f` creates the namespace and the database before the workloads).
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { loadValues } from '../../profiles/loader';
import type { Values } from '../../profiles/schema';
import { BenchmarkChart, benchmarkGateway, benchmarkTarget } from './units/benchmark';
import { DatabaseChart } from './units/database';
import { NamespaceChart } from './units/namespace';
import { NetworkChart } from './units/network';
import { PlatformChart } from './units/platform';
import { TestsChart } from './units/tests';
import { StackContext } from '../constructs/core/context';
import { withSyncWave } from '../gitops/waves';

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

export interface McpStackProps {
  /**
   * The stack's values, validated: `loadValues` from `profiles/loader` builds them from a profile, values files,
   * tenants and `--set`, checking every rule and listing every problem.
   * @default the `kind` profile's values
   */
  readonly values?: Values;
  /**
   * Also the objects only the Helm chart has: its `helm test` hooks (unit `tests`). The plain output has nothing
   * that would run them.
   * @default false
   */
  readonly helmTests?: boolean;
}

/**
 * The whole stack, as the profiles compose it: one cdk8s `Chart` per deployable unit (namespace, database,
 * platform, NetworkPolicies, benchmark), each a child of this construct, so it can be added to any cdk8s `App`.
 */
export class McpStack extends Construct {
  readonly context: StackContext;
  readonly values: Values;
  private readonly charts: [name: string, file: string, chart: Chart][] = [];

  constructor(scope: Construct, id: string, props: McpStackProps = {}) {
    super(scope, id);
    const values = props.values ?? loadValues();
    this.values = values;
    const ctx = StackContext.fromValues(values).attach(this);
    this.context = ctx;
    this.charts.push(['namespace', '00-namespace.yaml', new NamespaceChart(this, 'namespace', ctx, values)]);
    const database = new DatabaseChart(this, 'database', ctx, values);
    this.charts.push(['database', '10-database.yaml', database]);
    const platform = new PlatformChart(this, 'platform', ctx, values, database.connection);
    this.charts.push(['platform', '20-platform.yaml', platform]);
    // Built before the NetworkPolicies: they allow exactly the flows every other unit declared.
    const benchmark = values.benchmark.enabled
      ? new BenchmarkChart(this, 'benchmark', ctx, values, benchmarkTarget(platform), benchmarkGateway(platform.gateway))
      : undefined;
    if (values.networkPolicies.enabled) this.charts.push(['network', '30-network-policies.yaml', new NetworkChart(this, 'network', ctx)]);
    if (benchmark) this.charts.push(['benchmark', '40-benchmark.yaml', benchmark]);
    if (props.helmTests) this.charts.push(['tests', 'tests/gateway-health.yaml', new TestsChart(this, 'tests', ctx, values, platform.gateway)]);
  }

  /** The units in file order, each with its objects sorted for `kubectl apply`, after the constructs' validations. */
  units(): Unit[] {
    validateConstructs(this);
    return this.charts.map(([name, file, chart]) => {
      const objects = sortForApply(renderChart(chart)).map(withSyncWave);
      return { name, file, objects: KEPT_UNITS.has(name) ? objects.map(keepOnUninstall) : objects };
    });
  }
}

/** The stack's units for these values; `helmTests` adds the chart's test hooks (see `McpStackProps`). */
export function buildStack(values: Values, options: { helmTests?: boolean } = {}): Stack {
  const stack = new McpStack(new App({ outdir: 'cdk8s.out' }), 'stack', { values, helmTests: options.helmTests });
  return { ctx: stack.context, units: stack.units() };
}

/** Units whose objects outlive the platform: the namespace and the database stay when Helm or ArgoCD uninstalls. */
const KEPT_UNITS = new Set(['namespace', 'database']);

function keepOnUninstall(o: any): any {
  const annotations = { ...(o.metadata.annotations ?? {}), 'helm.sh/resource-policy': 'keep', 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' };
  return { ...o, metadata: { ...o.metadata, annotations } };
}

/** Construct-level validations (`node.addValidation`), gathered into one error like `app.synth()` does. */
function validateConstructs(root: Construct): void {
  const errors: string[] = [];
  for (const c of root.node.findAll()) {
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
