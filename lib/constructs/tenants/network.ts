/**
 * NetworkPolicies of one tenant namespace: deny everything, then allow exactly what the server needs. Every
 * namespace peer is selected by `kubernetes.io/metadata.name` (set by the API server, so it cannot be spoofed) or by
 * the configured infrastructure labels, never by an empty selector, so no policy admits another tenant's namespace.
 */
import { k8s, type StackContext } from '../core/context';
import { tenantMeta } from './meta';
import type { ResolvedServer, ResolvedTenant, TenantSettings } from './model';
import { NAMESPACE_NAME_LABEL, toolhiveProxyLabels } from '../../../profiles/tenants-naming';

type Port = { port: number; protocol: 'TCP' | 'UDP' };
const ALLOWS = 'mcp-stack.io/allows';

export function networkPolicies(ctx: StackContext, t: Pick<TenantSettings, 'network' | 'exposure' | 'monitoring' | 'rateLimiting'>, tenant: ResolvedTenant, s: ResolvedServer): any[] {
  const policy = (name: string, reason: string | undefined, spec: k8s.NetworkPolicySpec) =>
    k8s.KubeNetworkPolicy.manifest({
      metadata: tenantMeta(ctx, { name, namespace: s.namespace, tenant: tenant.name, server: s.name, ...(reason ? { annotations: { [ALLOWS]: reason } } : {}) }),
      spec,
    });
  const proxy = [tcp(s.proxyPort)];
  const own = tenant.namespaces.map((ns) => namespacePeer({ [NAMESPACE_NAME_LABEL]: ns }));
  const apiServer = t.network.apiServer;
  const toApi: k8s.NetworkPolicyEgressRule = { to: apiServer.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: ports(apiServer.ports.map(tcp)) };

  const out = [
    policy('default-deny', undefined, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy('allow-dns', 'every pod resolves Service names', { podSelector: {}, policyTypes: ['Egress'], egress: [dnsRule(ctx)] }),
    policy('allow-tenant', `traffic between the namespaces of tenant ${tenant.name} (the proxy runner calls its MCP server)`, {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: own }],
      egress: [{ to: own }],
    }),
    policy('allow-gateway', 'the gateway calls the MCP proxy', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [namespacePeer({ [NAMESPACE_NAME_LABEL]: ctx.namespace }, ctx.selector('gateway'))], ports: ports(proxy) }],
    }),
    policy('allow-proxy-kube-api', "ToolHive's proxy runner manages the MCP server's pods through the Kubernetes API", {
      podSelector: { matchLabels: toolhiveProxyLabels(s.name) },
      policyTypes: ['Egress'],
      egress: [toApi],
    }),
  ];
  if (s.exposure !== 'internal') {
    const labels = s.exposure === 'route' ? t.exposure.routerNamespaceLabels : t.exposure.ingressNamespaceLabels;
    const what = s.exposure === 'route' ? 'the OpenShift router' : 'the ingress controller';
    out.push(policy(`allow-${s.exposure}`, `${what} forwards outside clients to the MCP proxy`, {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [namespacePeer(labels)], ports: ports(proxy) }],
    }));
  }
  if (s.monitoring) {
    out.push(policy('allow-monitoring', 'Prometheus scrapes the proxy metrics', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [namespacePeer(t.monitoring.namespaceLabels)], ports: ports(proxy) }],
    }));
  }
  if (s.kubernetesApi !== 'none') {
    out.push(policy('allow-kube-api', `the MCP server uses the Kubernetes API (${s.kubernetesApi} in its namespace)`, {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [toApi],
    }));
  }
  if (s.toolCallsPerMinute !== undefined) {
    const redis = t.rateLimiting.redis;
    out.push(policy('allow-rate-limit-redis', "ToolHive's proxy runner keeps the rate-limit buckets in Redis", {
      podSelector: { matchLabels: toolhiveProxyLabels(s.name) },
      policyTypes: ['Egress'],
      egress: [{ to: redis.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: ports([tcp(redis.port)]) }],
    }));
  }
  if (s.egress.length) {
    out.push(policy('allow-egress', 'addresses outside the cluster the MCP server calls', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: s.egress.map((e) => ({ to: [{ ipBlock: { cidr: e.cidr } }], ports: ports(e.ports.map(tcp)) })),
    }));
  }
  return out;
}

/** DNS: CoreDNS in kube-system on Kubernetes; on OpenShift the DNS pods in openshift-dns listen on 5353 behind port 53. */
function dnsRule(ctx: StackContext): k8s.NetworkPolicyEgressRule {
  if (ctx.openshift) {
    return {
      to: [namespacePeer({ [NAMESPACE_NAME_LABEL]: 'openshift-dns' }, { 'dns.operator.openshift.io/daemonset-dns': 'default' })],
      ports: ports([udp(53), tcp(53), udp(5353), tcp(5353)]),
    };
  }
  return { to: [namespacePeer({ [NAMESPACE_NAME_LABEL]: 'kube-system' }, { 'k8s-app': 'kube-dns' })], ports: ports([udp(53), tcp(53)]) };
}

function namespacePeer(namespaceLabels: Record<string, string>, podLabels?: Record<string, string>): k8s.NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: namespaceLabels }, ...(podLabels ? { podSelector: { matchLabels: podLabels } } : {}) };
}

const tcp = (port: number): Port => ({ port, protocol: 'TCP' });
const udp = (port: number): Port => ({ port, protocol: 'UDP' });

function ports(list: readonly Port[]): k8s.NetworkPolicyPort[] {
  return list.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol }));
}
