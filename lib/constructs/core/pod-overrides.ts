/**
 * Applies a workload's escape hatches (profiles/pod-overrides-schema.ts) to its pod template. They are written
 * into the object's final JSON as given, after the typed constructs have serialized it: the typed serializers
 * keep only the fields they know, so a misspelt field would vanish silently, where here it reaches the output
 * gate's strict Kubernetes schema check and is refused. Nothing is touched when every escape hatch is empty, so
 * the output stays byte for byte what it was.
 */
import type { ApiObject } from 'cdk8s';
import type { PodOverrides } from '../../../profiles/pod-overrides-schema';

/** `at`: the JSON pointer of the pod template (`/spec/template` for Deployments, StatefulSets and Jobs). */
export function applyPodOverrides(obj: ApiObject, o: PodOverrides, at = '/spec/template'): void {
  const used =
    o.extraEnv.length + o.extraEnvFrom.length + o.tolerations.length + o.extraVolumes.length + o.extraVolumeMounts.length > 0 ||
    [o.podAnnotations, o.podLabels, o.nodeSelector, o.affinity].some((m) => Object.keys(m).length > 0) ||
    o.priorityClassName !== '';
  if (!used) return;
  const serialize = obj.toJson.bind(obj);
  obj.toJson = () => {
    const json = serialize();
    let template: any = json;
    for (const seg of at.split('/').filter(Boolean)) template = template[seg];
    addTo(template, JSON.parse(JSON.stringify(o)) as PodOverrides);
    return json;
  };
}

function addTo(template: any, o: PodOverrides): void {
  const meta = (template.metadata ??= {});
  const spec = template.spec;
  const main = spec.containers[0];
  if (Object.keys(o.podLabels).length) meta.labels = { ...meta.labels, ...o.podLabels };
  if (Object.keys(o.podAnnotations).length) meta.annotations = { ...meta.annotations, ...o.podAnnotations };
  if (o.priorityClassName) spec.priorityClassName = o.priorityClassName;
  if (Object.keys(o.nodeSelector).length) spec.nodeSelector = { ...spec.nodeSelector, ...o.nodeSelector };
  if (Object.keys(o.affinity).length) spec.affinity = { ...spec.affinity, ...o.affinity };
  if (o.tolerations.length) spec.tolerations = [...(spec.tolerations ?? []), ...o.tolerations];
  if (o.extraVolumes.length) spec.volumes = [...(spec.volumes ?? []), ...o.extraVolumes];
  if (o.extraEnv.length) main.env = [...(main.env ?? []), ...o.extraEnv];
  if (o.extraEnvFrom.length) main.envFrom = [...(main.envFrom ?? []), ...o.extraEnvFrom];
  if (o.extraVolumeMounts.length) main.volumeMounts = [...(main.volumeMounts ?? []), ...o.extraVolumeMounts];
}
