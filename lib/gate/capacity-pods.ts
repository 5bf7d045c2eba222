/**
 * The pods the output asks the scheduler for, with their effective requests and placement rules: workload
 * replicas (HPA minimum when scaled), one per node for DaemonSets, and the pods operators create for a
 * PostgresCluster (instances, PgBouncer, pgBackRest repo host) or an MCPServer.
 */
import { containersOf, isPlainObject, replicasOf, type LabelSelector, type Manifest, type Model, type PodTemplate } from './model';
import { cpuMillis, memoryBytes } from '../../profiles/quantity';

export interface Term {
  selector: LabelSelector;
  topologyKey: string;
  /** Namespaces the term looks at; undefined means all. */
  namespaces?: string[];
}

export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  hard: boolean;
}

export interface SimPod {
  id: string;
  owner: Manifest;
  namespace: string;
  labels: Record<string, string>;
  cpu: number;
  memory: number;
  daemon: boolean;
  /** Position of the owner in the output, then the replica ordinal: the tie-break after size. */
  order: [number, number];
  antiRequired: Term[];
  antiPreferred: { weight: number; term: Term }[];
  affinityRequired: Term[];
  spread: SpreadConstraint[];
  /** Uses node selectors, node affinity or tolerations the simulation does not model. */
  nodeConstrained: boolean;
}

function requests(resources: any): { cpu: number; memory: number } {
  return { cpu: cpuMillis(resources?.requests?.cpu) ?? 0, memory: memoryBytes(resources?.requests?.memory) ?? 0 };
}

/** Kubernetes' effective pod request: the larger of the app containers' sum and the largest init container. */
export function podRequests(spec: any): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  let initCpu = 0;
  let initMemory = 0;
  for (const { c, init } of containersOf(spec)) {
    const r = requests(c.resources);
    if (!init || c.restartPolicy === 'Always') {
      cpu += r.cpu;
      memory += r.memory;
    } else {
      initCpu = Math.max(initCpu, r.cpu);
      initMemory = Math.max(initMemory, r.memory);
    }
  }
  return { cpu: Math.max(cpu, initCpu), memory: Math.max(memory, initMemory) };
}

function terms(list: unknown, ns: string): Term[] {
  return (Array.isArray(list) ? list : []).filter(isPlainObject).map((t: any) => ({
    selector: t.labelSelector ?? {},
    topologyKey: t.topologyKey,
    namespaces: isPlainObject(t.namespaceSelector) && Object.keys(t.namespaceSelector).length === 0 ? undefined : Array.isArray(t.namespaces) && t.namespaces.length ? t.namespaces : [ns],
  }));
}

function rules(spec: any, ns: string): Pick<SimPod, 'antiRequired' | 'antiPreferred' | 'affinityRequired' | 'spread' | 'nodeConstrained'> {
  const anti = spec?.affinity?.podAntiAffinity;
  return {
    antiRequired: terms(anti?.requiredDuringSchedulingIgnoredDuringExecution, ns),
    antiPreferred: (Array.isArray(anti?.preferredDuringSchedulingIgnoredDuringExecution) ? anti.preferredDuringSchedulingIgnoredDuringExecution : [])
      .filter(isPlainObject)
      .map((p: any) => ({ weight: Number(p.weight) || 1, term: terms([p.podAffinityTerm], ns)[0] }))
      .filter((p: { term?: Term }) => p.term),
    affinityRequired: terms(spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution, ns),
    spread: (Array.isArray(spec?.topologySpreadConstraints) ? spec.topologySpreadConstraints : []).filter(isPlainObject).map((s: any) => ({
      maxSkew: Number(s.maxSkew) || 1,
      topologyKey: s.topologyKey,
      selector: s.labelSelector ?? {},
      hard: s.whenUnsatisfiable !== 'ScheduleAnyway',
    })),
    nodeConstrained: !!(spec?.nodeSelector || spec?.affinity?.nodeAffinity || spec?.tolerations),
  };
}

/** More replicas than this are not simulated one by one (a typo such as 3000000000 must not exhaust memory). */
export const MAX_SIMULATED_REPLICAS = 1000;

function podsOf(owner: Manifest, count: number, labels: Record<string, string>, spec: any, req: { cpu: number; memory: number }, daemon = false, suffix = ''): SimPod[] {
  const ns = owner.namespace ?? '';
  const base = `${owner.kind}/${ns ? `${ns}/` : ''}${owner.name}${suffix}`;
  return Array.from({ length: Math.max(0, Math.min(count, MAX_SIMULATED_REPLICAS)) }, (_, i) => ({
    id: `${base}#${i + 1}`,
    owner,
    namespace: ns,
    labels,
    ...req,
    daemon,
    order: [owner.doc, i] as [number, number],
    ...rules(spec, ns),
  }));
}

function workloadPods(model: Model, t: PodTemplate, overrideReplicas?: Map<Manifest, number>): SimPod[] {
  const m = t.owner;
  const req = podRequests(t.spec);
  if (m.kind === 'DaemonSet') return podsOf(m, 1, t.labels, t.spec, req, true);
  if (m.kind === 'Pod') return podsOf(m, 1, t.labels, t.spec, req);
  const n = overrideReplicas?.get(m) ?? replicasOf(model, m).replicas;
  return podsOf(m, n, t.labels, t.spec, req);
}

function sum(...rs: { cpu: number; memory: number }[]): { cpu: number; memory: number } {
  return rs.reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory }), { cpu: 0, memory: 0 });
}

function postgresClusterPods(m: Manifest): SimPod[] {
  const spec = m.obj.spec ?? {};
  const key = 'postgres-operator.crunchydata.com';
  const cluster = { [`${key}/cluster`]: m.name };
  const pgbackrestSidecar = requests(spec.backups?.pgbackrest?.sidecars?.pgbackrest?.resources);
  const exporter = requests(spec.monitoring?.pgmonitor?.exporter?.resources);
  const pods: SimPod[] = [];
  for (const set of Array.isArray(spec.instances) ? spec.instances : []) {
    if (!isPlainObject(set)) continue;
    const labels = { ...cluster, [`${key}/instance-set`]: String(set.name ?? ''), [`${key}/data`]: 'postgres' };
    const req = sum(requests(set.resources), requests(set.sidecars?.replicaCertCopy?.resources), pgbackrestSidecar, exporter);
    pods.push(...podsOf(m, typeof set.replicas === 'number' ? set.replicas : 1, labels, set, req, false, `/${set.name}`));
  }
  const bouncer = spec.proxy?.pgBouncer;
  if (isPlainObject(bouncer)) {
    pods.push(...podsOf(m, typeof bouncer.replicas === 'number' ? bouncer.replicas : 1, { ...cluster, [`${key}/role`]: 'pgbouncer' }, bouncer, requests(bouncer.resources), false, '/pgbouncer'));
  }
  const repos = spec.backups?.pgbackrest?.repos;
  if (Array.isArray(repos) && repos.some((r: any) => isPlainObject(r?.volume))) {
    const host = spec.backups.pgbackrest.repoHost ?? {};
    pods.push(...podsOf(m, 1, { ...cluster, [`${key}/data`]: 'pgbackrest' }, host, requests(host.resources), false, '/repo-host'));
  }
  return pods;
}

function mcpServerPods(m: Manifest, model: Model): SimPod[] {
  const t = model.templates.find((x) => x.owner === m);
  const fromTemplate = t ? podRequests(t.spec) : { cpu: 0, memory: 0 };
  const req = fromTemplate.cpu || fromTemplate.memory ? fromTemplate : requests(m.obj.spec?.resources);
  const labels = { 'app.kubernetes.io/name': 'mcpserver', 'app.kubernetes.io/instance': m.name, ...(t?.labels ?? {}) };
  return podsOf(m, typeof m.obj.spec?.replicas === 'number' ? m.obj.spec.replicas : 1, labels, t?.spec ?? {}, req);
}

/** Every pod the output would run, unordered. `overrideReplicas` replaces replica counts (e.g. at the HPA maximum). */
export function expandPods(model: Model, overrideReplicas?: Map<Manifest, number>): SimPod[] {
  const pods: SimPod[] = [];
  for (const t of model.templates) {
    if (!t.longRunning || t.partial) continue;
    pods.push(...workloadPods(model, t, overrideReplicas));
  }
  for (const m of model.items) {
    if (m.group === 'postgres-operator.crunchydata.com' && m.kind === 'PostgresCluster') pods.push(...postgresClusterPods(m));
    if (m.group === 'toolhive.stacklok.dev' && m.kind === 'MCPServer') pods.push(...mcpServerPods(m, model));
  }
  return pods;
}
