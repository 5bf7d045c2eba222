/**
 * The stack's namespace (restricted Pod Security enforced), the one ServiceAccount its pods run as, and the
 * ExternalSecrets that write the Secrets the pods read, when the values ask for them.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s, type StackContext } from '../lib/core/context';
import { renderExternalSecrets } from '../lib/external-secrets';

export class NamespaceChart extends Chart {
  constructor(scope: Construct, id: string, ctx: StackContext) {
    super(scope, id);
    if (ctx.values.release.createNamespace) {
      const labels = ctx.labels('namespace');
      new k8s.KubeNamespace(this, 'Namespace', {
        metadata: {
          name: ctx.namespace,
          labels: {
            ...labels,
            'pod-security.kubernetes.io/enforce': 'restricted',
            'pod-security.kubernetes.io/enforce-version': 'v1.28',
            'pod-security.kubernetes.io/audit': 'restricted',
            'pod-security.kubernetes.io/warn': 'restricted',
          },
        },
      });
    }
    // No pod of the stack talks to the Kubernetes API, so the account has no Role and mounts no token.
    new k8s.KubeServiceAccount(this, 'Workload', {
      metadata: ctx.meta('workload', ctx.name('workload')),
      automountServiceAccountToken: false,
      ...(ctx.imagePullSecrets() ? { imagePullSecrets: ctx.imagePullSecrets() } : {}),
    });
    renderExternalSecrets(this, ctx);
  }
}
