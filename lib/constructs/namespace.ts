/**
 * The namespace the stack runs in, with the restricted Pod Security Standard enforced, and the one ServiceAccount
 * every pod of the stack runs as. A chart that composes the stack's constructs adds both unless the namespace and
 * the account already exist.
 */
import type { Construct } from 'constructs';
import { k8s, StackContext } from './core/context';

/** The Kubernetes release whose restricted standard is enforced: pinned, so a cluster upgrade never tightens it unseen. */
export const POD_SECURITY_VERSION = 'v1.28';

/** The stack's labels on a namespace, plus the Pod Security labels enforcing, auditing and warning on `restricted`. */
export function restrictedNamespaceLabels(ctx: StackContext): Record<string, string> {
  return {
    ...ctx.labels('namespace'),
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/enforce-version': POD_SECURITY_VERSION,
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/warn': 'restricted',
  };
}

export interface StackNamespaceProps {
  /** Its name is the context's namespace. @default StackContext.of(scope) */
  readonly context?: StackContext;
}

/** The stack's namespace (`ctx.namespace`), where only pods meeting the restricted Pod Security Standard start. */
export class StackNamespace extends k8s.KubeNamespace {
  constructor(scope: Construct, id: string, props: StackNamespaceProps = {}) {
    const ctx = props.context ?? StackContext.of(scope);
    super(scope, id, { metadata: { name: ctx.namespace, labels: restrictedNamespaceLabels(ctx) } });
  }
}

export interface WorkloadServiceAccountProps {
  /** Release, namespace and image pull Secrets. @default StackContext.of(scope) */
  readonly context?: StackContext;
}

/**
 * `<release>-workload`, the account every pod of the stack names. No pod of the stack talks to the Kubernetes API,
 * so it is bound to no Role and mounts no token; it carries the image pull Secrets.
 */
export class WorkloadServiceAccount extends k8s.KubeServiceAccount {
  constructor(scope: Construct, id: string, props: WorkloadServiceAccountProps = {}) {
    const ctx = props.context ?? StackContext.of(scope);
    const pullSecrets = ctx.imagePullSecrets();
    super(scope, id, {
      metadata: ctx.meta('workload', ctx.name('workload')),
      automountServiceAccountToken: false,
      ...(pullSecrets ? { imagePullSecrets: pullSecrets } : {}),
    });
  }
}
