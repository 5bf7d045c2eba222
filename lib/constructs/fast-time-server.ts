/** The fast-time-server: the Go MCP time server the seeds benchmark against, registered with the gateway. */
import { Construct } from 'constructs';
import { defaults } from '../../profiles/defaults';
import type { Image, Values } from '../../profiles/schema';
import { applyPodOverrides } from './core/pod-overrides';
import { k8s, StackContext } from './core/context';
import { serviceHost } from './core/naming';
import { podDisruptionBudget } from './core/disruption';
import { refuseProps, wholeNumberProblem } from './core/props-check';

/** The server's own settings (replicas, resources, PDB, pod escape hatches), as under `fastTimeServer` in the values. */
export type FastTimeServerSettings = Omit<Values['fastTimeServer'], 'enabled'>;

/**
 * Every setting is optional and defaults to the built-in defaults (`fastTimeServer` in `profiles/defaults.ts`):
 * 2 pods at 25m/16Mi requested, no PDB.
 */
export interface FastTimeServerProps extends Partial<FastTimeServerSettings> {
  /** Release, namespace, platform and registry. @default StackContext.of(scope) */
  readonly context?: StackContext;
  /** @default the default fast-time-server image (ghcr.io/ibm/fast-time-server, user 1001) */
  readonly image?: Image;
}

export class FastTimeServer extends Construct {
  readonly serviceName: string;
  /** Streamable HTTP endpoint the gateway registers. */
  readonly mcpUrl: string;
  readonly healthUrl: string;
  readonly containerPort = 8080;

  constructor(scope: Construct, id: string, props: FastTimeServerProps = {}) {
    super(scope, id);
    const { context, image, ...settings } = props;
    const ctx = context ?? StackContext.of(this);
    const { enabled: _enabled, ...defaultSettings } = defaults.fastTimeServer;
    const v: FastTimeServerSettings = { ...defaultSettings, ...settings };
    const img = image ?? defaults.images.fastTimeServer;
    refuseProps(this, 'FastTimeServer', [wholeNumberProblem('replicas', v.replicas, 1)]);
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
                imagePullPolicy: ctx.pullPolicy,
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
