/**
 * Pod-level semantics: unique container, volume and port names, mounts of declared volumes at paths of their own,
 * named probe ports, valid env var names, and Services whose ports resolve to container ports of the pods they select.
 */
import { envVarNameProblem, nameProblem, portNameProblem } from './names';
import { containersOf, isPlainObject, mapSelects, nsOf, type Manifest, type Model, type PodTemplate } from './model';
import type { Sink } from './types';

interface NamedPort {
  name?: string;
  containerPort: number;
  protocol: string;
}

export function podPorts(spec: any): NamedPort[] {
  return containersOf(spec)
    .filter((x) => !x.init)
    .flatMap(({ c }) => (Array.isArray(c.ports) ? c.ports : []))
    .filter(isPlainObject)
    .map((p: any) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' }));
}

function checkTemplate(t: PodTemplate, sink: Sink): void {
  const doc = t.owner.doc;
  const base = [...t.path, 'spec'];
  const containerNames = new Map<string, number>();
  const portNames = new Set<string>();
  const portNumbers = new Set<string>();
  const volumes = new Set<string>();
  (Array.isArray(t.spec.volumes) ? t.spec.volumes : []).forEach((v: any, i: number) => {
    if (typeof v?.name !== 'string') return;
    if (volumes.has(v.name)) sink.error('pod/duplicate-volume', doc, [...base, 'volumes', i, 'name'], `volume name '${v.name}' is used twice`, 'give each volume a unique name');
    const problem = nameProblem(v.name, 'dns1123-label');
    if (problem) sink.error('name/dns1123-label', doc, [...base, 'volumes', i, 'name'], `volume name '${v.name}' ${problem}`, 'rename the volume');
    volumes.add(v.name);
  });
  // StatefulSet claim templates are volumes of their pods too.
  for (const c of Array.isArray(t.owner.obj.spec?.volumeClaimTemplates) ? t.owner.obj.spec.volumeClaimTemplates : []) {
    if (typeof c?.metadata?.name === 'string') volumes.add(c.metadata.name);
  }

  for (const { c, path } of containersOf(t.spec)) {
    const at = [...base, ...path];
    if (typeof c.name === 'string') {
      if (containerNames.has(c.name)) sink.error('pod/duplicate-container', doc, [...at, 'name'], `container name '${c.name}' is used twice in the pod`, 'give each container (init containers included) a unique name');
      const problem = nameProblem(c.name, 'dns1123-label');
      if (problem) sink.error('name/dns1123-label', doc, [...at, 'name'], `container name '${c.name}' ${problem}`, 'rename the container');
      containerNames.set(c.name, 1);
    }
    (Array.isArray(c.ports) ? c.ports : []).forEach((p: any, i: number) => {
      if (!isPlainObject(p)) return;
      if (typeof p.name === 'string') {
        const problem = portNameProblem(p.name);
        if (problem) sink.error('port/name', doc, [...at, 'ports', i, 'name'], `container port name '${p.name}' ${problem}`, 'use a short IANA-style name such as http, metrics or grpc');
        if (portNames.has(p.name)) sink.error('port/duplicate-name', doc, [...at, 'ports', i, 'name'], `port name '${p.name}' is used twice in the pod`, 'give each container port a unique name');
        portNames.add(p.name);
      }
      if (typeof p.containerPort === 'number' && (p.containerPort < 1 || p.containerPort > 65535)) {
        sink.error('port/range', doc, [...at, 'ports', i, 'containerPort'], `containerPort ${p.containerPort} is outside 1-65535`, 'use a valid TCP/UDP port number');
      }
      const id = `${p.containerPort}/${p.protocol ?? 'TCP'}`;
      if (portNumbers.has(id)) sink.warn('port/duplicate', doc, [...at, 'ports', i, 'containerPort'], `container port ${id} is declared twice in the pod`, 'declare each port once');
      portNumbers.add(id);
    });
    const mountPaths = new Set<string>();
    (Array.isArray(c.volumeMounts) ? c.volumeMounts : []).forEach((vm: any, i: number) => {
      if (typeof vm?.name === 'string' && !volumes.has(vm.name)) {
        sink.error('pod/volume-mount', doc, [...at, 'volumeMounts', i, 'name'], `volumeMount '${vm.name}' refers to no volume of the pod (volumes: ${[...volumes].join(', ') || 'none'})`, `add a volume named '${vm.name}' or fix the mount name`);
      }
      // The API server refuses two mounts at one path in a container (an extraVolumeMount over a built-in one).
      if (typeof vm?.mountPath === 'string') {
        if (mountPaths.has(vm.mountPath)) {
          sink.error('pod/duplicate-mount-path', doc, [...at, 'volumeMounts', i, 'mountPath'], `mount path '${vm.mountPath}' is used twice in container '${c.name}'`, 'mount each volume at a path of its own');
        }
        mountPaths.add(vm.mountPath);
      }
    });
    (Array.isArray(c.env) ? c.env : []).forEach((e: any, i: number) => {
      const problem = typeof e?.name === 'string' ? envVarNameProblem(e.name) : undefined;
      if (problem) sink.error('name/env-var', doc, [...at, 'env', i, 'name'], `env var name '${e.name}' ${problem}`, 'rename the variable');
    });
  }

  // Named probe ports resolve against the same container's ports.
  for (const { c, path } of containersOf(t.spec)) {
    const own = new Set((Array.isArray(c.ports) ? c.ports : []).map((p: any) => p?.name).filter(Boolean));
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      for (const handler of ['httpGet', 'tcpSocket', 'grpc']) {
        const port = c[probe]?.[handler]?.port;
        if (typeof port === 'string' && !own.has(port)) {
          sink.error('probe/port', t.owner.doc, [...base, ...path, probe, handler, 'port'], `${probe} uses port name '${port}', which container '${c.name}' does not declare`, `declare a container port named '${port}' or use the port number`);
        }
      }
    }
  }
}

function checkService(svc: Manifest, model: Model, sink: Sink): void {
  const spec = svc.obj.spec;
  if (!isPlainObject(spec) || spec.type === 'ExternalName') return;
  const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
  const names = new Set<string>();
  const numbers = new Set<string>();
  ports.forEach((p, i) => {
    if (!isPlainObject(p)) return;
    const at = ['spec', 'ports', i];
    if (ports.length > 1 && !p.name) sink.error('port/name', svc.doc, [...at, 'name'], `Service port ${p.port} has no name; a Service with several ports must name each`, 'name the port, e.g. http');
    if (typeof p.name === 'string') {
      const problem = nameProblem(p.name, 'dns1123-label');
      if (problem) sink.error('port/name', svc.doc, [...at, 'name'], `Service port name '${p.name}' ${problem}`, 'rename the port');
      if (names.has(p.name)) sink.error('port/duplicate-name', svc.doc, [...at, 'name'], `Service port name '${p.name}' is used twice`, 'give each port a unique name');
      names.add(p.name);
    }
    for (const field of ['port', 'targetPort', 'nodePort'] as const) {
      const n = p[field];
      if (typeof n === 'number' && (n < 1 || n > 65535)) sink.error('port/range', svc.doc, [...at, field], `${field} ${n} is outside 1-65535`, 'use a valid port number');
    }
    const id = `${p.port}/${p.protocol ?? 'TCP'}`;
    if (numbers.has(id)) sink.error('port/duplicate', svc.doc, [...at, 'port'], `Service port ${id} is declared twice`, 'declare each port once');
    numbers.add(id);
  });
  if (!isPlainObject(spec.selector) || Object.keys(spec.selector).length === 0) return;
  const selected = model.templates.filter((t) => !t.partial && t.longRunning && nsOf(t.owner) === nsOf(svc) && mapSelects(spec.selector, t.labels));
  if (selected.length === 0) {
    sink.warn('service/no-pods', svc.doc, ['spec', 'selector'], `Service selector ${JSON.stringify(spec.selector)} selects no pod template in the output`, 'fix the selector, or ignore if an operator creates the pods');
    return;
  }
  ports.forEach((p, i) => {
    if (!isPlainObject(p)) return;
    const target = p.targetPort ?? p.port;
    const protocol = p.protocol ?? 'TCP';
    for (const t of selected) {
      const pp = podPorts(t.spec);
      const ok = typeof target === 'string' ? pp.some((x) => x.name === target && x.protocol === protocol) : pp.some((x) => x.containerPort === target && x.protocol === protocol);
      if (ok) continue;
      const declared = pp.map((x) => `${x.name ?? '-'}=${x.containerPort}/${x.protocol}`).join(', ') || 'none';
      sink.error(
        'service/target-port',
        svc.doc,
        ['spec', 'ports', i, p.targetPort === undefined ? 'port' : 'targetPort'],
        `targetPort ${JSON.stringify(target)}/${protocol} does not resolve to a container port of ${t.owner.kind}/${t.owner.name} (ports: ${declared})`,
        typeof target === 'string' ? `name a container port '${target}' or point targetPort at an existing port name` : 'point targetPort at a declared containerPort (or its name)',
      );
    }
  });
}

export function checkPods(model: Model, sink: Sink): void {
  for (const t of model.templates) checkTemplate(t, sink);
  for (const m of model.items) if (m.group === '' && m.kind === 'Service') checkService(m, model, sink);
}
