/**
 * Escape hatches every long-running workload of the stack takes, under the same names as in most Helm charts, so
 * values written for those charts carry over. Empty by default: the output changes only where one is set.
 */
import { z } from 'zod';

/** A Kubernetes object given verbatim (an EnvVar, a Toleration, a Volume ...); the output gate checks its fields. */
const kubeObject = z.record(z.string(), z.unknown());

const labelName = '([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
/** A label or annotation key: an optional DNS prefix and `/`, then a name of at most 63 characters. */
const metadataKey = z.string().regex(new RegExp(`^${labelName}$`), 'must be a label key such as example.com/team or team');
/** The keys that select a component's pods: a pod label must never change them. */
const podLabelKey = z
  .string()
  .regex(
    new RegExp(`^(?!app\\.kubernetes\\.io/(name|instance|component)$)${labelName}$`),
    'must be a label key other than the selector labels app.kubernetes.io/name, instance and component',
  );
const labelValue = z.string().regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, 'must be a label value: at most 63 letters, digits, -, _ or ., alphanumeric at both ends');

export const podOverrideFields = {
  /** Extra environment variables for the main container (Kubernetes EnvVar objects, `name` with `value` or `valueFrom`), after the stack's own. */
  extraEnv: z.array(kubeObject),
  /** Extra `envFrom` sources for the main container (`configMapRef` or `secretRef` objects), after the stack's own. */
  extraEnvFrom: z.array(kubeObject),
  /** Annotations added to the pod template (IRSA, service mesh, log shippers). */
  podAnnotations: z.record(metadataKey, z.string()),
  /** Labels added to the pod template only, never to selectors; the selector labels themselves are refused. */
  podLabels: z.record(podLabelKey, labelValue),
  /** Node labels the pods must be scheduled on (the pod's `nodeSelector`). */
  nodeSelector: z.record(metadataKey, labelValue),
  /** Tolerations of the pods (Kubernetes Toleration objects), e.g. for a dedicated node pool. */
  tolerations: z.array(kubeObject),
  /** Affinity by kind (`nodeAffinity`, `podAffinity`, `podAntiAffinity`); a kind given here replaces the stack's own of that kind (a preferred per-node `podAntiAffinity`). */
  affinity: z.record(z.string().regex(/^[A-Za-z]+$/, 'must be nodeAffinity, podAffinity or podAntiAffinity'), kubeObject),
  /** PriorityClass of the pods; empty means the cluster's default priority. */
  priorityClassName: z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/, 'must be a PriorityClass name (a DNS subdomain) or empty'),
  /** Extra volumes of the pod (Kubernetes Volume objects), for extraVolumeMounts. */
  extraVolumes: z.array(kubeObject),
  /** Extra volume mounts of the main container (Kubernetes VolumeMount objects). */
  extraVolumeMounts: z.array(kubeObject),
};

export type PodOverrides = { [K in keyof typeof podOverrideFields]: z.infer<(typeof podOverrideFields)[K]> };

/** Nothing added: the output is exactly what it is without escape hatches. */
export function noPodOverrides(): PodOverrides {
  return {
    extraEnv: [],
    extraEnvFrom: [],
    podAnnotations: {},
    podLabels: {},
    nodeSelector: {},
    tolerations: [],
    affinity: {},
    priorityClassName: '',
    extraVolumes: [],
    extraVolumeMounts: [],
  };
}

/** The escape hatches' keys: kept out of configuration checksums (they change the pod template themselves). */
export const POD_OVERRIDE_KEYS = Object.keys(podOverrideFields) as (keyof PodOverrides)[];

/** A workload's values without its escape hatches: what its `checksum/config` annotation digests. */
export function withoutPodOverrides<T extends object>(values: T): Omit<T, keyof PodOverrides> {
  return Object.fromEntries(Object.entries(values).filter(([k]) => !(POD_OVERRIDE_KEYS as string[]).includes(k))) as Omit<T, keyof PodOverrides>;
}

/** Whether an escape hatch holds something (an empty list, map or string adds nothing to a pod). */
function isSet(v: unknown): boolean {
  return Array.isArray(v) ? v.length > 0 : typeof v === 'string' ? v !== '' : !!v && typeof v === 'object' && Object.keys(v).length > 0;
}

/**
 * A workload's values with its empty escape hatches left out: what a Job's name digests, so a Job's name changes
 * when an escape hatch is set (its pod template is immutable) and stays what it was while none is.
 */
export function withSetPodOverridesOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([k, v]) => !(POD_OVERRIDE_KEYS as string[]).includes(k) || isSet(v))) as Partial<T>;
}
