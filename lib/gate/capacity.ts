/**
 * Scheduling simulation: does the output fit the profile's cluster?
 *
 * Algorithm (deterministic):
 * 1. Nodes: `cluster.nodes` identical workers with `cpu - reservedCpu` and `memory - reservedMemory` allocatable,
 *    spread round robin over `cluster.zones` zones (each node its own zone when unset).
 * 2. Queue: DaemonSet pods first (one per node), then every other pod by CPU request (largest first), memory
 *    request, position in the output and replica ordinal.
 * 3. Filter, like the scheduler's hard predicates: enough free CPU and memory; required pod anti-affinity
 *    (both ways) and required pod affinity per topology domain; DoNotSchedule topology spread (maxSkew).
 * 4. Score, lowest wins: weight of preferred anti-affinity terms the node would violate, then pods already in the
 *    domain of ScheduleAnyway spread constraints, then most free CPU and memory left (the default scheduler's
 *    LeastAllocated spreading), then node order.
 * A pod no node accepts stays Pending and is reported with each node's reason.
 */
import { replicasOf, selectorMatches, type Manifest, type Model } from './model';
import { expandPods, type SimPod, type Term } from './capacity-pods';
import { cpuMillis, formatCpu, formatMemory, memoryBytes } from '../../profiles/quantity';
import type { CapacityResult, ClusterCapacity, Sink } from './types';

interface Node {
  name: string;
  zone: string;
  cpu: number;
  memory: number;
  freeCpu: number;
  freeMemory: number;
  pods: SimPod[];
  /** The placed pods that carry required anti-affinity terms, in placement order (most pods carry none). */
  antiPods: SimPod[];
}

const ZONE_KEYS = new Set(['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone']);

function domain(node: Node, key: string): string {
  return ZONE_KEYS.has(key) ? node.zone : node.name;
}

function termMatches(term: Term, owner: SimPod, other: SimPod): boolean {
  return owner !== other && (!term.namespaces || term.namespaces.includes(other.namespace)) && selectorMatches(term.selector, other.labels);
}

function podsInDomain(nodes: Node[], node: Node, key: string): SimPod[] {
  const d = domain(node, key);
  return nodes.filter((n) => domain(n, key) === d).flatMap((n) => n.pods);
}

/** Why `pod` cannot go on `node`, or undefined when it can. */
function rejection(pod: SimPod, node: Node, nodes: Node[]): string | undefined {
  if (node.freeCpu < pod.cpu) return `${formatCpu(node.freeCpu)} CPU free`;
  if (node.freeMemory < pod.memory) return `${formatMemory(node.freeMemory)} memory free`;
  for (const term of pod.antiRequired) {
    const clash = podsInDomain(nodes, node, term.topologyKey).find((o) => termMatches(term, pod, o));
    if (clash) return `required anti-affinity with ${clash.id}`;
  }
  // Anti-affinity is symmetric: a placed pod's required term also keeps matching pods out of its domain.
  for (const n of nodes) {
    for (const other of n.antiPods) {
      if (other.antiRequired.some((t) => domain(n, t.topologyKey) === domain(node, t.topologyKey) && termMatches(t, other, pod))) return `${other.id} requires anti-affinity with it`;
    }
  }
  for (const term of pod.affinityRequired) {
    const anywhere = nodes.some((n) => n.pods.some((o) => termMatches(term, pod, o)));
    const here = podsInDomain(nodes, node, term.topologyKey).some((o) => termMatches(term, pod, o));
    // A pod whose affinity matches itself may start the group (scheduler special case).
    if (!here && (anywhere || !selectorMatches(term.selector, pod.labels))) return 'required pod affinity unsatisfied';
  }
  for (const s of pod.spread.filter((x) => x.hard)) {
    const counts = new Map<string, number>();
    for (const n of nodes) counts.set(domain(n, s.topologyKey), 0);
    for (const n of nodes) for (const o of n.pods) if (o.namespace === pod.namespace && selectorMatches(s.selector, o.labels)) counts.set(domain(n, s.topologyKey), counts.get(domain(n, s.topologyKey))! + 1);
    const min = Math.min(...counts.values());
    if (counts.get(domain(node, s.topologyKey))! + 1 - min > s.maxSkew) return `topology spread (maxSkew ${s.maxSkew} on ${s.topologyKey})`;
  }
  return undefined;
}

function score(pod: SimPod, node: Node, nodes: Node[]): number[] {
  const preferred = pod.antiPreferred.reduce((s, p) => s + (podsInDomain(nodes, node, p.term.topologyKey).some((o) => termMatches(p.term, pod, o)) ? p.weight : 0), 0);
  const soft = pod.spread
    .filter((x) => !x.hard)
    .reduce((s, c) => s + podsInDomain(nodes, node, c.topologyKey).filter((o) => o.namespace === pod.namespace && selectorMatches(c.selector, o.labels)).length, 0);
  return [preferred, soft, -(node.freeCpu - pod.cpu) / Math.max(node.cpu, 1), -(node.freeMemory - pod.memory) / Math.max(node.memory, 1)];
}

function better(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

export interface Placement {
  nodes: Node[];
  pending: { pod: SimPod; reasons: string[] }[];
}

export function simulate(pods: SimPod[], cluster: ClusterCapacity): Placement {
  const cpu = Math.max(0, (cpuMillis(cluster.cpu) ?? 0) - (cpuMillis(cluster.reservedCpu ?? '0') ?? 0));
  const memory = Math.max(0, (memoryBytes(cluster.memory) ?? 0) - (memoryBytes(cluster.reservedMemory ?? '0') ?? 0));
  const zones = Math.max(1, cluster.zones ?? cluster.nodes);
  const nodes: Node[] = Array.from({ length: cluster.nodes }, (_, i) => ({ name: `node-${i + 1}`, zone: `zone-${(i % zones) + 1}`, cpu, memory, freeCpu: cpu, freeMemory: memory, pods: [], antiPods: [] }));
  const daemons = pods.filter((p) => p.daemon).flatMap((p) => nodes.map((n, i) => ({ pod: { ...p, id: p.id.replace(/#\d+$/, `#${n.name}`) }, only: i })));
  const queue = pods
    .filter((p) => !p.daemon)
    .sort((a, b) => b.cpu - a.cpu || b.memory - a.memory || a.order[0] - b.order[0] || a.order[1] - b.order[1]);
  const pending: Placement['pending'] = [];
  const place = (pod: SimPod, candidates: Node[]) => {
    let best: Node | undefined;
    let bestScore: number[] = [];
    const reasons: string[] = [];
    for (const node of candidates) {
      const why = rejection(pod, node, nodes);
      if (why) {
        reasons.push(`${node.name}: ${why}`);
        continue;
      }
      const s = score(pod, node, nodes);
      if (!best || better(s, bestScore)) [best, bestScore] = [node, s];
    }
    if (!best) return pending.push({ pod, reasons });
    best.pods.push(pod);
    if (pod.antiRequired.length) best.antiPods.push(pod);
    best.freeCpu -= pod.cpu;
    best.freeMemory -= pod.memory;
    return 0;
  };
  for (const { pod, only } of daemons) place(pod, [nodes[only]]);
  for (const pod of queue) place(pod, nodes);
  return { nodes, pending };
}

function describeCluster(c: ClusterCapacity): string {
  const none = (q?: string) => !q || /^0+(\.0+)?[a-zA-Z]*$/.test(q);
  const reserved = !none(c.reservedCpu) || !none(c.reservedMemory) ? `, ${c.reservedCpu ?? '0'} CPU / ${c.reservedMemory ?? '0'} reserved per node` : '';
  return `${c.name ? `${c.name}: ` : ''}${c.nodes} × ${c.cpu} CPU / ${c.memory}${reserved}`;
}

function notes(model: Model, pods: SimPod[]): string[] {
  const out: string[] = [];
  if (model.items.some((m) => m.kind === 'Job' || m.kind === 'CronJob')) out.push('Jobs and CronJobs are not placed: they run to completion');
  if (pods.some((p) => p.nodeConstrained)) out.push('node selectors, node affinity and tolerations are not simulated: every node is assumed eligible');
  if (model.items.some((m) => m.kind === 'MCPServer')) out.push("an MCPServer counts as its server pods only; the operator's proxy pods are not included");
  return out;
}

/** Simulates the output on `cluster`; reports Pending pods (and, as warnings, those Pending at HPA maximums). */
export function checkCapacity(model: Model, cluster: ClusterCapacity, sink: Sink): CapacityResult {
  const pods = expandPods(model);
  const { nodes, pending } = simulate(pods, cluster);
  const needCpu = pods.reduce((s, p) => s + p.cpu * (p.daemon ? cluster.nodes : 1), 0);
  const haveCpu = nodes.reduce((s, n) => s + n.cpu, 0);
  for (const { pod, reasons } of pending) {
    sink.error(
      'capacity/pending-pod',
      pod.owner.doc,
      ['spec'],
      `pod ${pod.id} (requests ${formatCpu(pod.cpu)} CPU, ${formatMemory(pod.memory)}) stays Pending on ${describeCluster(cluster)}: ${reasons.join('; ')}`,
      `requests total ${formatCpu(needCpu)} CPU of ${formatCpu(haveCpu)} allocatable: lower requests or replicas, relax anti-affinity, or target a larger cluster`,
    );
  }
  const scaled = new Map<Manifest, number>();
  for (const t of model.templates) {
    const r = replicasOf(model, t.owner);
    if (r.hpa && r.max > r.replicas) scaled.set(t.owner, r.max);
  }
  if (scaled.size && pending.length === 0) {
    const atMax = simulate(expandPods(model, scaled), cluster);
    if (atMax.pending.length) {
      const ids = atMax.pending.map((p) => p.pod.id).join(', ');
      for (const [owner, max] of scaled) {
        const hpa = replicasOf(model, owner).hpa!;
        sink.warn('capacity/hpa-max', hpa.doc, ['spec', 'maxReplicas'], `at maxReplicas ${max} of ${owner.kind} '${owner.name}', ${atMax.pending.length} pod(s) would stay Pending on ${describeCluster(cluster)}: ${ids}`, 'lower maxReplicas or plan for cluster autoscaling');
      }
    }
  }
  return {
    cluster: describeCluster(cluster),
    nodes: nodes.map((n) => ({
      name: n.name,
      cpuMillis: { allocatable: n.cpu, requested: n.cpu - n.freeCpu },
      memoryBytes: { allocatable: n.memory, requested: n.memory - n.freeMemory },
      pods: n.pods.map((p) => p.id),
    })),
    pending: pending.map((p) => p.pod.id),
    notes: notes(model, pods),
  };
}

