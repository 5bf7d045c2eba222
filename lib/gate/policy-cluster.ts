/**
 * Namespace- and workload-level policy: default-deny NetworkPolicies, PodDisruptionBudgets, Prometheus Operator
 * objects only where the cluster has the operator, config checksums that roll pods, and data stores as StatefulSets.
 */
import { CLUSTER_SCOPED_KINDS, isPlainObject, nsOf, replicasOf, selectorMatches, type Manifest, type Model } from './model';
import type { GatePolicy, Sink } from './types';
import { checkNetworkPolicyScope } from './policy-network';
import { checkTenantRbac } from './policy-rbac';

function isDefaultDeny(np: Manifest, direction: 'Ingress' | 'Egress'): boolean {
  const spec = np.obj.spec;
  if (!isPlainObject(spec)) return false;
  const sel = spec.podSelector;
  const selectsAll = isPlainObject(sel) && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
  const rules = direction === 'Ingress' ? spec.ingress : spec.egress;
  const types: string[] = Array.isArray(spec.policyTypes) ? spec.policyTypes : spec.egress ? ['Ingress', 'Egress'] : ['Ingress'];
  return selectsAll && types.includes(direction) && (!Array.isArray(rules) || rules.length === 0);
}

function networkPolicies(model: Model, policy: GatePolicy, sink: Sink): void {
  const namespaces = new Map<string, Manifest>();
  for (const m of model.items) if (m.group === '' && m.kind === 'Namespace' && m.name) namespaces.set(m.name, m);
  // A namespace the output only puts control objects in (ArgoCD Applications, AppProjects) runs no pod of ours.
  const runsPods = (m: Manifest) => !(m.group === 'argoproj.io');
  for (const m of model.items) if (m.kind !== 'Namespace' && m.namespace && runsPods(m) && !namespaces.has(m.namespace)) namespaces.set(m.namespace, m);
  // Objects without metadata.namespace (e.g. a Helm render) land in the namespace chosen at install time.
  const unplaced = model.items.find((m) => !m.namespace && !CLUSTER_SCOPED_KINDS.has(m.kind));
  if (unplaced && !namespaces.has('')) namespaces.set('', unplaced);
  // NetworkPolicies grouped by namespace once, in output order (a filter per namespace was quadratic in tenants).
  const policiesIn = new Map<string, Manifest[]>();
  for (const m of model.items) {
    if (m.group !== 'networking.k8s.io' || m.kind !== 'NetworkPolicy') continue;
    const list = policiesIn.get(nsOf(m));
    if (list) list.push(m);
    else policiesIn.set(nsOf(m), [m]);
  }
  for (const [ns, anchor] of [...namespaces.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const nps = policiesIn.get(ns) ?? [];
    const missing = (['Ingress', 'Egress'] as const).filter((d) => !nps.some((np) => isDefaultDeny(np, d)));
    if (missing.length === 0) continue;
    sink.error(
      'policy/network-policy',
      anchor.doc,
      anchor.kind === 'Namespace' ? ['metadata', 'name'] : ['metadata', 'namespace'],
      `${ns ? `namespace '${ns}'` : 'the install namespace (objects without metadata.namespace)'} has no default-deny NetworkPolicy for ${missing.join(' and ')} (profile ${policy.profile} requires one in every namespace)`,
      `add a NetworkPolicy${ns ? ` in '${ns}'` : ''} with podSelector: {}, policyTypes: [Ingress, Egress] and no rules, then allow the needed flows`,
    );
  }
}

const REPLICATED = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

function disruptionBudgets(model: Model, policy: GatePolicy | undefined, sink: Sink): void {
  const pdbs = model.items.filter((m) => m.group === 'policy' && m.kind === 'PodDisruptionBudget');
  for (const pdb of pdbs) {
    const selected = model.templates.filter((t) => nsOf(t.owner) === nsOf(pdb) && selectorMatches(pdb.obj.spec?.selector, t.labels));
    if (selected.length === 0) {
      sink.warn('pdb/no-pods', pdb.doc, ['spec', 'selector'], `PodDisruptionBudget '${pdb.name}' selects no pod template in the output`, 'match the selector to the workload pod labels');
    }
    const min = pdb.obj.spec?.minAvailable;
    for (const t of selected) {
      if (!REPLICATED.has(t.owner.kind)) continue;
      const { replicas } = replicasOf(model, t.owner);
      if ((typeof min === 'number' && min >= replicas) || min === '100%' || pdb.obj.spec?.maxUnavailable === 0 || pdb.obj.spec?.maxUnavailable === '0%') {
        sink.warn('policy/pdb-blocks-drain', pdb.doc, ['spec'], `PodDisruptionBudget '${pdb.name}' allows no disruption of ${t.owner.kind}/${t.owner.name} (${replicas} replicas); node drains will hang`, `set minAvailable below ${replicas} (or maxUnavailable: 1)`);
      }
    }
  }
  if (!policy?.requirePdb) return;
  for (const t of model.templates) {
    const m = t.owner;
    if (!REPLICATED.has(m.kind) || m.group !== 'apps') continue;
    const { replicas, hpa } = replicasOf(model, m);
    if (replicas <= 1) continue;
    if (pdbs.some((p) => nsOf(p) === nsOf(m) && selectorMatches(p.obj.spec?.selector, t.labels))) continue;
    sink.error(
      'policy/pdb',
      m.doc,
      ['spec', 'replicas'],
      `${m.kind} '${m.name}' runs ${replicas} replicas${hpa ? ` (HPA minimum)` : ''} but no PodDisruptionBudget selects its pods (profile ${policy.profile} requires one)`,
      `add a policy/v1 PodDisruptionBudget selecting ${JSON.stringify(m.obj.spec?.selector?.matchLabels ?? t.labels)} with minAvailable ${replicas - 1}`,
    );
  }
}

function monitoring(model: Model, policy: GatePolicy, sink: Sink): void {
  if (policy.monitoring) return;
  for (const m of model.items) {
    if (m.group !== 'monitoring.coreos.com') continue;
    sink.error(
      'policy/monitoring',
      m.doc,
      ['apiVersion'],
      `${m.kind} '${m.name}' needs the Prometheus Operator CRDs, but profile ${policy.profile} does not declare monitoring; 'kubectl apply' fails with "no matches for kind ${m.kind}"`,
      'leave it out of this profile, or enable monitoring for a cluster that runs the Prometheus Operator',
    );
  }
}

/** ConfigMaps and Secrets of the output a pod template reads (env, envFrom, volumes). */
function configInputs(spec: any): string[] {
  const names: string[] = [];
  const visit = (v: any, depth = 0): void => {
    if (!v || typeof v !== 'object' || depth > 8) return;
    if (Array.isArray(v)) return v.forEach((x) => visit(x, depth + 1));
    for (const [k, x] of Object.entries<any>(v)) {
      if ((k === 'configMapRef' || k === 'configMapKeyRef' || k === 'configMap') && typeof x?.name === 'string') names.push(`ConfigMap/${x.name}`);
      else if ((k === 'secretRef' || k === 'secretKeyRef') && typeof x?.name === 'string') names.push(`Secret/${x.name}`);
      else if (k === 'secret' && typeof x?.secretName === 'string') names.push(`Secret/${x.secretName}`);
      else visit(x, depth + 1);
    }
  };
  visit({ c: spec.containers, i: spec.initContainers, v: spec.volumes });
  return names;
}

function checksums(model: Model, sink: Sink): void {
  const inOutput = new Set(model.items.filter((m) => m.group === '' && (m.kind === 'ConfigMap' || m.kind === 'Secret')).map((m) => `${m.kind}/${nsOf(m)}/${m.name}`));
  for (const t of model.templates) {
    if (!t.longRunning || t.partial || !['Deployment', 'StatefulSet', 'DaemonSet'].includes(t.owner.kind)) continue;
    const used = configInputs(t.spec).filter((ref) => {
      const [kind, name] = ref.split('/');
      return inOutput.has(`${kind}/${nsOf(t.owner)}/${name}`);
    });
    if (used.length === 0) continue;
    const annotations = t.owner.obj.spec?.template?.metadata?.annotations ?? {};
    if (Object.keys(annotations).some((k) => /checksum/i.test(k))) continue;
    sink.warn(
      'policy/config-checksum',
      t.owner.doc,
      [...t.path, 'metadata', 'annotations'],
      `${t.owner.kind} '${t.owner.name}' reads ${[...new Set(used)].join(', ')} but its pod template has no checksum annotation, so a config change does not roll the pods`,
      "add an annotation such as 'checksum/config: <sha256 of the config>' to the pod template",
    );
  }
}

function statefulDeployments(model: Model, sink: Sink): void {
  for (const t of model.templates) {
    if (t.owner.kind !== 'Deployment') continue;
    const claims = (Array.isArray(t.spec.volumes) ? t.spec.volumes : []).filter((v: any) => v?.persistentVolumeClaim);
    if (claims.length === 0) continue;
    sink.warn(
      'policy/stateful-deployment',
      t.owner.doc,
      ['kind'],
      `Deployment '${t.owner.name}' keeps data on PersistentVolumeClaim ${claims.map((c: any) => `'${c.persistentVolumeClaim.claimName}'`).join(', ')}; a rolling update starts the new pod before the old one releases a ReadWriteOnce volume`,
      'run the data store as a StatefulSet with volumeClaimTemplates',
    );
  }
}

export function checkClusterPolicy(model: Model, policy: GatePolicy | undefined, sink: Sink): void {
  disruptionBudgets(model, policy, sink);
  checksums(model, sink);
  statefulDeployments(model, sink);
  checkNetworkPolicyScope(model, sink);
  checkTenantRbac(model, sink);
  if (!policy) return;
  if (policy.requireNetworkPolicies) networkPolicies(model, policy, sink);
  monitoring(model, policy, sink);
}
