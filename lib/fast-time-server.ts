/** The fast-time-server: the Go MCP time server the seeds benchmark against, registered with the gateway. */
import { Construct } from 'constructs';
import { applyPodOverrides } from './core/pod-overrides';
import { k8s, type StackContext } from './core/context';
import { serviceHost } from './core/naming';
import { podDisruptionBudget } from './core/disruption';

export interface FastTimeServerProps {
  readonly ctx: StackContext;
}

export class FastTimeServer extends Construct {
  readonly serviceName: string;
  /** Streamable HTTP endpoint the gateway registers. */
  readonly mcpUrl: string;
  readonly healthUrl: string;
  readonly containerPort = 8080;

  constructor(scope: Construct, id: string, props: FastTimeServerProps) {
    super(scope, id);
    const { ctx } = props;
    const v = ctx.values.fastTimeServer;
    const img = ctx.values.images.fastTimeServer;
    this.serviceName = ctx.name('fast-time-server');
    const host = serviceHost(this.serviceName, ctx.namespace);
    this.mcpUrl = `http://${host}/http`;
    this.healthUrl = `http://${host}/health`;
    const meta = () => ctx.meta('fast-time-server', this.serviceName, { version: img.tag });

    new k8s.KubeService(this, 'Service', {
      metadata: meta(),
      spec: {
        selector: ctx.selector('fast-time-server'),
        ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromString('http') }],
      },
    });
    const health = { httpGet: { path: '/health', port: k8s.IntOrString.fromString('http') } };
    const deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: meta(),
      spec: {
        replicas: v.replicas,
        selector: { matchLabels: ctx.selector('fast-time-server') },
        template: {
          metadata: { labels: ctx.labels('fast-time-server', img.tag) },
          spec: {
            serviceAccountName: ctx.name('workload'),
            automountServiceAccountToken: false,
            imagePullSecrets: ctx.imagePullSecrets(),
            securityContext: ctx.podSecurity(img),
            ...ctx.spread('fast-time-server'),
            containers: [
              {
                name: 'fast-time-server',
                image: ctx.image(img),
                imagePullPolicy: ctx.values.images.pullPolicy,
                args: ['-transport=dual', '-listen=0.0.0.0', `-port=${this.containerPort}`, '-log-level=info'],
                ports: [{ name: 'http', containerPort: this.containerPort }],
                resources: ctx.resources(v.resources),
                securityContext: ctx.containerSecurity(),
                readinessProbe: { ...health, initialDelaySeconds: 3, periodSeconds: 15, timeoutSeconds: 10, failureThreshold: 6 },
                livenessProbe: { ...health, initialDelaySeconds: 3, periodSeconds: 20, timeoutSeconds: 10, failureThreshold: 8 },
              },
            ],
          },
        },
      },
    });
    applyPodOverrides(deployment, v);
    if (v.pdb.enabled) podDisruptionBudget(this, ctx, 'fast-time-server', this.serviceName, v.pdb.minAvailable, img.tag);
  }
}
