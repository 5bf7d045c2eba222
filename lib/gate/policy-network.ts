/**
 * NetworkPolicy rules that are too wide to be what a component needs: ingress from every namespace, egress to every
 * namespace or to every address; and the pgmonitor exporter that Prometheus must be able to reach.
 */
import { isPlainObject, nsOf, type Manifest, type Model } from './model';
import { checkDatabaseReachable } from './policy-network-db';
import type { Sink } from './types';

const ANY_ADDRESS = new Set(['0.0.0.0/0', '::/0']);
const PGMONITOR_PORT = 9187;

function isEmptySelector(sel: unknown): boolean {
  return isPlainObject(sel) && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

function rulesOf(np: Manifest, direction: 'ingress' | 'egress'): any[] {
  const rules = np.obj.spec?.[direction];
  return Array.isArray(rules) ? rules : [];
}

function widePeers(np: Manifest, sink: Sink): void {
  for (const direction of ['ingress', 'egress'] as const) {
    const side = direction === 'ingress' ? 'from' : 'to';
    rulesOf(np, direction).forEach((rule, i) => {
      (Array.isArray(rule?.[side]) ? rule[side] : []).forEach((peer: any, j: number) => {
        const path = ['spec', direction, i, side, j];
        // Egress to labelled pods in any namespace (cluster DNS) names its target; ingress from any namespace does not.
        if (isEmptySelector(peer?.namespaceSelector) && (direction === 'ingress' || !peer.podSelector || isEmptySelector(peer.podSelector))) {
          sink.error('policy/np-any-namespace', np.doc, [...path, 'namespaceSelector'], `NetworkPolicy '${np.name}' ${direction === 'ingress' ? 'admits pods of every namespace' : 'lets pods reach every namespace'} (empty namespaceSelector)`, 'select the namespaces by label (e.g. kubernetes.io/metadata.name: ingress-nginx); the stack declares them in networkPolicies values');
        }
        const cidr = peer?.ipBlock?.cidr;
        if (typeof cidr === 'string' && ANY_ADDRESS.has(cidr) && !(Array.isArray(peer.ipBlock.except) && peer.ipBlock.except.length)) {
          sink.warn('policy/np-any-address', np.doc, [...path, 'ipBlock', 'cidr'], `NetworkPolicy '${np.name}' ${direction === 'ingress' ? 'admits' : 'allows traffic to'} every address (${cidr})`, 'list the address ranges the traffic really needs (for the Kubernetes API: its endpoints)');
        }
      });
    });
  }
}

/** A PostgresCluster with the pgmonitor exporter, in a namespace with NetworkPolicies, needs a rule that admits scrapes. */
function exporterReachable(model: Model, nps: Manifest[], sink: Sink): void {
  for (const pg of model.items.filter((m) => m.group === 'postgres-operator.crunchydata.com' && m.kind === 'PostgresCluster')) {
    if (!isPlainObject(pg.obj.spec?.monitoring?.pgmonitor)) continue;
    const own = nps.filter((np) => nsOf(np) === nsOf(pg));
    if (own.length === 0) continue;
    const admits = own.some(
      (np) =>
        np.obj.spec?.podSelector?.matchLabels?.['postgres-operator.crunchydata.com/cluster'] === pg.name &&
        rulesOf(np, 'ingress').some((r) => (Array.isArray(r?.ports) ? r.ports : []).some((p: any) => p?.port === PGMONITOR_PORT)),
    );
    if (!admits) {
      sink.error('policy/np-exporter', pg.doc, ['spec', 'monitoring', 'pgmonitor'], `PostgresCluster '${pg.name}' runs the pgmonitor exporter (port ${PGMONITOR_PORT}), but no NetworkPolicy in namespace '${nsOf(pg)}' admits scrapes of it`, `allow ingress on ${PGMONITOR_PORT} to the cluster's pods from the monitoring namespace`);
    }
  }
}

export function checkNetworkPolicyScope(model: Model, sink: Sink): void {
  const nps = model.items.filter((m) => m.group === 'networking.k8s.io' && m.kind === 'NetworkPolicy');
  for (const np of nps) widePeers(np, sink);
  exporterReachable(model, nps, sink);
  checkDatabaseReachable(model, nps, sink);
}
