/**
 * Per-pod policy: the restricted Pod Security Standard (Kubernetes 1.28) on every pod template, requests and
 * limits on every container, pinned images, probes on servers, and no fixed UIDs where the platform assigns them.
 */
import { containersOf, isPlainObject, type Model, type Path, type PodTemplate } from './model';
import { cpuMillis, memoryBytes } from '../../profiles/quantity';
import type { GatePolicy, Sink } from './types';

const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
/** Sysctls the baseline profile allows in 1.28 (tcp_fin_timeout and the keepalive ones came in 1.29). */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const PSS_FIX = 'set the restricted security context: runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities.drop [ALL], seccompProfile RuntimeDefault';

function pss(t: PodTemplate, sink: Sink): void {
  const doc = t.owner.doc;
  const base: Path = [...t.path, 'spec'];
  const spec = t.spec;
  const podSc = isPlainObject(spec.securityContext) ? spec.securityContext : {};
  const v = (path: Path, control: string, detail: string, fix = PSS_FIX) => sink.error('policy/pss-restricted', doc, path, `${control}: ${detail}`, fix);

  for (const f of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (spec[f] === true) v([...base, f], 'host namespaces', `${f} is true`, `remove ${f}`);
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((vol: any, i: number) => {
    const type = Object.keys(vol ?? {}).find((k) => k !== 'name');
    if (type && !RESTRICTED_VOLUMES.has(type)) v([...base, 'volumes', i, type], 'volume types', `volume '${vol.name}' is of type ${type}`, 'use configMap, secret, emptyDir, projected, downwardAPI, csi, ephemeral or persistentVolumeClaim volumes');
  });
  (Array.isArray(podSc.sysctls) ? podSc.sysctls : []).forEach((s: any, i: number) => {
    if (!SAFE_SYSCTLS.has(s?.name)) v([...base, 'securityContext', 'sysctls', i], 'sysctls', `sysctl '${s?.name}' is not in the safe set`, `remove it (allowed: ${[...SAFE_SYSCTLS].join(', ')})`);
  });
  const podSeccomp = podSc.seccompProfile?.type;
  if (podSeccomp === 'Unconfined') v([...base, 'securityContext', 'seccompProfile'], 'seccomp', 'pod seccompProfile is Unconfined');
  if (podSc.runAsUser === 0) v([...base, 'securityContext', 'runAsUser'], 'running as non-root user', 'pod runAsUser is 0', 'use a non-zero UID (or none on OpenShift)');
  const annotations = getTemplateAnnotations(t);
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (key.startsWith('container.apparmor.security.beta.kubernetes.io/') && value !== 'runtime/default' && !String(value).startsWith('localhost/')) {
      v([...t.path, 'metadata', 'annotations', key], 'AppArmor', `profile '${value}' is not runtime/default or localhost/*`, 'use runtime/default');
    }
  }

  for (const { c, path } of containersOf(spec)) {
    const at = [...base, ...path];
    const sc = isPlainObject(c.securityContext) ? c.securityContext : {};
    const scAt = [...at, 'securityContext'];
    const name = `container '${c.name}'`;
    if (sc.privileged === true) v([...scAt, 'privileged'], 'privileged', `${name} is privileged`, 'remove privileged: true');
    if (sc.allowPrivilegeEscalation !== false) v([...scAt, 'allowPrivilegeEscalation'], 'privilege escalation', `${name} does not set allowPrivilegeEscalation: false`, 'set securityContext.allowPrivilegeEscalation: false');
    const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    if (nonRoot !== true) v([...scAt, 'runAsNonRoot'], 'running as non-root', `${name} does not run with runAsNonRoot: true (pod or container)`, 'set runAsNonRoot: true in the pod or container securityContext');
    if (sc.runAsUser === 0) v([...scAt, 'runAsUser'], 'running as non-root user', `${name} sets runAsUser: 0`, 'use a non-zero UID (or none on OpenShift)');
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') v([...scAt, 'seccompProfile'], 'seccomp', `${name} has seccompProfile ${seccomp ?? 'unset'} (pod and container)`, 'set seccompProfile.type: RuntimeDefault on the pod');
    const drop: unknown[] = Array.isArray(sc.capabilities?.drop) ? sc.capabilities.drop : [];
    if (!drop.includes('ALL')) v([...scAt, 'capabilities', 'drop'], 'capabilities', `${name} does not drop ALL capabilities`, 'set capabilities.drop: [ALL]');
    const add: unknown[] = Array.isArray(sc.capabilities?.add) ? sc.capabilities.add : [];
    for (const cap of add) if (cap !== 'NET_BIND_SERVICE') v([...scAt, 'capabilities', 'add'], 'capabilities', `${name} adds ${String(cap)}`, 'add no capability other than NET_BIND_SERVICE');
    if (sc.procMount !== undefined && sc.procMount !== 'Default') v([...scAt, 'procMount'], '/proc mount', `${name} uses procMount ${sc.procMount}`, 'remove procMount');
    const se = sc.seLinuxOptions ?? podSc.seLinuxOptions;
    if (isPlainObject(se) && (se.user || se.role || !SELINUX_TYPES.has(se.type ?? ''))) v([...scAt, 'seLinuxOptions'], 'SELinux', `${name} sets a custom SELinux user, role or type`, 'remove seLinuxOptions');
    (Array.isArray(c.ports) ? c.ports : []).forEach((p: any, i: number) => {
      if (p?.hostPort) v([...at, 'ports', i, 'hostPort'], 'host ports', `${name} binds hostPort ${p.hostPort}`, 'remove hostPort and expose the port through a Service');
    });
  }
}

function getTemplateAnnotations(t: PodTemplate): Record<string, unknown> | undefined {
  let cur: any = t.owner.obj;
  for (const p of t.path) cur = cur?.[p as any];
  return isPlainObject(cur?.metadata?.annotations) ? cur.metadata.annotations : undefined;
}

function resources(t: PodTemplate, sink: Sink): void {
  const fallback = t.partial ? t.owner.obj.spec?.resources : undefined;
  for (const { c, path } of containersOf(t.spec)) {
    const r = isPlainObject(c.resources) && Object.keys(c.resources).length ? c.resources : fallback;
    const at = [...t.path, 'spec', ...path, 'resources'];
    const missing = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'].filter((k) => {
      const [a, b] = k.split('.');
      return r?.[a]?.[b] === undefined;
    });
    if (missing.length) {
      sink.error('policy/resources', t.owner.doc, at, `container '${c.name}' has no ${missing.join(', ')}`, 'set CPU and memory requests and limits (the scheduler and the capacity check need the requests)');
    }
    for (const [res, parse] of [['cpu', cpuMillis], ['memory', memoryBytes]] as const) {
      const req = parse(r?.requests?.[res]);
      const lim = parse(r?.limits?.[res]);
      if (req !== undefined && lim !== undefined && req > lim) {
        sink.error('policy/resources', t.owner.doc, [...at, 'requests', res], `container '${c.name}' requests ${r.requests[res]} ${res} but its limit is ${r.limits[res]}`, 'make the request at most the limit');
      }
    }
  }
}

interface ImageRef {
  image: string;
  path: Path;
}

function imagesOf(model: Model): { doc: number; refs: ImageRef[] }[] {
  const out: { doc: number; refs: ImageRef[] }[] = [];
  for (const t of model.templates) {
    out.push({ doc: t.owner.doc, refs: containersOf(t.spec).filter((x) => typeof x.c.image === 'string').map((x) => ({ image: x.c.image, path: [...t.path, 'spec', ...x.path, 'image'] })) });
  }
  for (const m of model.items) {
    const spec = m.obj.spec;
    const candidates: [unknown, Path][] =
      m.group === 'toolhive.stacklok.dev'
        ? [[spec?.image, ['spec', 'image']]]
        : m.group === 'postgres-operator.crunchydata.com'
          ? [[spec?.image, ['spec', 'image']], [spec?.proxy?.pgBouncer?.image, ['spec', 'proxy', 'pgBouncer', 'image']], [spec?.backups?.pgbackrest?.image, ['spec', 'backups', 'pgbackrest', 'image']]]
          : [];
    const refs = candidates.filter(([img]) => typeof img === 'string' && img).map(([image, path]) => ({ image: image as string, path }));
    if (refs.length) out.push({ doc: m.doc, refs });
  }
  return out;
}

/** `repo[:tag][@sha256:...]` → tag and digest. */
export function splitImage(image: string): { repository: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const named = at >= 0 ? image.slice(0, at) : image;
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  return colon > slash ? { repository: named.slice(0, colon), tag: named.slice(colon + 1), digest } : { repository: named, digest };
}

function images(model: Model, policy: GatePolicy | undefined, sink: Sink): void {
  for (const { doc, refs } of imagesOf(model)) {
    for (const { image, path } of refs) {
      const { tag, digest } = splitImage(image);
      if (tag === 'latest') sink.error('policy/image-tag', doc, path, `image '${image}' uses the mutable tag 'latest'`, 'pin a released version tag');
      else if (!tag && !digest) sink.error('policy/image-tag', doc, path, `image '${image}' has no tag, which means 'latest'`, 'pin a released version tag');
      if (policy?.requireDigests && !/^sha256:[a-f0-9]{64}$/.test(digest ?? '')) {
        sink.error('policy/image-digest', doc, path, `image '${image}' is not pinned by digest (profile ${policy.profile} requires @sha256:<64 hex>)`, 'append @sha256:<digest> of the released image');
      }
    }
  }
}

function probes(t: PodTemplate, sink: Sink): void {
  if (!t.longRunning || t.partial) return;
  for (const { c, path, init } of containersOf(t.spec)) {
    if (init || !Array.isArray(c.ports) || c.ports.length === 0) continue;
    const missing = ['readinessProbe', 'livenessProbe'].filter((p) => !isPlainObject(c[p]));
    if (missing.length) {
      sink.error('policy/probes', t.owner.doc, [...t.path, 'spec', ...path], `container '${c.name}' serves ports but has no ${missing.join(' or ')}`, 'add readiness and liveness probes (and a startup probe for slow starts)');
    }
  }
}

function fixedUids(t: PodTemplate, policy: GatePolicy, sink: Sink): void {
  const base: Path = [...t.path, 'spec'];
  const report = (path: Path, field: string, value: unknown, where: string) =>
    sink.error('policy/fixed-uid', t.owner.doc, path, `${where} sets ${field}: ${JSON.stringify(value)}; profile ${policy.profile} forbids fixed IDs (OpenShift's restricted-v2 SCC assigns them from the namespace range)`, `remove ${field} on ${policy.profile}`);
  const podSc = t.spec.securityContext;
  for (const f of ['runAsUser', 'runAsGroup', 'fsGroup']) if (podSc?.[f] !== undefined) report([...base, 'securityContext', f], f, podSc[f], 'the pod');
  for (const { c, path } of containersOf(t.spec)) {
    for (const f of ['runAsUser', 'runAsGroup']) if (c.securityContext?.[f] !== undefined) report([...base, ...path, 'securityContext', f], f, c.securityContext[f], `container '${c.name}'`);
  }
}

function mcpServerResources(model: Model, sink: Sink): void {
  for (const m of model.items) {
    if (m.group !== 'toolhive.stacklok.dev' || m.kind !== 'MCPServer' || model.templates.some((t) => t.owner === m)) continue;
    const r = m.obj.spec?.resources;
    const missing = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'].filter((k) => r?.[k.split('.')[0]]?.[k.split('.')[1]] === undefined);
    if (missing.length) sink.error('policy/resources', m.doc, ['spec', 'resources'], `MCPServer '${m.name}' has no ${missing.join(', ')}`, 'set spec.resources requests and limits');
  }
}

export function checkPodPolicy(model: Model, policy: GatePolicy | undefined, sink: Sink): void {
  for (const t of model.templates) {
    pss(t, sink);
    resources(t, sink);
    probes(t, sink);
    if (policy?.forbidFixedUids) fixedUids(t, policy, sink);
  }
  mcpServerResources(model, sink);
  images(model, policy, sink);
}
