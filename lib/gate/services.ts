/**
 * Finding Services and components in the output: by in-cluster host name, by the pods they select, and the
 * settings a container ends up with (literal env over envFrom ConfigMaps of the output).
 */
import { componentOf, isPlainObject, mapSelects, nsOf, type Manifest, type Model, type PodTemplate } from './model';

const serviceCache = new WeakMap<Model, Manifest[]>();

/** Services of the output, plus those an operator creates from it (ToolHive's `mcp-<name>-proxy` per MCPServer). */
export function services(model: Model): Manifest[] {
  let found = serviceCache.get(model);
  if (!found) {
    found = [...model.items.filter((m) => m.group === '' && m.kind === 'Service'), ...model.items.filter((m) => m.kind === 'MCPServer').map(mcpProxyService)];
    serviceCache.set(model, found);
  }
  return found;
}

/** The proxy Service the ToolHive operator creates for an MCPServer: `mcp-<name>-proxy`, port `http` = proxyPort. */
function mcpProxyService(server: Manifest): Manifest {
  const port = Number(server.obj.spec?.proxyPort ?? server.obj.spec?.port ?? 8080);
  const labels = { 'app.kubernetes.io/name': 'mcpserver', 'app.kubernetes.io/instance': server.name };
  const obj = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `mcp-${server.name}-proxy`, namespace: server.namespace, labels },
    spec: { selector: labels, ports: [{ name: 'http', port, targetPort: port }] },
  };
  return { ...server, obj, apiVersion: 'v1', group: '', version: 'v1', kind: 'Service', name: obj.metadata.name, labels };
}

/**
 * The Service an in-cluster host name points at: `svc`, `svc.ns`, `svc.ns.svc` or `svc.ns.svc.cluster.local`.
 * Undefined `name` means the host is not an in-cluster Service name (an IP or an outside host).
 */
export function parseServiceHost(host: string, defaultNs: string): { name: string; namespace: string } | undefined {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(h) || h.includes(':')) return undefined;
  const parts = h.split('.');
  if (parts.length === 1) return { name: parts[0], namespace: defaultNs };
  if (parts.length === 2) return { name: parts[0], namespace: parts[1] };
  if (parts[2] === 'svc' && (parts.length === 3 || parts.slice(3).join('.') === 'cluster.local')) return { name: parts[0], namespace: parts[1] };
  return undefined;
}

export function findService(model: Model, name: string, namespace: string): Manifest | undefined {
  return services(model).find((s) => s.name === name && (nsOf(s) === namespace || !s.namespace || !namespace));
}

export function servicePorts(svc: Manifest): { name?: string; port: number; targetPort?: number | string }[] {
  return (Array.isArray(svc.obj.spec?.ports) ? svc.obj.spec.ports : []).filter(isPlainObject);
}

export function describePorts(svc: Manifest): string {
  return servicePorts(svc).map((p) => `${p.port}${p.name ? ` (${p.name})` : ''}`).join(', ') || 'none';
}

export function templatesOfComponent(model: Model, component: string): PodTemplate[] {
  return model.templates.filter((t) => !t.partial && (componentOf(t.owner) === component || t.labels['app.kubernetes.io/component'] === component));
}

/** Services selecting any pod of the template. */
export function servicesFor(model: Model, t: PodTemplate): Manifest[] {
  return services(model).filter((s) => nsOf(s) === nsOf(t.owner) && mapSelects(s.obj.spec?.selector, t.labels));
}

/** The value of a setting for a container: literal env first, then envFrom ConfigMaps found in the output. */
export function settingOf(model: Model, owner: Manifest, container: any, key: string): string | undefined {
  const env = (Array.isArray(container?.env) ? container.env : []).find((e: any) => e?.name === key);
  if (env && typeof env.value === 'string') return env.value;
  for (const from of Array.isArray(container?.envFrom) ? [...container.envFrom].reverse() : []) {
    const name = from?.configMapRef?.name;
    if (typeof name !== 'string') continue;
    const cm = model.items.find((m) => m.group === '' && m.kind === 'ConfigMap' && m.name === name && nsOf(m) === nsOf(owner));
    const v = cm?.obj.data?.[`${from.prefix ?? ''}${key}`] ?? (from.prefix ? undefined : cm?.obj.data?.[key]);
    if (typeof v === 'string') return v;
  }
  return undefined;
}

/** The main container of a template: the one named after the component, else the first. */
export function mainContainer(t: PodTemplate, component?: string): any {
  const list: any[] = Array.isArray(t.spec.containers) ? t.spec.containers : [];
  return list.find((c) => component && c?.name === component) ?? list[0];
}

/** `--flag=value` or `--flag value` in a container's command, args or shell script. */
export function flagValue(container: any, flag: string): string | undefined {
  const argv: string[] = [...(container?.command ?? []), ...(container?.args ?? [])].map(String);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === flag && i + 1 < argv.length) return argv[i + 1];
    const m = new RegExp(`(?:^|\\s)${flag.replace(/[-]/g, '\\-')}(?:=|\\s+)(["']?)([^\\s"']+)\\1`).exec(argv[i]);
    if (m) return m[2];
  }
  return undefined;
}
