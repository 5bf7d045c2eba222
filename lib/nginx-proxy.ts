/**
 * NGINX in front of the gateway: unprivileged 8080 (and 8443 with a service-CA certificate on OpenShift), a
 * keepalive upstream to the gateway Service, unbuffered long-lived streaming for MCP, and no response cache, so one
 * caller's authenticated response can never be served to another.
 */
import { Construct } from 'constructs';
import { applyPodOverrides } from './core/pod-overrides';
import { withoutPodOverrides } from '../profiles/pod-overrides-schema';
import type { Values } from '../profiles/schema';
import { valuesChecksum } from './core/checksum';
import { k8s, type StackContext } from './core/context';
import { serviceHost } from './core/naming';
import { podDisruptionBudget } from './core/disruption';
import { GATEWAY_PORT, type Gateway } from './gateway';

export const NGINX_HTTP_PORT = 8080;
export const NGINX_HTTPS_PORT = 8443;
/** The one writable folder (an emptyDir): the pid file and every temp path live under it. */
const WRITABLE_DIR = '/tmp';

export interface NginxProxyProps {
  readonly ctx: StackContext;
  readonly gateway: Gateway;
}

export class NginxProxy extends Construct {
  readonly serviceName: string;
  readonly servicePort = 80;
  /** The Secret OpenShift's service CA writes the serving certificate into. */
  readonly tlsSecretName: string;

  constructor(scope: Construct, id: string, props: NginxProxyProps) {
    super(scope, id);
    const { ctx, gateway } = props;
    const v = ctx.values;
    const n = v.nginx;
    const img = v.images.nginx;
    this.serviceName = ctx.name('nginx');
    this.tlsSecretName = ctx.name('nginx-tls');
    const meta = (name: string, annotations?: Record<string, string>) => ctx.meta('nginx', name, { version: img.tag, annotations });

    const conf = nginxConf(v, `${serviceHost(gateway.serviceName, ctx.namespace)}:${gateway.servicePort}`);
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
          metadata: { labels: ctx.labels('nginx', img.tag), annotations: { 'checksum/config': valuesChecksum(withoutPodOverrides(n), ctx.release, ctx.namespace) } },
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
                imagePullPolicy: v.images.pullPolicy,
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

    ctx.allow({ from: { component: 'nginx' }, to: { component: 'gateway' }, ports: [{ port: GATEWAY_PORT }], reason: 'the proxy forwards every request to the gateway' });
    const front = frontDoorNamespaces(ctx);
    if (front) {
      ctx.allow({
        from: { namespaceLabels: front },
        to: { component: 'nginx' },
        ports: n.tls ? [{ port: NGINX_HTTP_PORT }, { port: NGINX_HTTPS_PORT }] : [{ port: NGINX_HTTP_PORT }],
        reason: 'clients arrive through the ingress controller or router, which live in their own namespace',
      });
    }
  }
}

/**
 * Namespaces outside traffic comes from: the router's for a Route, the ingress controller's for an Ingress, none
 * without exposure (port-forward does not pass NetworkPolicies).
 */
export function frontDoorNamespaces(ctx: StackContext): Record<string, string> | undefined {
  const np = ctx.values.networkPolicies;
  const type = ctx.values.exposure.type;
  return type === 'route' ? np.routerNamespaceLabels : type === 'ingress' ? np.ingressNamespaceLabels : undefined;
}

/** The whole nginx.conf. Temp files go to the writable emptyDir (the root filesystem is read-only). */
export function nginxConf(v: Values, upstream: string): string {
  const n = v.nginx;
  const proxyHeaders = [
    'proxy_http_version 1.1;',
    'proxy_set_header Connection "";',
    'proxy_set_header Host $host;',
    'proxy_set_header X-Real-IP $remote_addr;',
    'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    'proxy_set_header X-Forwarded-Proto $forwarded_proto;',
    'proxy_set_header X-Forwarded-Host $forwarded_host;',
  ];
  const indent = (lines: string[], depth: number) => lines.map((l) => `${'  '.repeat(depth)}${l}`);
  const listen = [`listen ${NGINX_HTTP_PORT};`];
  if (n.tls) {
    listen.push(
      `listen ${NGINX_HTTPS_PORT} ssl;`,
      'ssl_certificate /etc/nginx/tls/tls.crt;',
      'ssl_certificate_key /etc/nginx/tls/tls.key;',
      'ssl_protocols TLSv1.2 TLSv1.3;',
      'ssl_ciphers HIGH:!aNULL:!MD5;',
    );
  }
  return [
    'worker_processes auto;',
    `pid ${WRITABLE_DIR}/nginx.pid;`,
    'error_log /dev/stderr warn;',
    '',
    'events {',
    `  worker_connections ${n.workerConnections};`,
    '}',
    '',
    'http {',
    ...indent(
      [
        'access_log /dev/stdout;',
        `client_body_temp_path ${WRITABLE_DIR}/client_temp;`,
        `proxy_temp_path ${WRITABLE_DIR}/proxy_temp;`,
        `fastcgi_temp_path ${WRITABLE_DIR}/fastcgi_temp;`,
        `uwsgi_temp_path ${WRITABLE_DIR}/uwsgi_temp;`,
        `scgi_temp_path ${WRITABLE_DIR}/scgi_temp;`,
        'sendfile on;',
        'keepalive_timeout 65;',
        'server_tokens off;',
        `client_max_body_size ${n.clientMaxBodySize};`,
        '',
        '# Keep what an outer proxy (router, ingress) says about the original request.',
        'map $http_x_forwarded_proto $forwarded_proto {',
        '  default $http_x_forwarded_proto;',
        '  "" $scheme;',
        '}',
        'map $http_x_forwarded_host $forwarded_host {',
        '  default $http_x_forwarded_host;',
        '  "" $http_host;',
        '}',
        '',
        'upstream gateway {',
        `  server ${upstream};`,
        `  keepalive ${n.upstreamKeepalive};`,
        '}',
        '',
        'server {',
        ...indent(listen, 1),
        '',
        '  location = /health {',
        '    access_log off;',
        '    default_type text/plain;',
        '    return 200 "ok\\n";',
        '  }',
        '',
        '  # MCP streamable HTTP and SSE: no buffering, long-lived streams.',
        '  location ~ ^/(mcp|sse|servers/[^/]+/(mcp|sse))/?$ {',
        '    proxy_pass http://gateway;',
        ...indent(proxyHeaders, 2),
        '    proxy_buffering off;',
        '    proxy_request_buffering off;',
        '    proxy_cache off;',
        '    add_header X-Accel-Buffering no;',
        '    proxy_connect_timeout 30s;',
        '    proxy_read_timeout 1h;',
        '    proxy_send_timeout 1h;',
        '    send_timeout 1h;',
        '  }',
        '',
        '  location / {',
        '    proxy_pass http://gateway;',
        ...indent(proxyHeaders, 2),
        '    proxy_connect_timeout 30s;',
        '    proxy_read_timeout 300s;',
        '    proxy_send_timeout 300s;',
        '    send_timeout 300s;',
        '  }',
        '}',
      ],
      1,
    ),
    '}',
    '',
  ].join('\n');
}
