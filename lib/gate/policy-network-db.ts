/**
 * Every pod wired to a database must be let through to it by the NetworkPolicies of its namespace: egress from the
 * client to the database (the PGO primary or PgBouncer its Secret names, the Service its host names, or some
 * address range for a database outside the cluster), and ingress on the database pods when they are in the output
 * too. Catches a pooler turned off under a policy that admits only the pooler, or an external database with
 * NetworkPolicies and no address to reach it on.
 */
import { isPlainObject, nsOf, selectorMatches, type Manifest, type Model, type PodTemplate } from './model';
import { findService, parseServiceHost } from './services';
import type { Sink } from './types';

/** Where a pod's database connection goes: labelled pods of its namespace, or an address outside. */
type Target = { kind: 'pods'; labels: Record<string, string>; port?: number; what: string } | { kind: 'address'; what: string };

const PGO_SECRET = /^(.*)-pguser-.+$/;
const PGO_CLUSTER = 'postgres-operator.crunchydata.com/cluster';
const PGO_ROLE = 'postgres-operator.crunchydata.com/role';

function envOf(c: any, name: string): any {
  return (Array.isArray(c?.env) ? c.env : []).find((e: any) => e?.name === name);
}

function targetOf(model: Model, t: PodTemplate, c: any): Target | undefined {
  const host = envOf(c, 'POSTGRES_HOST');
  const ref = host?.valueFrom?.secretKeyRef;
  if (isPlainObject(ref) && typeof ref.name === 'string') {
    const m = PGO_SECRET.exec(ref.name);
    if (!m) return { kind: 'address', what: `the database in Secret '${ref.name}'` };
    const pooled = ref.key === 'pgbouncer-host';
    return { kind: 'pods', labels: { [PGO_CLUSTER]: m[1], [PGO_ROLE]: pooled ? 'pgbouncer' : 'master' }, port: 5432, what: `PostgresCluster '${m[1]}' (${pooled ? 'PgBouncer' : 'the primary'})` };
  }
  if (typeof host?.value === 'string') {
    const port = Number(envOf(c, 'POSTGRES_PORT')?.value);
    const svcRef = parseServiceHost(host.value, nsOf(t.owner));
    const svc = svcRef && svcRef.namespace === nsOf(t.owner) ? findService(model, svcRef.name, svcRef.namespace) : undefined;
    const selector = svc?.obj.spec?.selector;
    if (isPlainObject(selector) && Object.keys(selector).length) {
      return { kind: 'pods', labels: selector as Record<string, string>, port: Number.isInteger(port) ? port : undefined, what: `Service '${svc!.name}'` };
    }
    return { kind: 'address', what: `database host ${host.value}` };
  }
  const url = envOf(c, 'DATABASE_URL')?.valueFrom?.secretKeyRef;
  if (isPlainObject(url) && typeof url.name === 'string') return { kind: 'address', what: `the database URL in Secret '${url.name}'` };
  return undefined;
}

function policyTypes(np: Manifest): string[] {
  const declared = np.obj.spec?.policyTypes;
  if (Array.isArray(declared)) return declared;
  return ['Ingress', ...(np.obj.spec?.egress ? ['Egress'] : [])];
}

function portAllowed(rule: any, port: number | undefined): boolean {
  const ports = Array.isArray(rule?.ports) ? rule.ports : [];
  return ports.length === 0 || port === undefined || ports.some((p: any) => p?.port === port || p?.port === undefined);
}

/** A peer in the policy's own namespace selecting these labels (no namespaceSelector), or any peer when none is listed. */
function peersSelect(peers: unknown, labels: Record<string, string>): boolean {
  if (!Array.isArray(peers) || peers.length === 0) return true;
  return peers.some((p: any) => p?.namespaceSelector === undefined && p?.ipBlock === undefined && selectorMatches(p?.podSelector, labels));
}

function egressReaches(rule: any, target: Target): boolean {
  if (target.kind === 'pods') return portAllowed(rule, target.port) && peersSelect(rule?.to, target.labels);
  const to = Array.isArray(rule?.to) ? rule.to : [];
  return to.length === 0 || to.some((p: any) => isPlainObject(p?.ipBlock));
}

export function checkDatabaseReachable(model: Model, nps: Manifest[], sink: Sink): void {
  for (const t of model.templates) {
    if (t.partial) continue;
    const containers: any[] = Array.isArray(t.spec?.containers) ? t.spec.containers : [];
    const c = containers.find((x) => targetOf(model, t, x));
    if (!c) continue;
    const target = targetOf(model, t, c)!;
    const ns = nsOf(t.owner);
    const own = nps.filter((np) => nsOf(np) === ns);
    const where = [...t.path, 'spec', 'containers'];
    const egress = own.filter((np) => policyTypes(np).includes('Egress') && selectorMatches(np.obj.spec?.podSelector, t.labels));
    if (egress.length && !egress.some((np) => (Array.isArray(np.obj.spec?.egress) ? np.obj.spec.egress : []).some((r: any) => egressReaches(r, target)))) {
      const fix = target.kind === 'pods' ? `allow egress to those pods${target.port ? ` on ${target.port}` : ''}` : "allow egress to the database's address range (database.external.cidrs)";
      sink.error('policy/np-database-egress', t.owner.doc, where, `${t.owner.kind} '${t.owner.name}' connects to ${target.what}, but no NetworkPolicy in namespace '${ns}' lets its pods send there`, fix);
      continue;
    }
    if (target.kind !== 'pods') continue;
    const ingress = own.filter((np) => policyTypes(np).includes('Ingress') && selectorMatches(np.obj.spec?.podSelector, target.labels));
    const admitted = ingress.some((np) => (Array.isArray(np.obj.spec?.ingress) ? np.obj.spec.ingress : []).some((r: any) => portAllowed(r, target.port) && peersSelect(r?.from, t.labels)));
    if (ingress.length && !admitted) {
      sink.error('policy/np-database-egress', t.owner.doc, where, `${t.owner.kind} '${t.owner.name}' connects to ${target.what}, but no NetworkPolicy in namespace '${ns}' admits its pods there`, `allow ingress to the database pods from the ${t.owner.name} pods`);
    }
  }
}
