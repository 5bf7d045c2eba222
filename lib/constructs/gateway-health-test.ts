/**
 * The chart's `helm test`: a Pod of the gateway's own image (nothing new to pull or trust) that asks the gateway's
 * /health through its Service and fails unless the gateway says it is healthy. It exists only in the Helm chart, as
 * a test hook Helm creates on `helm test`; the plain output has nothing to run it.
 */
import { Construct } from 'constructs';
import { k8s, StackContext } from './core/context';
import { GATEWAY_PORT, type Gateway } from './gateway';

export interface GatewayHealthTestProps {
  /** Release, namespace, platform and registry. @default StackContext.of(scope) */
  readonly context?: StackContext;
  /** The gateway to ask; its image runs the test. */
  readonly gateway: Gateway;
  /**
   * Also the two NetworkPolicies that let exactly this Pod reach the gateway pods (its egress, their ingress), for a
   * namespace whose traffic is denied by default. @default false
   */
  readonly networkPolicies?: boolean;
}

/** The labels' component of the test Pod: its own, so no policy written for the stack's pods selects it. */
export const GATEWAY_TEST_COMPONENT = 'gateway-test';

/** Helm's test hook; the Pod is removed before the next run and after it passes (a failed one stays, for its log). */
export const TEST_HOOK = {
  'helm.sh/hook': 'test',
  'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
} as const;

/**
 * What the Pod runs: one request, 10 s at most; anything but HTTP 200 with `"status": "healthy"` exits 1 with what
 * was received. The gateway's /health needs no credentials, so the Pod carries none.
 */
export const HEALTH_CHECK_SCRIPT = [
  'import json, sys, urllib.request',
  'url = sys.argv[1]',
  'try:',
  '    with urllib.request.urlopen(url, timeout=10) as r:',
  '        status, body = r.status, r.read(4096).decode("utf-8", "replace")',
  'except Exception as e:',
  '    sys.exit(f"FAIL {url}: {e}")',
  'try:',
  '    healthy = json.loads(body).get("status") == "healthy"',
  'except ValueError:',
  '    healthy = False',
  'if status != 200 or not healthy:',
  '    sys.exit(f"FAIL {url}: HTTP {status}: {body}")',
  'print(f"OK {url}: {body}")',
].join('\n');

export class GatewayHealthTest extends Construct {
  /** The URL the Pod asks: the gateway Service's /health. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: GatewayHealthTestProps) {
    super(scope, id);
    const ctx = props.context ?? StackContext.of(this);
    const gateway = props.gateway;
    const image = gateway.imageSpec;
    this.url = `${gateway.url}/health`;
    const name = ctx.name(GATEWAY_TEST_COMPONENT);
    const hook = (weight: number) => ({ ...TEST_HOOK, 'helm.sh/hook-weight': String(weight) });

    if (props.networkPolicies) {
      // Before the Pod (lower weight): Helm creates test hooks in weight order.
      const meta = (suffix: string, reason: string) =>
        ctx.meta('network-policy', ctx.name(`allow-${GATEWAY_TEST_COMPONENT}-${suffix}`), { annotations: { ...hook(-1), 'mcp-stack.io/allows': reason } });
      const port = [{ port: k8s.IntOrString.fromNumber(GATEWAY_PORT), protocol: 'TCP' }];
      new k8s.KubeNetworkPolicy(this, 'Egress', {
        metadata: meta('egress', 'helm test asks the gateway for its health'),
        spec: {
          podSelector: { matchLabels: ctx.selector(GATEWAY_TEST_COMPONENT) },
          policyTypes: ['Egress'],
          egress: [{ to: [{ podSelector: { matchLabels: ctx.selector('gateway') } }], ports: port }],
        },
      });
      new k8s.KubeNetworkPolicy(this, 'Ingress', {
        metadata: meta('gateway', 'the gateway answers helm test'),
        spec: {
          podSelector: { matchLabels: ctx.selector('gateway') },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: { matchLabels: ctx.selector(GATEWAY_TEST_COMPONENT) } }], ports: port }],
        },
      });
    }

    new k8s.KubePod(this, 'Pod', {
      metadata: { ...ctx.meta(GATEWAY_TEST_COMPONENT, name, { version: image.tag }), annotations: hook(0) },
      spec: {
        restartPolicy: 'Never',
        serviceAccountName: ctx.name('workload'),
        automountServiceAccountToken: false,
        imagePullSecrets: ctx.imagePullSecrets(),
        securityContext: ctx.podSecurity(image),
        containers: [
          {
            name: 'health',
            image: gateway.image,
            imagePullPolicy: ctx.pullPolicy,
            command: ['python3', '-c', HEALTH_CHECK_SCRIPT, this.url],
            resources: ctx.resources({ requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '128Mi' } }),
            securityContext: ctx.containerSecurity(),
          },
        ],
      },
    });
  }
}
