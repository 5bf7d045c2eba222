/**
 * NGINX in front of the gateway: unprivileged 8080 (and 8443 with a service-CA certificate on OpenShift), a
 * keepalive upstream to the gateway Service, unbuffered long-lived streaming for MCP, and no response cache, so one
 * caller's authenticated response can never be served to another.
 */
import { Construct } from 'constructs';
import { defaults } from '../../profiles/defaults';
import { applyPodOverrides } from './core/pod-overrides';
import { withoutPodOverrides } from '../../profiles/pod-overrides-schema';
import type { Image, Values } from '../../profiles/schema';
import { revisionOf, saltedValuesChecksum } from './core/checksum';
import { k8s, StackContext } from './core/context';
import { serviceHost } from './core/naming';
import { podDisruptionBudget } from './core/disruption';
import { propProblem, refuseProps, wholeNumberProblem } from './core/props-check';
import { GATEWAY_PORT } from './gateway';
import { nginxConf, NGINX_HTTP_PORT, NGINX_HTTPS_PORT, WRITABLE_DIR } from './nginx-config';

/** What `client_max_body_size` accepts: bytes, kilobytes or megabytes. */
const NGINX_SIZE = /^\d+[km]?$/;

/** NGINX's own settings (replicas, resources, tuning, TLS, PDB, pod escape hatches), as under `nginx` in the values. */
export type NginxSettings = Omit<Values['nginx'], 'enabled'>;

/** The Service NGINX forwards every request to, in the context's namespace. The `Gateway` is one. */
export interface ProxyUpstream {
  readonly serviceName: string;
  readonly servicePort: number;
}

/** Pods of the stack's namespace, by component, and the port they listen on. */
export interface ComponentPort {
  readonly component: string;
  readonly port: number;
}

/**
 * Every setting is optional and defaults to the built-in defaults (`nginx` in `profiles/defaults.ts`): 1 pod,
 * 8,192 worker connections, 32 keepalive connections to the upstream, 25m bodies, no TLS, no PDB.
 */
export interface NginxProxyProps extends Partial<NginxSettings> {
  /** Release, namespace, platform and registry. @default StackContext.of(scope) */
  readonly context?: StackContext;
  /** @default the default NGINX image (docker.io/nginxinc/nginx-unprivileged, user 101) */
  readonly image?: Image;
  /** The Service requests go to (the gateway's, or any Service in the namespace). */
  readonly upstream: ProxyUpstream;
  /**
   * The pods behind `upstream`, which the declared NetworkPolicy flow lets NGINX reach.
   * @default the gateway's pods: component `gateway`, port 4444
   */
  readonly upstreamPods?: ComponentPort;
  /**
   * Labels of the namespaces clients arrive from (the ingress controller's or the OpenShift router's): the declared
   * NetworkPolicy flows let them reach NGINX's ports.
   * @default none: no client flow (port-forward does not pass NetworkPolicies)
   */
  readonly clientNamespaceLabels?: Record<string, string>;
}

export class NginxProxy extends Construct {
  readonly serviceName: string;
  readonly servicePort = 80;
  /** The Secret OpenShift's service CA writes the serving certificate into. */
  readonly tlsSecretName: string;

  constructor(scope: Construct, id: string, props: NginxProxyProps) {
    super(scope, id);
    const { context, image, upstream, upstreamPods, clientNamespaceLabels, ...settings } = props;
    const ctx = context ?? StackContext.of(this);
    const { enabled: _enabled, ...defaultSettings } = defaults.nginx;
    const n: NginxSettings = { ...defaultSettings, ...settings };
    const img = image ?? defaults.images.nginx;
    refuseProps(this, 'NginxProxy', [
      wholeNumberProblem('replicas', n.replicas, 1),
      wholeNumberProblem('workerConnections', n.workerConnections, 1),
      wholeNumberProblem('upstreamKeepalive', n.upstreamKeepalive, 1),
      NGINX_SIZE.test(n.clientMaxBodySize) ? undefined : propProblem('clientMaxBodySize', n.clientMaxBodySize, 'must be an NGINX size such as 25m, 512k or 1048576'),
    ]);
    this.serviceName = ctx.name('nginx');
    this.tlsSecretName = ctx.name('nginx-tls');
    const meta = (name: string, annotations?: Record<string, string>) => ctx.meta('nginx', name, { version: img.tag, annotations });

    const conf = nginxConf(n, `${serviceHost(upstream.serviceName, ctx.namespace)}:${upstream.servicePort}`);
    new k8s.KubeConfigMap(this, 'Config', { metadata: meta(this.serviceName), data: { 'nginx.conf': conf } });

    const ports: k8s.ServicePort[] = [{ name: 'http', port: this.servicePort, targetPort: k8s.IntOrString.fromString('http') }];
    if (n.tls) ports.push({ name: 'https', port: 443, targetPort: k8s.IntOrString.fromString('https') });
    new k8s.KubeService(this, 'Service', {
      metadata: meta(this.serviceName, n.tls ? { 'service.beta.openshift.io/serving-cert-secret-name': this.tlsSecretName } : undefined),
      spec: { selector: ctx.selector('nginx'), ports },
    });

    const health = { httpGet: { path: '/health', port: k8s.IntOrString.fromString('http') } };
    const volumes: k8s.Volume[] = [
      { name: 'config', configMap: { name: this.serviceName } },
      { name: 'tmp', emptyDir: {} },
    ];
    const mounts: k8s.VolumeMount[] = [
      { name: 'config', mountPath: '/etc/nginx/nginx.conf', subPath: 'nginx.conf', readOnly: true },
      { name: 'tmp', mountPath: WRITABLE_DIR },
    ];
    const containerPorts: k8s.ContainerPort[] = [{ name: 'http', containerPort: NGINX_HTTP_PORT }];
    if (n.tls) {
      volumes.push({ name: 'tls', secret: { secretName: this.tlsSecretName } });
      mounts.push({ name: 'tls', mountPath: '/etc/nginx/tls', readOnly: true });
      containerPorts.push({ name: 'https', containerPort: NGINX_HTTPS_PORT });
    }
    const deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: meta(this.serviceName),
      spec: {
        replicas: n.replicas,
        selector: { matchLabels: ctx.selector('nginx') },
        template: {
          // The digest the Helm chart computes over the whole `nginx` values block, which renders NGINX only when
          // enabled; salted with what the code makes of settings, since nginx.conf is mounted by subPath and never
          // reloads on its own.
          metadata: {
            labels: ctx.labels('nginx', img.tag),
            annotations: { 'checksum/config': saltedValuesChecksum([withoutPodOverrides({ enabled: true, ...n }), ctx.release, ctx.namespace], nginxConfigRevision()) },
          },
          spec: {
            serviceAccountName: ctx.name('workload'),
            automountServiceAccountToken: false,
            imagePullSecrets: ctx.imagePullSecrets(),
            securityContext: ctx.podSecurity(img),
            ...ctx.spread('nginx'),
            containers: [
              {
                name: 'nginx',
                image: ctx.image(img),
                imagePullPolicy: ctx.pullPolicy,
                command: ['nginx', '-g', 'daemon off;'],
                ports: containerPorts,
                resources: ctx.resources(n.resources),
                securityContext: ctx.containerSecurity(),
                readinessProbe: { ...health, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
                livenessProbe: { ...health, initialDelaySeconds: 10, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
                volumeMounts: mounts,
              },
            ],
            volumes,
          },
        },
      },
    });
    applyPodOverrides(deployment, n);
    if (n.pdb.enabled) podDisruptionBudget(this, ctx, 'nginx', this.serviceName, n.pdb.minAvailable, img.tag);

    const pods = upstreamPods ?? { component: 'gateway', port: GATEWAY_PORT };
    ctx.allow({ from: { component: 'nginx' }, to: { component: pods.component }, ports: [{ port: pods.port }], reason: `the proxy forwards every request to the ${pods.component}` });
    if (clientNamespaceLabels) {
      ctx.allow({
        from: { namespaceLabels: clientNamespaceLabels },
        to: { component: 'nginx' },
        ports: n.tls ? [{ port: NGINX_HTTP_PORT }, { port: NGINX_HTTPS_PORT }] : [{ port: NGINX_HTTP_PORT }],
        reason: 'clients arrive through the ingress controller or router, which live in their own namespace',
      });
    }
  }
}

let configRevision: string | undefined;

/**
 * What this code makes of the built-in NGINX settings (nginx.conf with and without TLS), as 16 hex digits: the salt
 * of the NGINX pods' `checksum/config`, so a release of this tool that writes a different nginx.conf rolls them.
 */
export function nginxConfigRevision(): string {
  const { enabled: _enabled, ...n } = defaults.nginx;
  configRevision ??= revisionOf([nginxConf(n, 'upstream:80'), nginxConf({ ...n, tls: true }, 'upstream:80')]);
  return configRevision;
}
