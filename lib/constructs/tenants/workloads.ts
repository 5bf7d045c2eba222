/**
 * What a server's ArgoCD Application syncs into its namespace, in waves: the ServiceAccount (and the telemetry
 * config) first, then the ToolHive MCPServer, then its Route or Ingress and ServiceMonitor.
 */
import { k8s, labelValue, type StackContext } from '../core/context';
import { ServiceMonitor } from '../../../imports/monitoring.coreos.com';
import {
  Route,
  RouteSpecTlsInsecureEdgeTerminationPolicy,
  RouteSpecTlsTermination,
  RouteSpecToKind,
  RouteSpecWildcardPolicy,
} from '../../../imports/route.openshift.io';
import {
  McpServer,
  McpServerV1Beta1,
  type McpServerSpec,
  type McpServerSpecProxyMode,
  type McpServerSpecTransport,
  type McpServerV1Beta1Spec,
  McpServerV1Beta1SpecSessionStorageProvider,
} from '../../../imports/toolhive.stacklok.dev';
import { ingressStreamAnnotations, routeStreamAnnotations } from '../core/streaming';
import { tenantMeta, WAVES } from './meta';
import type { ResolvedServer, TenantSettings } from './model';
import { exposureName, ingressTlsSecretName, telemetryConfigName, toolhiveProxyLabels } from '../../../profiles/tenants-naming';

/** The proxy Service's port name (set by the ToolHive operator). */
const PROXY_PORT_NAME = 'http';

/** The settings a server's workloads read. */
export type WorkloadSettings = Pick<TenantSettings, 'mcpServerApiVersion' | 'exposure' | 'monitoring' | 'rateLimiting'>;

export function workloadObjects(ctx: StackContext, settings: WorkloadSettings, s: ResolvedServer): any[] {
  const out = [serviceAccount(ctx, s)];
  const v1beta1 = settings.mcpServerApiVersion === 'v1beta1';
  if (s.monitoring && v1beta1) out.push(telemetryConfig(ctx, s));
  out.push(mcpServer(ctx, s, v1beta1, settings.rateLimiting));
  if (s.exposure === 'route') out.push(route(ctx, s));
  if (s.exposure === 'ingress') out.push(ingress(ctx, settings.exposure, s));
  if (s.monitoring) out.push(serviceMonitor(ctx, settings.monitoring.interval, s));
  return out;
}

const meta = (ctx: StackContext, s: ResolvedServer, name: string, wave: number, annotations?: Record<string, string>) =>
  tenantMeta(ctx, { name, namespace: s.namespace, tenant: s.tenant, server: s.name, version: labelValue(s.image.tag), wave, ...(annotations ? { annotations } : {}) });

/** The MCP pod's identity, created here (not by the operator) so its token is mounted only when the server uses the API. */
function serviceAccount(ctx: StackContext, s: ResolvedServer): any {
  return k8s.KubeServiceAccount.manifest({
    metadata: meta(ctx, s, s.serviceAccount, WAVES.credentials),
    automountServiceAccountToken: s.kubernetesApi !== 'none',
  });
}

/** v1beta1 moved telemetry out of the MCPServer: this turns on the proxy's Prometheus endpoint. */
function telemetryConfig(ctx: StackContext, s: ResolvedServer): any {
  return {
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'MCPTelemetryConfig',
    metadata: meta(ctx, s, telemetryConfigName(s.name), WAVES.credentials),
    spec: { prometheus: { enabled: true } },
  };
}

function mcpServer(ctx: StackContext, s: ResolvedServer, v1beta1: boolean, limits: WorkloadSettings['rateLimiting']): any {
  const spec = {
    image: s.imageRef,
    transport: s.transport as McpServerSpecTransport,
    ...(s.proxyMode ? { proxyMode: s.proxyMode as McpServerSpecProxyMode } : {}),
    ...(s.mcpPort !== undefined ? { mcpPort: s.mcpPort } : {}),
    proxyPort: s.proxyPort,
    ...(s.args.length ? { args: [...s.args] } : {}),
    ...(s.env.length ? { env: s.env.map((e) => ({ name: e.name, value: e.value })) } : {}),
    ...(s.secrets.length ? { secrets: s.secrets.map((r) => ({ name: r.name, key: r.key, targetEnvName: r.targetEnvName })) } : {}),
    serviceAccount: s.serviceAccount,
    resources: { requests: { ...s.resources.requests }, limits: { ...s.resources.limits } },
    podTemplateSpec: podTemplate(ctx, s),
  } satisfies McpServerSpec;
  const metadata = meta(ctx, s, s.name, WAVES.server);
  if (v1beta1) {
    const beta: McpServerV1Beta1Spec = {
      ...(spec as unknown as McpServerV1Beta1Spec),
      ...(s.monitoring ? { telemetryConfigRef: { name: telemetryConfigName(s.name), serviceName: s.namespace } } : {}),
      ...(s.toolCallsPerMinute !== undefined ? rateLimit(s, s.toolCallsPerMinute, limits.redis) : {}),
    };
    return McpServerV1Beta1.manifest({ metadata, spec: beta });
  }
  const alpha = McpServer.manifest({ metadata, spec });
  // Older (v1alpha1-only) operators configure telemetry inline.
  if (s.monitoring) alpha.spec.telemetry = { prometheus: { enabled: true } };
  return alpha;
}

/**
 * A token bucket for all callers of the server, refilled every minute, kept in Redis (the MCPServer refuses
 * `rateLimiting` without Redis session storage). Keys carry the namespace, so servers sharing one Redis never share
 * a bucket. Only v1beta1: the operators that serve only v1alpha1 have no rate limits (the values refuse that).
 */
function rateLimit(s: ResolvedServer, perMinute: number, redis: WorkloadSettings['rateLimiting']['redis']): Partial<McpServerV1Beta1Spec> {
  return {
    sessionStorage: {
      provider: McpServerV1Beta1SpecSessionStorageProvider.REDIS,
      address: redis.address,
      keyPrefix: `${s.namespace}:`,
      ...(redis.passwordSecretName ? { passwordRef: { name: redis.passwordSecretName, key: redis.passwordKey } } : {}),
    },
    rateLimiting: { shared: { maxTokens: perMinute, refillPeriod: '1m0s' } },
  };
}

/**
 * The `mcp` container as ToolHive runs it, hardened for the restricted Pod Security Standard: non-root, no privilege
 * escalation, no capabilities, RuntimeDefault seccomp, requests and limits. On OpenShift no UID or GID is set
 * (restricted-v2 assigns them).
 *
 * The pod names the stack's pull Secrets (`images.pullSecrets`), which each server namespace must hold, as the stack's
 * namespace does. Its image is the tenant's, written as given: `global.imageRegistry` does not rewrite it. Tenant
 * images come from many registries, which one mirror path would fold together (docker.io/x/y and ghcr.io/x/y would
 * both become <mirror>/x/y); `tenants.registryAllowList` is where a platform points its tenants at a mirror.
 */
function podTemplate(ctx: StackContext, s: ResolvedServer): any {
  const writableTmp = s.readOnlyRootFilesystem;
  return {
    spec: {
      automountServiceAccountToken: s.kubernetesApi !== 'none',
      ...(ctx.pullSecrets.length ? { imagePullSecrets: ctx.imagePullSecrets() } : {}),
      securityContext: {
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
        ...(ctx.openshift ? {} : { runAsUser: s.user, runAsGroup: s.user }),
      },
      containers: [
        {
          name: 'mcp',
          image: s.imageRef,
          resources: { requests: { ...s.resources.requests }, limits: { ...s.resources.limits } },
          securityContext: { ...ctx.containerSecurity(), readOnlyRootFilesystem: s.readOnlyRootFilesystem },
          ...(writableTmp ? { volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] } : {}),
        },
      ],
      ...(writableTmp ? { volumes: [{ name: 'tmp', emptyDir: {} }] } : {}),
    },
  };
}

function route(ctx: StackContext, s: ResolvedServer): any {
  return Route.manifest({
    metadata: meta(ctx, s, exposureName(s.name), WAVES.exposure, routeStreamAnnotations()),
    spec: {
      ...(s.host ? { host: s.host } : {}),
      to: { kind: RouteSpecToKind.SERVICE, name: s.proxyService, weight: 100 },
      port: { targetPort: PROXY_PORT_NAME },
      tls: { termination: RouteSpecTlsTermination.EDGE, insecureEdgeTerminationPolicy: RouteSpecTlsInsecureEdgeTerminationPolicy.REDIRECT },
      wildcardPolicy: RouteSpecWildcardPolicy.NONE,
    },
  });
}

function ingress(ctx: StackContext, e: WorkloadSettings['exposure'], s: ResolvedServer): any {
  const host = s.host as string;
  // MCP streams through the tenant's proxy stay open as long as the platform's; the tenants' own annotations win.
  const annotations = { ...ingressStreamAnnotations(), ...e.ingressAnnotations };
  return k8s.KubeIngress.manifest({
    metadata: meta(ctx, s, exposureName(s.name), WAVES.exposure, annotations),
    spec: {
      ...(e.ingressClassName ? { ingressClassName: e.ingressClassName } : {}),
      ...(e.tls ? { tls: [{ hosts: [host], secretName: ingressTlsSecretName(s.name) }] } : {}),
      rules: [
        {
          host,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: s.proxyService, port: { number: s.proxyPort } } } }] },
        },
      ],
    },
  });
}

function serviceMonitor(ctx: StackContext, interval: string, s: ResolvedServer): any {
  return ServiceMonitor.manifest({
    metadata: meta(ctx, s, exposureName(s.name), WAVES.exposure),
    spec: {
      selector: { matchLabels: toolhiveProxyLabels(s.name) },
      namespaceSelector: { matchNames: [s.namespace] },
      endpoints: [{ port: PROXY_PORT_NAME, path: '/metrics', interval }],
    },
  });
}
