/**
 * The tenant image rules, enforced by the API server itself: a ValidatingAdmissionPolicy (built in and GA since
 * Kubernetes 1.30) and its binding, for every tenant namespace of the release (labelled as a tenant namespace and
 * with the release as its instance). The synth already refuses a
 * tenants file whose images break the rules; this refuses what reaches those namespaces some other way (a Pod or
 * Deployment the tenant creates with its Role, an MCPServer changed by hand).
 *
 * Pods: every container image (init and ephemeral ones too) must come from `tenants.registryAllowList`, with a tag
 * other than `latest`. MCPServers: the same for the server image and any image of its pod template, and a digest on
 * profiles that pin images (`images.requireDigests`). Pods are not asked for a digest: the ToolHive operator starts
 * its proxy runner in every server namespace from its own image, which is usually pinned by tag only; its registry
 * (ghcr.io for the upstream operator) must be on the allow list.
 */
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { StackContext } from '../core/context';
import { TENANT_NAMESPACE_LABEL } from '../../../profiles/tenants-naming';

/** The component label of the policy and its binding. */
export const TENANT_ADMISSION_COMPONENT = 'tenant-admission';

const API_VERSION = 'admissionregistration.k8s.io/v1';
/** Every tenant Namespace carries its release as this label (the stack's recommended labels). */
const INSTANCE_LABEL = 'app.kubernetes.io/instance';

export interface TenantImagePolicyProps {
  /** Registries, optionally with a path (`quay.io/acme`), tenant images may come from (`tenants.registryAllowList`). */
  readonly registryAllowList: readonly string[];
  /** MCPServer images must carry a digest (`images.requireDigests`). */
  readonly requireDigests: boolean;
  /** Release and namespace (part of the cluster-wide names). @default StackContext.of(scope) */
  readonly context?: StackContext;
}

/** `<release>-tenant-images.<namespace>`: cluster-wide, so two releases of the same name never share one. */
export function tenantImagePolicyName(ctx: StackContext): string {
  return `${ctx.name('tenant-images')}.${ctx.namespace}`;
}

/** Every image of the object under review: a Pod's containers, or an MCPServer's image and pod template. */
const IMAGES = [
  "object.kind == 'Pod'",
  '  ? object.spec.containers.map(c, c.image)',
  '    + (has(object.spec.initContainers) ? object.spec.initContainers.map(c, c.image) : [])',
  '    + (has(object.spec.ephemeralContainers) ? object.spec.ephemeralContainers.map(c, c.image) : [])',
  '  : [object.spec.image]',
  '    + (has(object.spec.podTemplateSpec) && has(object.spec.podTemplateSpec.spec) && has(object.spec.podTemplateSpec.spec.containers)',
  '      ? object.spec.podTemplateSpec.spec.containers.filter(c, has(c.image)).map(c, c.image) : [])',
].join('\n');

/** An entry with a path also matches the repository it names (`quay.io/acme` → `quay.io/acme:1.0`). */
const OUTSIDE = "variables.images.filter(i, !variables.allowed.exists(r, i.startsWith(r + '/') || (r.contains('/') && (i.startsWith(r + ':') || i.startsWith(r + '@')))))";
/** No tag in the last path segment (so `latest` implied), or the tag `latest`. */
const FLOATING = "variables.images.filter(i, !i.matches('^[^@]*/[^/@:]+:[^/@:]+(@.*)?$') || i.matches(':latest(@|$)'))";
const UNDIGESTED = "object.kind != 'MCPServer' ? [] : variables.images.filter(i, !i.matches('@sha256:[a-f0-9]{64}$'))";

export class TenantImagePolicy extends Construct {
  readonly policy: ApiObject;
  readonly binding: ApiObject;

  constructor(scope: Construct, id: string, props: TenantImagePolicyProps) {
    super(scope, id);
    const ctx = props.context ?? StackContext.of(this);
    const name = tenantImagePolicyName(ctx);
    const labels = ctx.labels(TENANT_ADMISSION_COMPONENT);
    const validations = [
      {
        expression: 'size(variables.outside) == 0',
        messageExpression:
          "'images not from an allowed registry (tenants.registryAllowList: ' + (size(variables.allowed) == 0 ? 'none' : variables.allowed.join(', ')) + '): ' + variables.outside.join(', ')",
        reason: 'Forbidden',
      },
      {
        expression: 'size(variables.floating) == 0',
        messageExpression: "'images must be pinned to a tag other than latest: ' + variables.floating.join(', ')",
        reason: 'Forbidden',
      },
      ...(props.requireDigests
        ? [{ expression: 'size(variables.undigested) == 0', messageExpression: "'MCPServer images must carry a digest (images.requireDigests): ' + variables.undigested.join(', ')", reason: 'Forbidden' }]
        : []),
    ];
    this.policy = new ApiObject(this, 'Policy', {
      apiVersion: API_VERSION,
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name, labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] },
            { apiGroups: ['toolhive.stacklok.dev'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['mcpservers'] },
          ],
        },
        variables: [
          // A JSON list of strings is a CEL list literal.
          { name: 'allowed', expression: JSON.stringify(props.registryAllowList) },
          { name: 'images', expression: IMAGES },
          { name: 'outside', expression: OUTSIDE },
          { name: 'floating', expression: FLOATING },
          ...(props.requireDigests ? [{ name: 'undigested', expression: UNDIGESTED }] : []),
        ],
        validations,
      },
    });
    this.binding = new ApiObject(this, 'Binding', {
      apiVersion: API_VERSION,
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name, labels },
      spec: {
        policyName: name,
        validationActions: ['Deny'],
        // The tenant namespaces of this release only: another stack in the cluster has its own allow list. Only
        // cluster administrators label namespaces; tenants cannot move their own out of the policy.
        matchResources: { namespaceSelector: { matchLabels: { [TENANT_NAMESPACE_LABEL]: 'true', [INSTANCE_LABEL]: ctx.release } } },
      },
    });
    // Both are cluster-scoped: a namespaced chart must not give them its namespace.
    if (Chart.of(this).namespace) for (const o of [this.policy, this.binding]) o.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
}
