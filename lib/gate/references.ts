/**
 * Every ConfigMap, Secret, PersistentVolumeClaim and ServiceAccount a pod (or an Ingress, MCPServer or
 * PostgresCluster) needs must be in the output, be created by something in the output (an operator or the
 * OpenShift service CA), always exist (`default` ServiceAccount), or be declared external by the profile.
 */
import { containersOf, isPlainObject, nsOf, sameNamespace, type Manifest, type Model, type Path } from './model';
import type { ExternalRefKind, GatePolicy, Sink } from './types';

interface Available {
  kind: ExternalRefKind;
  namespace?: string;
  name: string;
  /** Keys it holds; undefined when unknown (external objects). */
  keys?: Set<string>;
  origin: string;
}

interface Ref {
  kind: ExternalRefKind;
  name: string;
  key?: string;
  optional: boolean;
  path: Path;
}

const ALWAYS_PRESENT: Available[] = [
  { kind: 'ServiceAccount', name: 'default', origin: 'every namespace has it' },
  { kind: 'ConfigMap', name: 'kube-root-ca.crt', keys: new Set(['ca.crt']), origin: 'published in every namespace' },
  { kind: 'ConfigMap', name: 'openshift-service-ca.crt', keys: new Set(['service-ca.crt']), origin: 'published in every OpenShift namespace' },
];

const PGO_USER_KEYS = ['user', 'password', 'verifier', 'dbname', 'host', 'port', 'uri', 'jdbc-uri'];
const PGO_PGBOUNCER_KEYS = ['pgbouncer-host', 'pgbouncer-port', 'pgbouncer-uri', 'pgbouncer-jdbc-uri'];

function keysOf(m: Manifest): Set<string> {
  const fields = m.kind === 'ConfigMap' ? ['data', 'binaryData'] : m.kind === 'Secret' ? ['data', 'stringData'] : [];
  return new Set(fields.flatMap((f) => (isPlainObject(m.obj[f]) ? Object.keys(m.obj[f]) : [])));
}

function available(model: Model, policy: GatePolicy | undefined): Available[] {
  const out: Available[] = [...ALWAYS_PRESENT];
  for (const m of model.items) {
    if (m.group === '' && ['ConfigMap', 'Secret', 'PersistentVolumeClaim', 'ServiceAccount'].includes(m.kind)) {
      out.push({ kind: m.kind as ExternalRefKind, namespace: m.namespace, name: m.name, keys: m.kind === 'ConfigMap' || m.kind === 'Secret' ? keysOf(m) : undefined, origin: 'output' });
    }
    const servingCert = m.kind === 'Service' ? m.obj.metadata?.annotations?.['service.beta.openshift.io/serving-cert-secret-name'] : undefined;
    if (typeof servingCert === 'string') {
      out.push({ kind: 'Secret', namespace: m.namespace, name: servingCert, keys: new Set(['tls.crt', 'tls.key']), origin: `the OpenShift service CA (annotation on Service ${m.name})` });
    }
    const annotations = m.obj.metadata?.annotations ?? {};
    if (m.kind === 'Ingress' && (annotations['cert-manager.io/cluster-issuer'] || annotations['cert-manager.io/issuer'])) {
      for (const t of Array.isArray(m.obj.spec?.tls) ? m.obj.spec.tls : []) {
        if (typeof t?.secretName === 'string') out.push({ kind: 'Secret', namespace: m.namespace, name: t.secretName, keys: new Set(['tls.crt', 'tls.key', 'ca.crt']), origin: `cert-manager (annotation on Ingress ${m.name})` });
      }
    }
    if (m.group === 'postgres-operator.crunchydata.com' && m.kind === 'PostgresCluster') {
      const users: any[] = Array.isArray(m.obj.spec?.users) && m.obj.spec.users.length ? m.obj.spec.users : [{ name: m.name }];
      const keys = new Set([...PGO_USER_KEYS, ...(isPlainObject(m.obj.spec?.proxy?.pgBouncer) ? PGO_PGBOUNCER_KEYS : [])]);
      for (const u of users) {
        if (typeof u?.name === 'string') out.push({ kind: 'Secret', namespace: m.namespace, name: `${m.name}-pguser-${u.name}`, keys, origin: `PGO (PostgresCluster ${m.name})` });
      }
    }
  }
  for (const r of policy?.externalRefs ?? []) out.push({ ...r, origin: 'declared external by the profile' });
  return out;
}

function podRefs(spec: any, base: Path): Ref[] {
  const refs: Ref[] = [];
  const sa = spec.serviceAccountName ?? spec.serviceAccount;
  if (typeof sa === 'string' && sa) refs.push({ kind: 'ServiceAccount', name: sa, optional: false, path: [...base, 'serviceAccountName'] });
  (Array.isArray(spec.imagePullSecrets) ? spec.imagePullSecrets : []).forEach((s: any, i: number) => {
    if (typeof s?.name === 'string') refs.push({ kind: 'Secret', name: s.name, optional: false, path: [...base, 'imagePullSecrets', i, 'name'] });
  });
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v: any, i: number) => {
    const at = [...base, 'volumes', i];
    const items = (src: any) => (Array.isArray(src?.items) ? src.items.map((x: any) => x?.key).filter((k: unknown) => typeof k === 'string') : []);
    if (isPlainObject(v?.configMap)) {
      refs.push({ kind: 'ConfigMap', name: v.configMap.name, optional: !!v.configMap.optional, path: [...at, 'configMap', 'name'] });
      for (const key of items(v.configMap)) refs.push({ kind: 'ConfigMap', name: v.configMap.name, key, optional: !!v.configMap.optional, path: [...at, 'configMap', 'items'] });
    }
    if (isPlainObject(v?.secret)) {
      refs.push({ kind: 'Secret', name: v.secret.secretName, optional: !!v.secret.optional, path: [...at, 'secret', 'secretName'] });
      for (const key of items(v.secret)) refs.push({ kind: 'Secret', name: v.secret.secretName, key, optional: !!v.secret.optional, path: [...at, 'secret', 'items'] });
    }
    if (isPlainObject(v?.persistentVolumeClaim)) refs.push({ kind: 'PersistentVolumeClaim', name: v.persistentVolumeClaim.claimName, optional: false, path: [...at, 'persistentVolumeClaim', 'claimName'] });
    (Array.isArray(v?.projected?.sources) ? v.projected.sources : []).forEach((s: any, j: number) => {
      if (isPlainObject(s?.configMap)) refs.push({ kind: 'ConfigMap', name: s.configMap.name, optional: !!s.configMap.optional, path: [...at, 'projected', 'sources', j, 'configMap', 'name'] });
      if (isPlainObject(s?.secret)) refs.push({ kind: 'Secret', name: s.secret.name, optional: !!s.secret.optional, path: [...at, 'projected', 'sources', j, 'secret', 'name'] });
    });
  });
  for (const { c, path } of containersOf(spec)) {
    const at = [...base, ...path];
    (Array.isArray(c.env) ? c.env : []).forEach((e: any, i: number) => {
      for (const [field, kind] of [['configMapKeyRef', 'ConfigMap'], ['secretKeyRef', 'Secret']] as const) {
        const r = e?.valueFrom?.[field];
        if (isPlainObject(r)) refs.push({ kind, name: r.name, key: r.key, optional: !!r.optional, path: [...at, 'env', i, 'valueFrom', field] });
      }
    });
    (Array.isArray(c.envFrom) ? c.envFrom : []).forEach((e: any, i: number) => {
      for (const [field, kind] of [['configMapRef', 'ConfigMap'], ['secretRef', 'Secret']] as const) {
        const r = e?.[field];
        if (isPlainObject(r)) refs.push({ kind, name: r.name, optional: !!r.optional, path: [...at, 'envFrom', i, field, 'name'] });
      }
    });
  }
  return refs.filter((r) => typeof r.name === 'string' && r.name !== '');
}

function objectRefs(m: Manifest): Ref[] {
  const refs: Ref[] = [];
  if (m.group === 'networking.k8s.io' && m.kind === 'Ingress') {
    (Array.isArray(m.obj.spec?.tls) ? m.obj.spec.tls : []).forEach((t: any, i: number) => {
      if (typeof t?.secretName === 'string') refs.push({ kind: 'Secret', name: t.secretName, optional: false, path: ['spec', 'tls', i, 'secretName'] });
    });
  }
  if (m.group === 'toolhive.stacklok.dev') {
    (Array.isArray(m.obj.spec?.secrets) ? m.obj.spec.secrets : []).forEach((s: any, i: number) => {
      if (typeof s?.name === 'string') refs.push({ kind: 'Secret', name: s.name, key: s.key, optional: false, path: ['spec', 'secrets', i] });
    });
  }
  if (m.group === 'postgres-operator.crunchydata.com' && m.kind === 'PostgresCluster' && isPlainObject(m.obj.spec?.databaseInitSQL)) {
    const r = m.obj.spec.databaseInitSQL;
    refs.push({ kind: 'ConfigMap', name: r.name, key: r.key, optional: false, path: ['spec', 'databaseInitSQL'] });
  }
  return refs;
}

export function checkReferences(model: Model, policy: GatePolicy | undefined, sink: Sink): void {
  // The pool by kind and name, in its order: each reference looks at the few candidates, not the whole pool.
  const pool = new Map<string, Available[]>();
  for (const a of available(model, policy)) {
    const key = JSON.stringify([a.kind, a.name]);
    const list = pool.get(key);
    if (list) list.push(a);
    else pool.set(key, [a]);
  }
  const check = (owner: Manifest, refs: Ref[]) => {
    for (const r of refs) {
      if (r.optional) continue;
      const matches = (pool.get(JSON.stringify([r.kind, r.name])) ?? []).filter((a) => sameNamespace(a.namespace, owner.namespace));
      if (matches.length === 0) {
        sink.error(
          'ref/missing',
          owner.doc,
          r.path,
          `${owner.kind} '${owner.name}' needs ${r.kind} '${r.name}'${owner.namespace ? ` in namespace '${nsOf(owner)}'` : ''}, which is neither in the output nor declared external`,
          `add the ${r.kind} to the output, or declare it in the profile's external references (created by the user or an operator)`,
        );
        continue;
      }
      if (r.key === undefined || matches.some((a) => a.keys === undefined || a.keys.has(r.key!))) continue;
      const known = [...new Set(matches.flatMap((a) => [...(a.keys ?? [])]))].sort();
      sink.error('ref/missing-key', owner.doc, r.path, `${r.kind} '${r.name}' (${matches[0].origin}) has no key '${r.key}' (keys: ${known.join(', ') || 'none'})`, `use one of its keys or add '${r.key}' to the ${r.kind}`);
    }
  };
  for (const t of model.templates) check(t.owner, podRefs(t.spec, [...t.path, 'spec']));
  for (const m of model.items) check(m, objectRefs(m));
}
