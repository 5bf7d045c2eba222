/**
 * Checks the API server makes outside the OpenAPI schema: names valid for their kind, label syntax, unique
 * objects, namespaces only on namespaced kinds, and workload selectors that match their own pod template.
 */
import { configKeyProblem, labelKeyProblem, labelValueProblem, nameProblem, type NameFormat } from './names';
import { isPlainObject, selectorMatches, type Manifest, type Model, type Path } from './model';
import type { ScopeMap } from './schema';
import type { Sink } from './types';

const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
/** Names that end up in a label value of the pods (`job-name`, `controller-revision-hash: <name>-<hash>`). */
const MAX_NAME: Record<string, [number, string]> = {
  Job: [63, 'the Job name becomes the pods\' job-name label (at most 63 characters)'],
  CronJob: [52, 'the CronJob controller appends 11 characters to name its Jobs'],
  StatefulSet: [52, "the controller-revision-hash label '<name>-<hash>' must fit 63 characters"],
};

function nameFormat(m: Manifest): NameFormat | undefined {
  if (m.group === '' && m.kind === 'Service') return 'dns1035-label';
  if (m.group === '' && m.kind === 'Namespace') return 'dns1123-label';
  if (m.group === 'rbac.authorization.k8s.io' && RBAC_KINDS.has(m.kind)) return undefined;
  return 'dns1123-subdomain';
}

function checkName(m: Manifest, sink: Sink): void {
  const raw = m.obj.metadata?.name;
  if (typeof raw !== 'string' || raw === '') {
    if (!m.obj.metadata?.generateName) sink.error('name/missing', m.doc, ['metadata', 'name'], `${m.kind} has no metadata.name`, 'set metadata.name');
    return;
  }
  const format = nameFormat(m);
  if (format) {
    const problem = nameProblem(raw, format);
    if (problem) sink.error(`name/${format}`, m.doc, ['metadata', 'name'], `${m.kind} name '${raw}' ${problem}`, `rename it, e.g. '${suggestName(raw)}'`);
  } else if (/[/%]/.test(raw) || raw === '.' || raw === '..') {
    sink.error('name/path-segment', m.doc, ['metadata', 'name'], `${m.kind} name '${raw}' must not contain '/' or '%' nor be '.' or '..'`, 'rename it');
  }
  const limit = MAX_NAME[m.kind];
  if (limit && raw.length > limit[0]) {
    sink.error('name/length', m.doc, ['metadata', 'name'], `${m.kind} name '${raw}' is ${raw.length} characters; at most ${limit[0]}: ${limit[1]}`, `shorten the name to ${limit[0]} characters`);
  }
  const ns = m.obj.metadata?.namespace;
  if (typeof ns === 'string' && ns) {
    const problem = nameProblem(ns, 'dns1123-label');
    if (problem) sink.error('name/dns1123-label', m.doc, ['metadata', 'namespace'], `namespace '${ns}' ${problem}`, `use e.g. '${suggestName(ns)}'`);
  }
}

function suggestName(s: string): string {
  const cleaned = s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return (/^[a-z]/.test(cleaned) ? cleaned : `x-${cleaned}`).slice(0, 63).replace(/-+$/, '') || 'name';
}

export function checkLabels(labels: unknown, doc: number, path: Path, sink: Sink, what = 'label'): void {
  if (!isPlainObject(labels)) return;
  for (const [k, v] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(k);
    if (keyProblem) sink.error(`${what}/key`, doc, [...path, k], `${what} key '${k}': ${keyProblem}`, `rename the ${what} key`);
    if (what === 'label') {
      const valueProblem = labelValueProblem(v);
      if (valueProblem) sink.error('label/value', doc, [...path, k], `label '${k}' value ${JSON.stringify(v)} ${valueProblem}`, 'shorten or clean the value (at most 63 characters of [A-Za-z0-9._-])');
    }
  }
}

function checkSelectorSyntax(selector: any, doc: number, path: Path, sink: Sink): void {
  if (!isPlainObject(selector)) return;
  checkLabels(selector.matchLabels, doc, [...path, 'matchLabels'], sink);
  (Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []).forEach((e: any, i: number) => {
    const at = [...path, 'matchExpressions', i];
    const keyProblem = typeof e?.key === 'string' ? labelKeyProblem(e.key) : 'is missing';
    if (keyProblem) sink.error('label/key', doc, [...at, 'key'], `selector key ${JSON.stringify(e?.key)}: ${keyProblem}`, 'use a valid label key');
    const values = Array.isArray(e?.values) ? e.values : [];
    if ((e?.operator === 'In' || e?.operator === 'NotIn') && values.length === 0) {
      sink.error('selector/invalid', doc, [...at, 'values'], `operator ${e.operator} needs at least one value`, 'list the values');
    }
    if ((e?.operator === 'Exists' || e?.operator === 'DoesNotExist') && values.length > 0) {
      sink.error('selector/invalid', doc, [...at, 'values'], `operator ${e.operator} takes no values`, 'remove the values');
    }
    values.forEach((v: unknown, j: number) => {
      const p = labelValueProblem(v);
      if (p) sink.error('label/value', doc, [...at, 'values', j], `selector value ${JSON.stringify(v)} ${p}`, 'use a valid label value');
    });
  });
}

const SELECTING_WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

function checkWorkloadSelector(model: Model, sink: Sink): void {
  for (const t of model.templates) {
    const m = t.owner;
    checkLabels(m.obj.metadata?.labels, m.doc, ['metadata', 'labels'], sink);
    if (t.path.length) checkLabels(t.labels, m.doc, [...t.path, 'metadata', 'labels'], sink);
    const selector = m.obj.spec?.selector;
    const selectorPath: Path = ['spec', 'selector'];
    if (m.group === 'apps' && SELECTING_WORKLOADS.has(m.kind)) {
      if (!isPlainObject(selector)) continue;
      checkSelectorSyntax(selector, m.doc, selectorPath, sink);
      const empty = Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
      if (empty) {
        sink.error('selector/empty', m.doc, selectorPath, `${m.kind} selector is empty; apps/v1 requires a non-empty selector`, 'select the pod template labels, e.g. app.kubernetes.io/name and app.kubernetes.io/instance');
      } else if (!selectorMatches(selector, t.labels)) {
        sink.error(
          'selector/template-mismatch',
          m.doc,
          selectorPath,
          `selector ${JSON.stringify(selector.matchLabels ?? selector)} does not match the pod template labels ${JSON.stringify(t.labels)}`,
          `add the selector's labels to ${[...t.path, 'metadata', 'labels'].join('.')}`,
        );
      }
    } else if (m.kind === 'Job' && isPlainObject(selector)) {
      checkSelectorSyntax(selector, m.doc, selectorPath, sink);
      if (!selectorMatches(selector, t.labels)) {
        sink.error('selector/template-mismatch', m.doc, selectorPath, `Job selector does not match the pod template labels ${JSON.stringify(t.labels)}`, 'remove the selector (the Job controller generates one) or match the template');
      }
    }
  }
}

function checkDataKeys(m: Manifest, sink: Sink): void {
  if (m.group !== '' || (m.kind !== 'ConfigMap' && m.kind !== 'Secret')) return;
  const seen = new Map<string, string>();
  for (const field of m.kind === 'ConfigMap' ? ['data', 'binaryData'] : ['data', 'stringData']) {
    const map = m.obj[field];
    if (!isPlainObject(map)) continue;
    for (const key of Object.keys(map)) {
      const problem = configKeyProblem(key);
      if (problem) sink.error('name/config-key', m.doc, [field, key], `${m.kind} key '${key}' ${problem}`, 'rename the key');
      const other = seen.get(key);
      if (other && m.kind === 'ConfigMap') sink.error('object/duplicate-key', m.doc, [field, key], `key '${key}' is in both ${other} and ${field}`, 'keep the key in one of them');
      seen.set(key, field);
    }
  }
}

/** Runs the object-level semantic checks. */
export function checkSemantics(model: Model, scopes: ScopeMap, sink: Sink): void {
  const seen = new Map<string, Manifest>();
  // Objects that hold a pod template check their labels with the template's (a scan per object was quadratic).
  const owners = new Set(model.templates.map((t) => t.owner));
  for (const m of model.items) {
    checkName(m, sink);
    if (!owners.has(m)) checkLabels(m.obj.metadata?.labels, m.doc, ['metadata', 'labels'], sink);
    checkLabels(m.obj.metadata?.annotations, m.doc, ['metadata', 'annotations'], sink, 'annotation');
    checkDataKeys(m, sink);
    if (m.group === 'policy' && m.kind === 'PodDisruptionBudget') checkSelectorSyntax(m.obj.spec?.selector, m.doc, ['spec', 'selector'], sink);
    if (m.group === 'networking.k8s.io' && m.kind === 'NetworkPolicy') checkSelectorSyntax(m.obj.spec?.podSelector, m.doc, ['spec', 'podSelector'], sink);
    if (m.group === '' && m.kind === 'Service') checkSelectorSyntax({ matchLabels: m.obj.spec?.selector }, m.doc, ['spec', 'selector'], sink);
    if (scopes.get(m.doc) === true && m.namespace) {
      sink.error('object/cluster-scoped-namespace', m.doc, ['metadata', 'namespace'], `${m.kind} is cluster-scoped but has namespace '${m.namespace}'`, 'remove metadata.namespace');
    }
    if (!m.name) continue;
    const key = `${m.group}/${m.kind}/${scopes.get(m.doc) ? '' : m.namespace ?? ''}/${m.name}`;
    const first = seen.get(key);
    if (first) {
      const where = model.docs[first.doc].file;
      sink.error('object/duplicate', m.doc, ['metadata', 'name'], `${m.kind} '${m.name}'${m.namespace ? ` in namespace '${m.namespace}'` : ''} is defined twice (first in ${where})`, 'remove one of them or give them different names; the second silently replaces the first');
    } else seen.set(key, m);
  }
  checkWorkloadSelector(model, sink);
}
