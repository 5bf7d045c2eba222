/**
 * The output as the rules see it: every parsed object with its identity, plus the pod templates inside them
 * (workloads, Jobs, bare Pods and custom resources that embed one).
 */
import type { GateDocument } from './types';

export interface Manifest {
  /** Index of the document in the input. */
  doc: number;
  obj: any;
  apiVersion: string;
  group: string;
  version: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  labels: Record<string, string>;
}

export type Path = (string | number)[];

export interface PodTemplate {
  owner: Manifest;
  /** Path of the PodTemplateSpec (`{metadata, spec}`) inside the owner. */
  path: Path;
  labels: Record<string, string>;
  spec: any;
  /** Deployments, StatefulSets, DaemonSets, ReplicaSets and bare Pods serve for a long time; Jobs finish. */
  longRunning: boolean;
  /** A partial template merged by an operator (e.g. MCPServer.spec.podTemplateSpec). */
  partial: boolean;
}

export interface Model {
  docs: GateDocument[];
  items: Manifest[];
  templates: PodTemplate[];
}

const LONG_RUNNING_WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController']);

/** Cluster-scoped kinds of Kubernetes 1.28 (custom resources answer through their CRD's `scope`). */
export const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PriorityClass',
  'CustomResourceDefinition', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService',
  'IngressClass', 'RuntimeClass', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'ComponentStatus',
  'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'ClusterTrustBundle', 'SelfSubjectReview', 'TokenReview',
  'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview', 'StorageVersion',
]);

export function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** `Kind/namespace/name`, or `Kind/name` when the object has no namespace. */
export function objectId(obj: any): string {
  const kind = typeof obj?.kind === 'string' ? obj.kind : '?';
  const name = typeof obj?.metadata?.name === 'string' ? obj.metadata.name : '?';
  const ns = obj?.metadata?.namespace;
  return typeof ns === 'string' && ns ? `${kind}/${ns}/${name}` : `${kind}/${name}`;
}

/** The objects of known kinds (`known(doc)`), indexed; unknown kinds only get the schema finding. */
export function buildModel(docs: GateDocument[], known: (doc: number) => boolean = () => true): Model {
  const items: Manifest[] = [];
  docs.forEach((d, doc) => {
    const obj = d.object;
    if (!known(doc) || !isPlainObject(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return;
    const { group, version } = splitApiVersion(obj.apiVersion);
    const meta = isPlainObject(obj.metadata) ? obj.metadata : {};
    items.push({
      doc,
      obj,
      apiVersion: obj.apiVersion,
      group,
      version,
      kind: obj.kind,
      name: typeof meta.name === 'string' ? meta.name : '',
      namespace: typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : undefined,
      labels: stringMap(meta.labels),
    });
  });
  const templates = items.flatMap(podTemplatesOf);
  return { docs, items, templates };
}

function stringMap(v: unknown): Record<string, string> {
  if (!isPlainObject(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

function template(owner: Manifest, path: Path, longRunning: boolean, partial = false): PodTemplate[] {
  const t = get(owner.obj, path);
  if (!isPlainObject(t) || !isPlainObject(t.spec)) return [];
  return [{ owner, path, labels: stringMap(t.metadata?.labels), spec: t.spec, longRunning, partial }];
}

function podTemplatesOf(m: Manifest): PodTemplate[] {
  if (m.group === 'apps' || (m.group === '' && m.kind === 'ReplicationController')) {
    if (LONG_RUNNING_WORKLOADS.has(m.kind)) return template(m, ['spec', 'template'], true);
  }
  if (m.group === '' && m.kind === 'Pod') {
    return isPlainObject(m.obj.spec) ? [{ owner: m, path: [], labels: m.labels, spec: m.obj.spec, longRunning: true, partial: false }] : [];
  }
  if (m.group === '' && m.kind === 'PodTemplate') return template(m, ['template'], false);
  if (m.group === 'batch' && m.kind === 'Job') return template(m, ['spec', 'template'], false);
  if (m.group === 'batch' && m.kind === 'CronJob') return template(m, ['spec', 'jobTemplate', 'spec', 'template'], false);
  // Operators merge these into the pods they create, so the security rules apply to what they contain.
  if (m.group === 'toolhive.stacklok.dev' && isPlainObject(m.obj.spec?.podTemplateSpec)) {
    return template(m, ['spec', 'podTemplateSpec'], true, true);
  }
  return [];
}

export function get(obj: any, path: readonly (string | number)[]): any {
  let cur = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[p as any];
  }
  return cur;
}

/** Every container of a pod spec with its path segments, init and ephemeral containers included. */
export function containersOf(spec: any): { c: any; path: Path; init: boolean }[] {
  const out: { c: any; path: Path; init: boolean }[] = [];
  for (const key of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    const list = spec?.[key];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      if (isPlainObject(c)) out.push({ c, path: [key, i], init: key !== 'containers' });
    });
  }
  return out;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Kubernetes label-selector semantics; an empty selector matches everything. */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!isPlainObject(selector)) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A Service-style selector: every key/value present. An empty map selects nothing (Services without selector). */
export function mapSelects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!isPlainObject(selector) || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

const COMPONENT_FALLBACKS: [RegExp, string][] = [
  [/(^|-)locust-worker$/, 'locust-worker'],
  [/(^|-)locust(-master)?$/, 'locust-master'],
  [/(^|-)migration$/, 'migration'],
  [/(^|-)regist(er|ration)(-|$)/, 'registration'],
  [/(^|-)(mcpgateway|gateway)$/, 'gateway'],
  [/(^|-)nginx$/, 'nginx'],
  [/(^|-)redis$/, 'redis'],
  [/(^|-)postgres$/, 'postgres'],
  [/(^|-)(mcp-)?fast-time-server$/, 'fast-time-server'],
];

/**
 * The stack component an object belongs to: the `app.kubernetes.io/component` label, or, for manifests that do
 * not carry it (such as the upstream chart's), a guess from the `app` label or the name.
 */
export function componentOf(m: Manifest): string | undefined {
  const label = m.labels['app.kubernetes.io/component'];
  if (label) return label;
  for (const candidate of [m.labels.app, m.name]) {
    if (!candidate) continue;
    for (const [re, component] of COMPONENT_FALLBACKS) if (re.test(candidate)) return component;
  }
  return undefined;
}

/** Namespace an object lands in; objects without one go to the same (unnamed) namespace as each other. */
export function nsOf(m: Manifest): string {
  return m.namespace ?? '';
}

/** The same namespace, treating an unset namespace as matching any (the output may leave it to `kubectl -n`). */
export function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return !a || !b || a === b;
}

export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

/** HPAs by namespace, target kind and target name, first in output order (as a scan of the items would find). */
const hpaIndex = new WeakMap<Model, Map<string, Manifest>>();

/** The HorizontalPodAutoscaler scaling a workload, if any. */
export function hpaFor(model: Model, m: Manifest): Manifest | undefined {
  // Indexed once per model: a scan per workload made the gate quadratic in the number of tenants.
  let index = hpaIndex.get(model);
  if (!index) {
    index = new Map();
    for (const h of model.items) {
      const ref = h.kind === 'HorizontalPodAutoscaler' ? h.obj.spec?.scaleTargetRef : undefined;
      if (typeof ref?.kind !== 'string' || typeof ref.name !== 'string') continue;
      const key = JSON.stringify([nsOf(h), ref.kind, ref.name]);
      if (!index.has(key)) index.set(key, h);
    }
    hpaIndex.set(model, index);
  }
  return index.get(JSON.stringify([nsOf(m), m.kind, m.name]));
}

/** Replicas a workload runs in steady state (an HPA's minimum when it scales it) and at most. */
export function replicasOf(model: Model, m: Manifest): { replicas: number; max: number; hpa?: Manifest } {
  const declared = typeof m.obj.spec?.replicas === 'number' ? m.obj.spec.replicas : 1;
  const hpa = hpaFor(model, m);
  if (!hpa) return { replicas: declared, max: declared };
  const min = typeof hpa.obj.spec?.minReplicas === 'number' ? hpa.obj.spec.minReplicas : 1;
  const max = typeof hpa.obj.spec?.maxReplicas === 'number' ? hpa.obj.spec.maxReplicas : min;
  return { replicas: Math.max(min, m.obj.spec?.replicas === undefined ? min : Math.min(declared, max)), max, hpa };
}
