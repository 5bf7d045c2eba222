/**
 * NetworkPolicies built from the flows the components declared (`StackContext.allow`): a default deny for the
 * namespace, DNS for every pod, then one policy per pod group allowing exactly its declared ingress and egress.
 */
import { Construct, type IConstruct } from 'constructs';
import { k8s, StackContext, type Flow, type Peer } from './core/context';
import { propProblem, refuseProps } from './core/props-check';

/**
 * The other fields of the `networkPolicies` values (ingress, router, operator and monitoring namespaces, API server
 * and gateway egress addresses) are read by the constructs whose flows they shape; this one allows their flows.
 */
export interface NetworkPoliciesProps {
  /** Release and namespace; its flows are the ones allowed by default. @default StackContext.of(scope) */
  readonly context?: StackContext;
  /**
   * The traffic to allow, beyond DNS; everything else in the namespace is denied.
   * @default the flows declared on the context so far (`ctx.allow`) by every construct made before this one
   */
  readonly flows?: readonly Flow[];
}

/**
 * A default deny for the namespace, DNS for every pod, and one policy per pod group allowing exactly its flows.
 * Make it after the constructs whose flows it allows: it reads them when it is made.
 */
export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps = {}) {
    super(scope, id);
    const ctx = props.context ?? StackContext.of(this);
    const flows = props.flows ?? ctx.flows;
    refuseBadFlows(this, flows);
    const meta = (name: string, reason?: string) =>
      ctx.meta('network-policy', name, reason ? { annotations: { 'mcp-stack.io/allows': reason } } : {});

    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: meta(ctx.name('default-deny')),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    new k8s.KubeNetworkPolicy(this, 'Dns', {
      metadata: meta(ctx.name('allow-dns'), 'every pod resolves Service names'),
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
            ports: [
              { port: k8s.IntOrString.fromNumber(53), protocol: 'UDP' },
              { port: k8s.IntOrString.fromNumber(53), protocol: 'TCP' },
            ],
          },
        ],
      },
    });

    // One policy per local pod group, holding both directions of every flow that touches it.
    const groups = new Map<string, { peer: Peer; ingress: Flow[]; egress: Flow[] }>();
    const group = (p: Peer) => {
      const key = groupKey(p);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { peer: p, ingress: [], egress: [] }));
      return g;
    };
    for (const flow of flows) {
      // A flow to or from no address at all allows nothing (an empty `to` would allow everything).
      if (flow.to.cidrs?.length === 0 || flow.from.cidrs?.length === 0) continue;
      if (isLocal(flow.to)) group(flow.to).ingress.push(flow);
      if (isLocal(flow.from)) group(flow.from).egress.push(flow);
    }
    for (const [key, g] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const reasons = [...new Set([...g.ingress, ...g.egress].map((f) => f.reason))].sort().join('; ');
      const policyTypes = [...(g.ingress.length ? ['Ingress'] : []), ...(g.egress.length ? ['Egress'] : [])];
      new k8s.KubeNetworkPolicy(this, `Allow-${key}`, {
        metadata: meta(ctx.name(`allow-${key}`), reasons),
        spec: {
          podSelector: { matchLabels: podLabels(ctx, g.peer) },
          policyTypes,
          ...(g.ingress.length ? { ingress: g.ingress.map((f) => ({ from: peerSelectors(ctx, f.from), ports: ports(f) })) } : {}),
          ...(g.egress.length ? { egress: g.egress.map((f) => ({ to: peerSelectors(ctx, f.to), ports: ports(f) })) } : {}),
        },
      });
    }
  }
}

function isLocal(p: Peer): boolean {
  return p.component !== undefined || (p.podLabels !== undefined && p.namespaceLabels === undefined);
}

/** A short, stable policy-name part for a local pod group. */
function groupKey(p: Peer): string {
  if (p.component) return p.component;
  const labels = p.podLabels ?? {};
  // Pods of someone else's app: named after their label values (sorted by key, so the name is stable).
  if (!Object.keys(labels).some((k) => k.startsWith('postgres-operator.crunchydata.com/'))) {
    return Object.keys(labels).sort().map((k) => labels[k]).join('-').toLowerCase().replace(/[^a-z0-9-]+/g, '-') || 'pods';
  }
  const role = labels['postgres-operator.crunchydata.com/role'];
  if (role) return `postgres-${role}`;
  return labels['postgres-operator.crunchydata.com/data'] === 'postgres' ? 'postgres-instances' : 'postgres-cluster';
}

function podLabels(ctx: StackContext, p: Peer): Record<string, string> {
  return p.component ? ctx.selector(p.component) : { ...(p.podLabels ?? {}) };
}

function peerSelectors(ctx: StackContext, p: Peer): k8s.NetworkPolicyPeer[] {
  if (p.cidrs) return p.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
  if (p.namespaceLabels) {
    return [
      {
        namespaceSelector: { matchLabels: p.namespaceLabels },
        ...(p.podLabels ? { podSelector: { matchLabels: p.podLabels } } : {}),
      },
    ];
  }
  return [{ podSelector: { matchLabels: podLabels(ctx, p) } }];
}

function ports(f: Flow): k8s.NetworkPolicyPort[] {
  return f.ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? 'TCP' }));
}

/**
 * Flows that would open more than their reason says. Port numbers are not checked here: the values schema does for
 * the stack, and the Helm chart generator renders the constructs with out-of-range numbers as probe tokens.
 */
function refuseBadFlows(scope: IConstruct, flows: readonly Flow[]): void {
  const problems: string[] = [];
  flows.forEach((f, i) => {
    if (f.ports.length === 0) problems.push(propProblem(`flows[${i}].ports`, f.ports, `must list at least one port: none would allow every port (flow: ${f.reason})`));
    for (const [side, peer] of [['from', f.from], ['to', f.to]] as const) {
      if (peer.component === undefined && peer.podLabels === undefined && peer.namespaceLabels === undefined && peer.cidrs === undefined) {
        problems.push(propProblem(`flows[${i}].${side}`, peer, `must name a component, pod labels, namespace labels or address ranges (flow: ${f.reason})`));
      }
    }
  });
  refuseProps(scope, 'NetworkPolicies', problems);
}
