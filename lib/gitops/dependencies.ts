/**
 * What an object needs to exist before it can work: the references a pod template, an Ingress, a Route, an
 * autoscaler, a disruption budget or a PostgresCluster makes to other objects by name or selector.
 */

/** A reference from one object to another, with why it matters (for messages). */
export interface Dependency {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly reason: string;
}

const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/** The pod spec of a workload (or of a Pod, or of a CronJob's Job template). */
export function podSpecOf(o: any): any | undefined {
  if (o?.kind === 'Pod') return o.spec;
  if (o?.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template?.spec;
  if (POD_TEMPLATE_KINDS.has(o?.kind)) return o.spec?.template?.spec;
  return undefined;
}

function podLabelsOf(o: any): Record<string, string> | undefined {
  if (o?.kind === 'Pod') return o.metadata?.labels;
  if (o?.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template?.metadata?.labels;
  return POD_TEMPLATE_KINDS.has(o?.kind) ? o.spec?.template?.metadata?.labels : undefined;
}

/** Every dependency of `o`; `all` is the set it belongs to, for selector-based references (a PDB's pods). */
export function dependenciesOf(o: any, all: readonly any[] = []): Dependency[] {
  const ns: string | undefined = o.metadata?.namespace;
  const deps: Dependency[] = [];
  const add = (kind: string, name: unknown, reason: string) => {
    if (typeof name === 'string' && name) deps.push({ kind, namespace: ns, name, reason });
  };
  // Namespaces are cluster-scoped.
  if (ns) deps.push({ kind: 'Namespace', name: ns, reason: 'its namespace' });

  const pod = podSpecOf(o);
  if (pod) podDependencies(pod, add);

  switch (o.kind) {
    case 'Ingress': {
      add('Service', o.spec?.defaultBackend?.service?.name, 'its default backend');
      for (const rule of o.spec?.rules ?? []) {
        for (const path of rule.http?.paths ?? []) add('Service', path.backend?.service?.name, 'its backend');
      }
      break;
    }
    case 'Route': {
      if ((o.spec?.to?.kind ?? 'Service') === 'Service') add('Service', o.spec?.to?.name, 'its target');
      for (const b of o.spec?.alternateBackends ?? []) if ((b.kind ?? 'Service') === 'Service') add('Service', b.name, 'an alternate backend');
      break;
    }
    case 'HorizontalPodAutoscaler':
      add(o.spec?.scaleTargetRef?.kind, o.spec?.scaleTargetRef?.name, 'the workload it scales');
      break;
    case 'PodDisruptionBudget': {
      const selector = o.spec?.selector;
      for (const w of all) {
        const labels = podLabelsOf(w);
        if (w !== o && labels && w.metadata?.namespace === ns && selects(selector, labels)) add(w.kind, w.metadata?.name, 'the pods it protects');
      }
      break;
    }
    case 'PostgresCluster': {
      add('ConfigMap', o.spec?.databaseInitSQL?.name, 'its databaseInitSQL');
      for (const f of o.spec?.config?.files ?? []) {
        add('ConfigMap', f.configMap?.name, 'a config file');
        add('Secret', f.secret?.name, 'a config file');
      }
      add('Secret', o.spec?.customTLSSecret?.name, 'its TLS certificate');
      add('Secret', o.spec?.customReplicationTLSSecret?.name, 'its replication TLS certificate');
      for (const s of o.spec?.imagePullSecrets ?? []) add('Secret', s.name, 'an image pull secret');
      break;
    }
    case 'MCPServer':
      for (const s of o.spec?.secrets ?? []) add('Secret', s.name, 'a credential');
      break;
    case 'RoleBinding':
      if (o.roleRef?.kind === 'Role') add('Role', o.roleRef.name, 'its role');
      break;
  }
  return deps;
}

type Add = (kind: string, name: unknown, reason: string) => void;

function podDependencies(pod: any, add: Add): void {
  add('ServiceAccount', pod.serviceAccountName, 'its service account');
  for (const s of pod.imagePullSecrets ?? []) add('Secret', s.name, 'an image pull secret');
  for (const v of pod.volumes ?? []) {
    add('ConfigMap', v.configMap?.name, `volume ${v.name}`);
    add('Secret', v.secret?.secretName, `volume ${v.name}`);
    add('PersistentVolumeClaim', v.persistentVolumeClaim?.claimName, `volume ${v.name}`);
    for (const s of v.projected?.sources ?? []) {
      add('ConfigMap', s.configMap?.name, `volume ${v.name}`);
      add('Secret', s.secret?.name, `volume ${v.name}`);
    }
  }
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    for (const e of c.envFrom ?? []) {
      add('ConfigMap', e.configMapRef?.name, `envFrom of container ${c.name}`);
      add('Secret', e.secretRef?.name, `envFrom of container ${c.name}`);
    }
    for (const e of c.env ?? []) {
      add('ConfigMap', e.valueFrom?.configMapKeyRef?.name, `env ${e.name} of container ${c.name}`);
      add('Secret', e.valueFrom?.secretKeyRef?.name, `env ${e.name} of container ${c.name}`);
    }
  }
}

/** A label selector (`matchLabels` and `matchExpressions`) against pod labels; an empty selector matches nothing here. */
function selects(selector: any, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const ml: Record<string, string> = selector.matchLabels ?? {};
  const exprs: any[] = selector.matchExpressions ?? [];
  if (Object.keys(ml).length === 0 && exprs.length === 0) return false;
  if (!Object.entries(ml).every(([k, v]) => labels[k] === v)) return false;
  return exprs.every((e) => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In':
        return has && (e.values ?? []).includes(labels[e.key]);
      case 'NotIn':
        return !has || !(e.values ?? []).includes(labels[e.key]);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return false;
    }
  });
}
