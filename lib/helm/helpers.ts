/**
 * `templates/_helpers.tpl`: the few computations the templates share, each the Go-template twin of one function of
 * the constructs (named next to it). Their equality is checked by the chart tests against the plain output.
 */

import { CROSS_FIELD_RULES } from '../../profiles/cross-field-rules';
import { POD_OVERRIDE_KEYS } from '../../profiles/pod-overrides-schema';
import { removedKeyRules } from './removed-keys';
import { goRules } from './rules-go';

/** Longest release name: object names add suffixes up to `-register-12345678` (same rule as `release.name`). */
export const MAX_RELEASE_NAME = 30;

/** Values the cross-field rules read that no template does. */
export const RULE_ONLY_VALUES = ['profile', 'images.requireDigests'];

/**
 * The one-way doors (lib/output/one-way-doors.ts) of a release Helm upgrades: `lookup` reads the volumes the cluster runs
 * (it returns nothing for `helm template` and on a first install) and a change the cluster cannot apply in place is
 * refused before anything is applied, naming the door and the manual step, with the synth's words.
 */
function oneWayDoors(): string {
  return `{{- $v := .Values -}}
{{- $ns := .Release.Namespace -}}
{{- $p := list -}}
{{- $sets := list (list (printf "%s-redis" .Release.Name) $v.redis.persistence.enabled $v.redis.persistence.storage "redis.persistence.storage" "Redis persistence") -}}
{{- if eq $v.database.mode "standalone" }}{{ $sets = append $sets (list (printf "%s-postgres" .Release.Name) true $v.database.standalone.storage "database.standalone.storage" "a persistent volume") }}{{ end -}}
{{- range $sets -}}
{{- $name := index . 0 }}{{ $want := index . 1 }}{{ $storage := index . 2 }}{{ $key := index . 3 }}{{ $what := index . 4 -}}
{{- $sts := lookup "apps/v1" "StatefulSet" $ns $name -}}
{{- if $sts -}}
{{- $orphan := printf "kubectl -n %s delete statefulset %s --cascade=orphan" $ns $name -}}
{{- $claims := $sts.spec.volumeClaimTemplates | default list -}}
{{- if and $want (not $claims) -}}
{{- $p = append $p (printf "redis.persistence.enabled: one-way door: turning %s on adds volume claim templates to StatefulSet %s, which a StatefulSet cannot change. Manual step: %s, then upgrade" $what $name $orphan) -}}
{{- else if and (not $want) $claims -}}
{{- $p = append $p (printf "redis.persistence.enabled: one-way door: turning %s off removes the volume claim templates of StatefulSet %s, which a StatefulSet cannot change. Manual step: %s, upgrade, then delete the claims it leaves (data-%s-0; their data goes)" $what $name $orphan $name) -}}
{{- else if $claims -}}
{{- $c := index $claims 0 -}}
{{- $old := toString $c.spec.resources.requests.storage -}}
{{- $oldBytes := include "mcp-stack.bytes" $old | float64 }}{{ $newBytes := include "mcp-stack.bytes" (toString $storage.size) | float64 -}}
{{- $oldClass := $c.spec.storageClassName | default "" -}}
{{- $step := printf "back up the data, %s, delete the claims data-%s-<n> (their data goes), upgrade, then restore" $orphan $name -}}
{{- if lt $newBytes $oldBytes -}}
{{- $p = append $p (printf "%s.size: one-way door: a volume cannot shrink (%s to %s). Keep the size, or as a manual step: %s" $key $old (toString $storage.size) $step) -}}
{{- else if gt $newBytes $oldBytes -}}
{{- $p = append $p (printf "%s.size: one-way door: a StatefulSet's volume claim templates cannot change, so the volume cannot grow through it (%s to %s). Manual step: %s, upgrade, then grow each claim data-%s-<n> with kubectl patch pvc (its storage class must allow volume expansion)" $key $old (toString $storage.size) $orphan $name) -}}
{{- end -}}
{{- if ne $oldClass $storage.storageClass -}}
{{- $p = append $p (printf "%s.storageClass: one-way door: a volume cannot change its storage class (%s to %s). Keep the class, or as a manual step: %s" $key ($oldClass | default "(cluster default)") ($storage.storageClass | default "(cluster default)") $step) -}}
{{- end -}}
{{- if hasKey ($c.metadata.labels | default dict) "app.kubernetes.io/version" -}}
{{- $p = append $p (printf "StatefulSet %s: one-way door: its volume claim templates carry app.kubernetes.io/version (an earlier release of this chart), and a StatefulSet's claim templates cannot change. Manual step: %s (pods and volumes stay), then upgrade" $name $orphan) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if eq $v.database.mode "pgo" -}}
{{- $pcName := printf "%s-pg" .Release.Name -}}
{{- $pc := lookup "postgres-operator.crunchydata.com/v1beta1" "PostgresCluster" $ns $pcName -}}
{{- if $pc -}}
{{- $step := printf "back up with pgBackRest, delete PostgresCluster %s and its volumes, upgrade, then restore from the backup" $pcName -}}
{{- $vols := list -}}
{{- range $pc.spec.instances }}{{ if eq .name "instance1" }}{{ $vols = append $vols (list .dataVolumeClaimSpec $v.database.pgo.instances.storage "database.pgo.instances.storage") }}{{ end }}{{ end -}}
{{- range (($pc.spec.backups | default dict).pgbackrest | default dict).repos | default list }}{{ if and (eq .name "repo1") .volume }}{{ $vols = append $vols (list .volume.volumeClaimSpec $v.database.pgo.backups.storage "database.pgo.backups.storage") }}{{ end }}{{ end -}}
{{- range $vols -}}
{{- $spec := index . 0 }}{{ $storage := index . 1 }}{{ $key := index . 2 -}}
{{- $old := toString $spec.resources.requests.storage -}}
{{- if lt (include "mcp-stack.bytes" (toString $storage.size) | float64) (include "mcp-stack.bytes" $old | float64) -}}
{{- $p = append $p (printf "%s.size: one-way door: a volume cannot shrink (%s to %s). Keep the size, or as a manual step: %s" $key $old (toString $storage.size) $step) -}}
{{- end -}}
{{- if ne ($spec.storageClassName | default "") $storage.storageClass -}}
{{- $p = append $p (printf "%s.storageClass: one-way door: a volume cannot change its storage class (%s to %s). Keep the class, or as a manual step: %s" $key ($spec.storageClassName | default "(cluster default)") ($storage.storageClass | default "(cluster default)") $step) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if $p }}{{ fail (printf "one-way doors: the cluster cannot apply this release on top of the one it runs; nothing was applied: %d problem(s)\\n  - %s" (len $p) (join "\\n  - " $p)) }}{{ end -}}`;
}

export function helpersTpl(): string {
  return `{{/*
Helpers of the mcp-stack chart. The templates are generated from the cdk8s constructs; each helper mirrors one
function of the constructs, named below, and the chart's tests check that both give the same output.
*/}}

{{/*
Image reference of (list image registry), the image a value (repository, tag, optional digest) and registry
global.imageRegistry: repository:tag@digest when pinned, else repository:tag, the repository's registry host
replaced by the registry when one is set. Mirrors imageRef in lib/constructs/core/images.ts.
*/}}
{{- define "mcp-stack.image" -}}
{{- $image := index . 0 -}}
{{- $registry := index . 1 -}}
{{- $repository := $image.repository -}}
{{- if $registry -}}
{{- $first := "" -}}
{{- if contains "/" $repository }}{{ $first = regexFind "^[^/]+" $repository }}{{ end -}}
{{- if and $first (or (contains "." $first) (contains ":" $first) (eq $first "localhost")) -}}
{{- $repository = printf "%s/%s" $registry (regexReplaceAll "^[^/]+/" $repository "") -}}
{{- else -}}
{{- $repository = printf "%s/%s" $registry $repository -}}
{{- end -}}
{{- end -}}
{{- if $image.digest -}}
{{- printf "%s:%s@%s" $repository $image.tag $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository $image.tag -}}
{{- end -}}
{{- end -}}

{{/*
A workload's values without its empty escape hatches, as JSON (what a Job's name digests: setting one renames the
Job, none set keeps the name). Mirrors withSetPodOverridesOnly in profiles/pod-overrides-schema.ts.
*/}}
{{- define "mcp-stack.withSetPodOverridesOnly" -}}
{{- $out := omit . ${POD_OVERRIDE_KEYS.map((k) => JSON.stringify(k)).join(' ')} -}}
{{- range $k := list ${POD_OVERRIDE_KEYS.map((k) => JSON.stringify(k)).join(' ')} }}{{ if index $ $k }}{{ $_ := set $out $k (index $ $k) }}{{ end }}{{ end -}}
{{- toJson $out -}}
{{- end -}}

{{/*
A Kubernetes label value: characters outside [A-Za-z0-9._-] become '-', at most 63 characters, alphanumeric at
both ends. Mirrors labelValue in lib/constructs/core/context.ts.
*/}}
{{- define "mcp-stack.labelValue" -}}
{{- $s := regexReplaceAll "[^A-Za-z0-9._-]" . "-" -}}
{{- $s = trunc 63 $s -}}
{{- $s = regexReplaceAll "^[^A-Za-z0-9]+" $s "" -}}
{{- regexReplaceAll "[^A-Za-z0-9]+$" $s "" -}}
{{- end -}}

{{/*
Seconds of a duration such as 90s, 5m or 1h. Mirrors runSeconds in lib/constructs/locust.ts.
*/}}
{{- define "mcp-stack.seconds" -}}
{{- $n := regexFind "^[0-9]+" . | int64 -}}
{{- if hasSuffix "h" . -}}
{{- mul $n 3600 -}}
{{- else if hasSuffix "m" . -}}
{{- mul $n 60 -}}
{{- else -}}
{{- $n -}}
{{- end -}}
{{- end -}}

{{/*
The release name prefixes every object name and the namespace is the stack's: both must be DNS labels, and the
name short enough for the longest suffix (release.name and release.namespace in profiles/schema.ts). Then the
cross-field rules.
*/}}
{{- define "mcp-stack.validate" -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" .Release.Name) -}}
{{- fail (printf "release name %q: must be a DNS label (lower-case letters, digits and '-')" .Release.Name) -}}
{{- end -}}
{{- if gt (len .Release.Name) ${MAX_RELEASE_NAME} -}}
{{- fail (printf "release name %q: must be at most ${MAX_RELEASE_NAME} characters (object names add suffixes)" .Release.Name) -}}
{{- end -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" .Release.Namespace) -}}
{{- fail (printf "namespace %q: must be a DNS label (lower-case letters, digits and '-')" .Release.Namespace) -}}
{{- end -}}
{{- include "mcp-stack.rules" . -}}
{{- include "mcp-stack.oneWayDoors" . -}}
{{- end -}}

{{/*
The helm.sh/chart label: chart name and version. A version may carry build metadata after '+', which a label value
cannot hold, so '+' becomes '_'; at most 63 characters. Mirrors chartLabelValue in lib/helm/helm-labels.ts.
*/}}
{{- define "mcp-stack.chartLabel" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The migration Job's name suffix: -r<revision> on an upgrade, so each upgrade creates a fresh Job (a Job's template
cannot change); nothing on install and for helm template, which match the plain output.
*/}}
{{- define "mcp-stack.revisionSuffix" -}}
{{- if .Release.IsUpgrade }}-r{{ .Release.Revision }}{{ end -}}
{{- end -}}

{{/*
Bytes of a Kubernetes quantity such as 5Gi, 500M or 1.5Ti, as a float. Mirrors parseQuantity in
profiles/quantity.ts for the suffixes volume sizes use.
*/}}
{{- define "mcp-stack.bytes" -}}
{{- $n := regexFind "^[0-9.]+" . -}}
{{- $suffix := trimPrefix $n . -}}
{{- $factors := dict "" 1 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "P" 1000000000000000 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 "Pi" 1125899906842624 -}}
{{- mulf (float64 $n) (get $factors $suffix | default 1) -}}
{{- end -}}

{{/*
One-way doors of an upgrade (oneWayDoors in lib/output/one-way-doors.ts): the volumes of the release the cluster runs,
read with lookup, against the values. Nothing for helm template or a first install.
*/}}
{{- define "mcp-stack.oneWayDoors" -}}
${oneWayDoors()}
{{- end -}}

{{/*
Cross-field rules of the values, compiled from their one declaration (profiles/cross-field-rules.ts) that the
synth evaluates too: same paths and messages. Every problem is listed, then rendering stops.
*/}}
{{- define "mcp-stack.rules" -}}
${goRules(CROSS_FIELD_RULES, removedKeyRules())}
{{- end -}}
`;
}
