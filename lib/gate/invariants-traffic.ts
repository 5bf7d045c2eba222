/**
 * Who talks to whom must line up: NGINX upstreams point at existing Service ports (the gateway's among them) and
 * NGINX listens on its container ports; Routes and Ingresses reach existing Service ports; Locust targets the
 * NGINX (or gateway) Service; ServiceMonitors, PodMonitors and HPAs point at something that exists.
 */
import { componentOf, isPlainObject, nsOf, selectorMatches, type Manifest, type Model } from './model';
import { podPorts } from './pods';
import { describePorts, findService, flagValue, mainContainer, parseServiceHost, servicePorts, services, servicesFor, templatesOfComponent } from './services';
import type { Sink } from './types';
import { checkStreamTimeouts } from './invariants-streams';
import { checkGatewaySizing } from './invariants-sizing';

function stripComments(conf: string): string {
  return conf.replace(/#[^\n]*/g, '');
}

function nginxConfigs(model: Model): { cm: Manifest; key: string; conf: string }[] {
  return model.items
    .filter((m) => m.group === '' && m.kind === 'ConfigMap' && isPlainObject(m.obj.data))
    .flatMap((cm) =>
      Object.entries<unknown>(cm.obj.data)
        .filter(([key, v]) => typeof v === 'string' && (key === 'nginx.conf' || (componentOf(cm) === 'nginx' && key.endsWith('.conf'))) && /\b(upstream|server)\s/.test(v))
        .map(([key, v]) => ({ cm, key, conf: stripComments(v as string) })),
    );
}

function checkNginx(model: Model, sink: Sink): void {
  const gatewayServices = templatesOfComponent(model, 'gateway').flatMap((t) => servicesFor(model, t));
  for (const { cm, key, conf } of nginxConfigs(model)) {
    const ns = nsOf(cm);
    let targetsGateway = false;
    for (const block of conf.matchAll(/upstream\s+([\w.-]+)\s*\{([^}]*)\}/g)) {
      for (const server of block[2].matchAll(/\bserver\s+([^\s;]+)[^;]*;/g)) {
        const address = server[1];
        const m = /^(.*?)(?::(\d+))?$/.exec(address)!;
        const port = Number(m[2] ?? 80);
        const target = parseServiceHost(m[1], ns);
        if (!target) continue;
        const svc = findService(model, target.name, target.namespace);
        const where = `upstream '${block[1]}' server ${address}`;
        if (!svc) {
          sink.error('invariant/nginx-upstream', cm.doc, ['data', key], `${where}: there is no Service '${target.name}' in namespace '${target.namespace}' in the output`, 'point the upstream at the gateway Service (<service>.<namespace>.svc.cluster.local:<port>)');
          continue;
        }
        if (!servicePorts(svc).some((p) => p.port === port)) {
          sink.error('invariant/nginx-upstream', cm.doc, ['data', key], `${where}: Service '${svc.name}' does not expose port ${port} (ports: ${describePorts(svc)})`, `use one of the Service ports or expose ${port} on the Service`);
          continue;
        }
        if (gatewayServices.includes(svc)) targetsGateway = true;
      }
    }
    if (gatewayServices.length && !targetsGateway && /\bupstream\s/.test(conf)) {
      sink.error('invariant/nginx-upstream', cm.doc, ['data', key], `no upstream in ${key} points at the gateway Service (${gatewayServices.map((s) => `${s.name}:${servicePorts(s).map((p) => p.port).join('/')}`).join(', ')})`, 'add the gateway Service to the upstream block');
    }
    // NGINX must listen where the Deployment declares its ports, or Services and probes miss it.
    const users = model.templates.filter((t) => nsOf(t.owner) === ns && (Array.isArray(t.spec.volumes) ? t.spec.volumes : []).some((v: any) => v?.configMap?.name === cm.name));
    for (const listen of conf.matchAll(/\blisten\s+(?:[\w.[\]:]*:)?(\d+)\b/g)) {
      const port = Number(listen[1]);
      for (const t of users) {
        if (podPorts(t.spec).some((p) => p.containerPort === port)) continue;
        sink.error('invariant/nginx-listen', cm.doc, ['data', key], `NGINX listens on ${port} but ${t.owner.kind} '${t.owner.name}' declares no container port ${port} (ports: ${podPorts(t.spec).map((p) => p.containerPort).join(', ') || 'none'})`, `declare containerPort ${port} or change the listen directive`);
      }
    }
    const cacheOn = /\bproxy_cache\s+(?!off\b)[\w$]+\s*;/.test(conf);
    const keyed = /proxy_cache_key[^;]*\$http_authorization/.test(conf) || /proxy_(no_cache|cache_bypass)[^;]*\$http_authorization/.test(conf);
    if (cacheOn && !keyed) {
      sink.error('invariant/nginx-cache-key', cm.doc, ['data', key], 'NGINX caches proxied responses with a cache key that ignores the Authorization header, so one user can be served another user\'s cached response', 'add $http_authorization to proxy_cache_key, or set proxy_no_cache/proxy_cache_bypass $http_authorization');
    }
  }
}

/** Whether a Service port answers to `port` (a Route targetPort or an Ingress backend port). */
function servicePortMatches(svc: Manifest, port: unknown, route: boolean): boolean {
  return servicePorts(svc).some((p) => (typeof port === 'string' ? p.name === port || (route && p.targetPort === port) : p.port === port || (route && p.targetPort === port)));
}

function checkExposure(model: Model, sink: Sink): void {
  const backend = (m: Manifest, path: (string | number)[], name: unknown, port: unknown, route: boolean) => {
    if (typeof name !== 'string') return;
    const svc = findService(model, name, nsOf(m));
    if (!svc) {
      sink.error('invariant/exposure-backend', m.doc, path, `${m.kind} '${m.name}' sends traffic to Service '${name}', which is not in the output`, 'point it at an existing Service (the NGINX or gateway Service)');
    } else if (port !== undefined && !servicePortMatches(svc, port, route)) {
      sink.error('invariant/exposure-backend', m.doc, [...path.slice(0, -1), 'port'], `${m.kind} '${m.name}' uses port ${JSON.stringify(port)} of Service '${name}', which exposes ${describePorts(svc)}`, 'use a port name (or number) the Service exposes');
    }
  };
  const routes = model.items.filter((m) => m.group === 'route.openshift.io' && m.kind === 'Route');
  const ingresses = model.items.filter((m) => m.group === 'networking.k8s.io' && m.kind === 'Ingress');
  for (const r of routes) {
    const spec = r.obj.spec ?? {};
    if ((spec.to?.kind ?? 'Service') === 'Service') backend(r, ['spec', 'to', 'name'], spec.to?.name, spec.port?.targetPort, true);
    (Array.isArray(spec.alternateBackends) ? spec.alternateBackends : []).forEach((b: any, i: number) => backend(r, ['spec', 'alternateBackends', i, 'name'], b?.name, spec.port?.targetPort, true));
  }
  for (const ing of ingresses) {
    const spec = ing.obj.spec ?? {};
    const b = spec.defaultBackend?.service;
    if (b) backend(ing, ['spec', 'defaultBackend', 'service', 'name'], b.name, b.port?.name ?? b.port?.number, false);
    (Array.isArray(spec.rules) ? spec.rules : []).forEach((rule: any, i: number) => {
      (Array.isArray(rule?.http?.paths) ? rule.http.paths : []).forEach((p: any, j: number) => {
        const s = p?.backend?.service;
        if (s) backend(ing, ['spec', 'rules', i, 'http', 'paths', j, 'backend', 'service', 'name'], s.name, s.port?.name ?? s.port?.number, false);
      });
    });
  }
  for (const r of routes) {
    const twin = ingresses.find((i) => nsOf(i) === nsOf(r));
    if (twin) sink.warn('invariant/duplicate-exposure', twin.doc, ['kind'], `Ingress '${twin.name}' and Route '${r.name}' both expose namespace '${nsOf(r) || '(default)'}'`, 'keep one way in per profile (Route on OpenShift, Ingress elsewhere)');
  }
}

function checkLocust(model: Model, sink: Sink): void {
  const nginx = templatesOfComponent(model, 'nginx').flatMap((t) => servicesFor(model, t));
  const gateway = templatesOfComponent(model, 'gateway').flatMap((t) => servicesFor(model, t));
  const expected = nginx.length ? nginx : gateway;
  const masters = templatesOfComponent(model, 'locust-master');
  for (const t of [...masters, ...templatesOfComponent(model, 'locust-worker')]) {
    const c = mainContainer(t);
    const envHost = (Array.isArray(c?.env) ? c.env : []).find((e: any) => e?.name === 'LOCUST_HOST')?.value;
    const host = typeof envHost === 'string' ? envHost : flagValue(c, '--host') ?? flagValue(c, '-H');
    const at = [...t.path, 'spec', 'containers', 0];
    if (host) {
      const url = /^[a-z]+:\/\/([^/:]+)(?::(\d+))?/i.exec(host);
      const target = url ? parseServiceHost(url[1], nsOf(t.owner)) : undefined;
      const port = url?.[2] ? Number(url[2]) : /^https/i.test(host) ? 443 : 80;
      const svc = target && findService(model, target.name, target.namespace);
      if (!svc || !servicePorts(svc).some((p) => p.port === port)) {
        sink.error('invariant/locust-host', t.owner.doc, at, `Locust targets ${host}, which is not a Service port in the output`, `target ${expected.map((s) => `http://${s.name}.${nsOf(s)}.svc.cluster.local:${servicePorts(s)[0]?.port}`).join(' or ') || 'the NGINX or gateway Service'}`);
      } else if (expected.length && !expected.includes(svc)) {
        sink.error('invariant/locust-host', t.owner.doc, at, `Locust targets Service '${svc.name}', not the ${nginx.length ? 'NGINX' : 'gateway'} Service '${expected[0].name}' the benchmark is meant to measure`, `set the host to http://${expected[0].name}.${nsOf(expected[0])}.svc.cluster.local:${servicePorts(expected[0])[0]?.port}`);
      }
    }
    const masterHost = flagValue(c, '--master-host') ?? (Array.isArray(c?.env) ? c.env : []).find((e: any) => e?.name === 'LOCUST_MASTER_NODE_HOST')?.value;
    if (typeof masterHost === 'string') {
      const target = parseServiceHost(masterHost, nsOf(t.owner));
      const svc = target && findService(model, target.name, target.namespace);
      if (target && (!svc || !masters.some((m) => servicesFor(model, m).includes(svc)))) {
        sink.error('invariant/locust-host', t.owner.doc, at, `Locust worker master host '${masterHost}' is not a Service selecting the Locust master`, 'point --master-host at the master Service');
      }
    }
  }
}

function checkMonitorsAndScalers(model: Model, sink: Sink): void {
  for (const sm of model.items.filter((m) => m.group === 'monitoring.coreos.com' && m.kind === 'ServiceMonitor')) {
    const nsSel = sm.obj.spec?.namespaceSelector;
    const inScope = (s: Manifest) => nsSel?.any === true || (Array.isArray(nsSel?.matchNames) ? nsSel.matchNames.includes(nsOf(s)) : nsOf(s) === nsOf(sm));
    const selected = services(model).filter((s) => inScope(s) && selectorMatches(sm.obj.spec?.selector, s.labels));
    if (selected.length === 0) {
      sink.error('invariant/servicemonitor-target', sm.doc, ['spec', 'selector'], `ServiceMonitor '${sm.name}' selects no Service in the output`, 'match the selector to the labels of the Service to scrape');
      continue;
    }
    (Array.isArray(sm.obj.spec?.endpoints) ? sm.obj.spec.endpoints : []).forEach((e: any, i: number) => {
      if (typeof e?.port !== 'string') return;
      const missing = selected.filter((s) => !servicePorts(s).some((p) => p.name === e.port));
      if (missing.length) sink.error('invariant/servicemonitor-target', sm.doc, ['spec', 'endpoints', i, 'port'], `ServiceMonitor '${sm.name}' scrapes port '${e.port}', which ${missing.map((s) => `Service '${s.name}' (ports: ${describePorts(s)})`).join(', ')} does not name`, 'name an existing Service port, or add a metrics port to the Service');
    });
  }
  for (const pm of model.items.filter((m) => m.group === 'monitoring.coreos.com' && m.kind === 'PodMonitor')) checkPodMonitor(model, pm, sink);
  for (const hpa of model.items.filter((m) => m.kind === 'HorizontalPodAutoscaler')) {
    const ref = hpa.obj.spec?.scaleTargetRef;
    if (!model.items.some((m) => m.kind === ref?.kind && m.name === ref?.name && nsOf(m) === nsOf(hpa))) {
      sink.error('ref/hpa-target', hpa.doc, ['spec', 'scaleTargetRef'], `HorizontalPodAutoscaler '${hpa.name}' scales ${ref?.kind}/${ref?.name}, which is not in the output`, 'point scaleTargetRef at the workload');
    }
    const min = hpa.obj.spec?.minReplicas ?? 1;
    if (typeof hpa.obj.spec?.maxReplicas === 'number' && min > hpa.obj.spec.maxReplicas) {
      sink.error('invariant/hpa-range', hpa.doc, ['spec', 'minReplicas'], `minReplicas ${min} is above maxReplicas ${hpa.obj.spec.maxReplicas}`, 'make minReplicas at most maxReplicas');
    }
  }
}

/** PGO's label on its pods: they are not in the output, their PostgresCluster is. */
const PGO_CLUSTER_LABEL = 'postgres-operator.crunchydata.com/cluster';

/** A PodMonitor selects pods the output makes (or PGO makes for a PostgresCluster), on ports they have. */
function checkPodMonitor(model: Model, pm: Manifest, sink: Sink): void {
  const nsSel = pm.obj.spec?.namespaceSelector;
  const inScope = (m: Manifest) => nsSel?.any === true || (Array.isArray(nsSel?.matchNames) ? nsSel.matchNames.includes(nsOf(m)) : nsOf(m) === nsOf(pm));
  const selector = pm.obj.spec?.selector;
  const selected = model.templates.filter((t) => !t.partial && inScope(t.owner) && selectorMatches(selector, t.labels));
  // PGO's pods come from a PostgresCluster: the output's own, or (when the output has none) an existing one it uses.
  const cluster = selector?.matchLabels?.[PGO_CLUSTER_LABEL];
  const clusters = model.items.filter((m) => m.kind === 'PostgresCluster' && inScope(m));
  const pgoPods = typeof cluster === 'string' && (clusters.length === 0 || clusters.some((m) => m.name === cluster));
  if (selected.length === 0) {
    if (!pgoPods) sink.error('invariant/podmonitor-target', pm.doc, ['spec', 'selector'], `PodMonitor '${pm.name}' selects no pod in the output`, 'match the selector to the labels of the pods to scrape');
    return;
  }
  (Array.isArray(pm.obj.spec?.podMetricsEndpoints) ? pm.obj.spec.podMetricsEndpoints : []).forEach((e: any, i: number) => {
    const wanted = typeof e?.port === 'string' ? (p: { name?: string }) => p.name === e.port : typeof e?.portNumber === 'number' ? (p: { containerPort: number }) => p.containerPort === e.portNumber : undefined;
    if (!wanted) return;
    const missing = selected.filter((t) => !podPorts(t.spec).some(wanted));
    if (missing.length) sink.error('invariant/podmonitor-target', pm.doc, ['spec', 'podMetricsEndpoints', i], `PodMonitor '${pm.name}' scrapes port ${e.port ?? e.portNumber}, which the pods of ${missing.map((t) => `${t.owner.kind} '${t.owner.name}'`).join(', ')} do not have`, 'name an existing container port');
  });
}

export function checkTraffic(model: Model, sink: Sink): void {
  checkNginx(model, sink);
  checkExposure(model, sink);
  checkStreamTimeouts(model, sink);
  checkGatewaySizing(model, sink);
  checkLocust(model, sink);
  checkMonitorsAndScalers(model, sink);
}
