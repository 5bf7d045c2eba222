/**
 * What every construct of the stack shares: the validated values, the naming and labelling rules, the security
 * context for the platform, and the traffic flows the NetworkPolicies are built from.
 */
import { Chart } from 'cdk8s';
import type { IConstruct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { defaults } from '../../../profiles/defaults';
import type { Image, Resources, Values } from '../../../profiles/schema';
import { imageRef } from './images';
import { stackName } from './naming';

export { k8s };

export const PART_OF = 'mcp-stack';
export const MANAGED_BY = 'mcp-stack-cdk8s';

/** A set of pods, in the stack's namespace (by component) or elsewhere (by namespace and pod labels). */
export interface Peer {
  /** A component of this stack, e.g. `gateway`. */
  readonly component?: string;
  /** Pods in the stack's namespace with these labels (for pods this project does not create, e.g. PGO's). */
  readonly podLabels?: Record<string, string>;
  /** Pods in other namespaces matching these namespace labels (all namespaces when empty). */
  readonly namespaceLabels?: Record<string, string>;
  /** Address ranges (outside the cluster, or declared in-cluster ranges), in one rule. */
  readonly cidrs?: readonly string[];
}

/** Traffic one set of pods must be able to send to another. NetworkPolicies allow exactly these. */
export interface Flow {
  readonly from: Peer;
  readonly to: Peer;
  readonly ports: readonly { port: number; protocol?: 'TCP' | 'UDP' }[];
  /** Why the flow exists, kept in the policy's annotations for reviewers. */
  readonly reason: string;
}

/**
 * The settings every construct of the stack shares. Each one is optional: a construct made in a plain cdk8s `Chart`
 * with no `StackContext` gets these defaults (the built-in defaults of `profiles/defaults.ts`).
 */
export interface StackSettings {
  /** Release name: the prefix of every object name and the `app.kubernetes.io/instance` label. @default 'mcp-stack' */
  readonly release?: string;
  /** Namespace of every object. @default 'mcp-stack' */
  readonly namespace?: string;
  /** `openshift` leaves user and group IDs to the restricted-v2 SCC. @default 'kubernetes' */
  readonly platform?: 'kubernetes' | 'openshift';
  /** Registry put in front of every image's repository (a mirror). @default '' (none) */
  readonly imageRegistry?: string;
  /** Pull policy of every container. @default 'IfNotPresent' */
  readonly pullPolicy?: 'IfNotPresent' | 'Always' | 'Never';
  /** Names of image pull Secrets in the namespace, for every pod. @default [] */
  readonly pullSecrets?: readonly string[];
  /** Spread pods over zones and nodes with topology spread constraints. @default false */
  readonly topologySpread?: boolean;
  /** `app.kubernetes.io/version` of objects that name no image of their own (the gateway's tag). @default the default gateway image's tag */
  readonly version?: string;
}

/** Contexts attached to a construct, found by `StackContext.of` for the construct and everything below it. */
const attached = new WeakMap<IConstruct, StackContext>();

export class StackContext {
  readonly release: string;
  readonly namespace: string;
  readonly openshift: boolean;
  readonly imageRegistry: string;
  readonly pullPolicy: 'IfNotPresent' | 'Always' | 'Never';
  readonly pullSecrets: readonly string[];
  readonly topologySpread: boolean;
  readonly version: string;
  private readonly flowList: Flow[] = [];

  /**
   * The context of a construct: the one attached to it or to its nearest ancestor, else a context with the defaults
   * (in the namespace of the construct's `Chart` when it has one), attached to the root so every construct of the
   * app shares it.
   */
  static of(scope: IConstruct): StackContext {
    for (let c: IConstruct | undefined = scope; c; c = c.node.scope) {
      const found = attached.get(c);
      if (found) return found;
    }
    let namespace: string | undefined;
    try {
      namespace = Chart.of(scope).namespace;
    } catch {
      namespace = undefined;
    }
    return new StackContext(namespace ? { namespace } : {}).attach(scope.node.root);
  }

  /** The context of a stack synthesized from validated values. */
  static fromValues(values: Values): StackContext {
    const ctx = new StackContext({
      release: values.release.name,
      namespace: values.release.namespace,
      platform: values.platform,
      imageRegistry: values.global.imageRegistry,
      pullPolicy: values.images.pullPolicy,
      pullSecrets: values.images.pullSecrets,
      topologySpread: values.topologySpread.enabled,
      version: values.images.gateway.tag,
    });
    return ctx;
  }

  constructor(settings: StackSettings = {}) {
    this.release = settings.release ?? defaults.release.name;
    this.namespace = settings.namespace ?? defaults.release.namespace;
    this.openshift = (settings.platform ?? defaults.platform) === 'openshift';
    this.imageRegistry = settings.imageRegistry ?? defaults.global.imageRegistry;
    this.pullPolicy = settings.pullPolicy ?? defaults.images.pullPolicy;
    this.pullSecrets = settings.pullSecrets ?? defaults.images.pullSecrets;
    this.topologySpread = settings.topologySpread ?? defaults.topologySpread.enabled;
    this.version = settings.version ?? defaults.images.gateway.tag;
  }

  /** Makes this the context of `scope` and everything below it. */
  attach(scope: IConstruct): this {
    attached.set(scope, this);
    return this;
  }

  /** `<release>-<component>`. */
  name(component: string): string {
    return stackName(this.release, component);
  }

  /** The labels that select a component's pods; stable for the life of a release (selectors are immutable). */
  selector(component: string): Record<string, string> {
    return {
      'app.kubernetes.io/name': component,
      'app.kubernetes.io/instance': this.release,
      'app.kubernetes.io/component': component,
    };
  }

  /** The recommended labels every object carries. */
  labels(component: string, version?: string): Record<string, string> {
    return {
      ...this.selector(component),
      'app.kubernetes.io/part-of': PART_OF,
      'app.kubernetes.io/managed-by': MANAGED_BY,
      'app.kubernetes.io/version': labelValue(version ?? this.version),
    };
  }

  /**
   * The labels without `app.kubernetes.io/version`, for StatefulSet volume claim templates: the API server refuses
   * any change to a claim template, so what they carry must stay the same for a release's life.
   */
  stableLabels(component: string): Record<string, string> {
    const { 'app.kubernetes.io/version': _version, ...rest } = this.labels(component);
    return rest;
  }

  /** Metadata of a namespaced stack object. */
  meta(component: string, name: string, extra: { annotations?: Record<string, string>; version?: string } = {}): k8s.ObjectMeta {
    return {
      name,
      namespace: this.namespace,
      labels: this.labels(component, extra.version),
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
    };
  }

  image(image: Image): string {
    return imageRef(image, this.imageRegistry);
  }

  resources(r: Resources): k8s.ResourceRequirements {
    const q = (s: string) => k8s.Quantity.fromString(s);
    return {
      requests: { cpu: q(r.requests.cpu), memory: q(r.requests.memory) },
      limits: { cpu: q(r.limits.cpu), memory: q(r.limits.memory) },
    };
  }

  /**
   * Pod security for the restricted Pod Security Standard. On Kubernetes the image's numeric user is pinned (so
   * the kubelet can verify non-root); on OpenShift no UID, GID or fsGroup is set: restricted-v2 assigns them.
   */
  podSecurity(image: Image, options: { fsGroup?: boolean } = {}): k8s.PodSecurityContext {
    const base: k8s.PodSecurityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
    if (this.openshift) return base;
    return {
      ...base,
      runAsUser: image.user,
      runAsGroup: image.user,
      ...(options.fsGroup ? { fsGroup: image.user, fsGroupChangePolicy: 'OnRootMismatch' } : {}),
    };
  }

  containerSecurity(): k8s.SecurityContext {
    return {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    };
  }

  imagePullSecrets(): k8s.LocalObjectReference[] | undefined {
    const s = this.pullSecrets;
    return s.length ? s.map((name) => ({ name })) : undefined;
  }

  /**
   * Spreads a workload's pods: preferred anti-affinity per node always (harmless for one pod, and the pod template
   * does not change shape when replicas change), zone/node spread when enabled.
   */
  spread(component: string): Pick<k8s.PodSpec, 'affinity' | 'topologySpreadConstraints'> {
    const labelSelector = { matchLabels: this.selector(component) };
    const affinity: k8s.Affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector } },
        ],
      },
    };
    if (!this.topologySpread) return { affinity };
    return {
      affinity,
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector },
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector },
      ],
    };
  }

  /** Declares traffic a component needs; NetworkPolicies (when enabled) allow exactly the declared flows. */
  allow(flow: Flow): void {
    this.flowList.push(flow);
  }

  get flows(): readonly Flow[] {
    return this.flowList;
  }
}

/** Label values: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric. */
export function labelValue(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 63);
  return cleaned.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}
