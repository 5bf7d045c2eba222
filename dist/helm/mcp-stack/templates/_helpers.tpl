{{/*
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
{{- $out := omit . "extraEnv" "extraEnvFrom" "podAnnotations" "podLabels" "nodeSelector" "tolerations" "affinity" "priorityClassName" "extraVolumes" "extraVolumeMounts" -}}
{{- range $k := list "extraEnv" "extraEnvFrom" "podAnnotations" "podLabels" "nodeSelector" "tolerations" "affinity" "priorityClassName" "extraVolumes" "extraVolumeMounts" }}{{ if index $ $k }}{{ $_ := set $out $k (index $ $k) }}{{ end }}{{ end -}}
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
{{- if gt (len .Release.Name) 30 -}}
{{- fail (printf "release name %q: must be at most 30 characters (object names add suffixes)" .Release.Name) -}}
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
{{- $v := .Values -}}
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
{{- if $p }}{{ fail (printf "one-way doors: the cluster cannot apply this release on top of the one it runs; nothing was applied: %d problem(s)\n  - %s" (len $p) (join "\n  - " $p)) }}{{ end -}}
{{- end -}}

{{/*
Cross-field rules of the values, compiled from their one declaration (profiles/cross-field-rules.ts) that the
synth evaluates too: same paths and messages. Every problem is listed, then rendering stops.
*/}}
{{- define "mcp-stack.rules" -}}
{{- $v := .Values -}}
{{- $p := list -}}
{{- if (and (eq $v.profile "ocp") (ne $v.platform "openshift")) }}{{ $p = append $p (printf "platform: must be 'openshift' for the ocp profile") }}{{ end -}}
{{- if (and (eq $v.exposure.type "route") (ne $v.platform "openshift")) }}{{ $p = append $p (printf "exposure.type: 'route' needs platform 'openshift'") }}{{ end -}}
{{- if (and (eq $v.exposure.type "route") (not (and $v.nginx.enabled $v.nginx.tls))) }}{{ $p = append $p (printf "exposure.type: 'route' reencrypts to NGINX's TLS port: needs nginx.enabled and nginx.tls") }}{{ end -}}
{{- if (and $v.nginx.tls (ne $v.platform "openshift")) }}{{ $p = append $p (printf "nginx.tls: needs platform 'openshift' (the serving certificate comes from the OpenShift service CA)") }}{{ end -}}
{{- if (and (eq $v.exposure.type "ingress") (eq $v.exposure.host "")) }}{{ $p = append $p (printf "exposure.host: must be set for an Ingress") }}{{ end -}}
{{- if (and $v.gateway.hpa.enabled (gt (int64 $v.gateway.hpa.minReplicas) (int64 $v.gateway.hpa.maxReplicas))) }}{{ $p = append $p (printf "gateway.hpa.minReplicas: must be <= gateway.hpa.maxReplicas (%v)" (int64 $v.gateway.hpa.maxReplicas)) }}{{ end -}}
{{- if (and $v.gateway.pdb.enabled (ge (int64 $v.gateway.pdb.minAvailable) (ternary (int64 $v.gateway.hpa.minReplicas) (int64 $v.gateway.replicas) $v.gateway.hpa.enabled))) }}{{ $p = append $p (printf "gateway.pdb.minAvailable: must be below the gateway's minimum pod count (%v) or no pod could ever be evicted" (ternary (int64 $v.gateway.hpa.minReplicas) (int64 $v.gateway.replicas) $v.gateway.hpa.enabled)) }}{{ end -}}
{{- if (and $v.nginx.enabled $v.nginx.pdb.enabled (ge (int64 $v.nginx.pdb.minAvailable) (int64 $v.nginx.replicas))) }}{{ $p = append $p (printf "nginx.pdb.minAvailable: must be below nginx.replicas (%v)" (int64 $v.nginx.replicas)) }}{{ end -}}
{{- if (and $v.fastTimeServer.enabled $v.fastTimeServer.pdb.enabled (ge (int64 $v.fastTimeServer.pdb.minAvailable) (int64 $v.fastTimeServer.replicas))) }}{{ $p = append $p (printf "fastTimeServer.pdb.minAvailable: must be below fastTimeServer.replicas (%v)" (int64 $v.fastTimeServer.replicas)) }}{{ end -}}
{{- if (and (eq $v.database.mode "pgo") (gt (int64 $v.database.pgo.pgbouncer.minPoolSize) (int64 $v.database.pgo.pgbouncer.defaultPoolSize))) }}{{ $p = append $p (printf "database.pgo.pgbouncer.minPoolSize: must be <= defaultPoolSize (%v)" (int64 $v.database.pgo.pgbouncer.defaultPoolSize)) }}{{ end -}}
{{- if (and (ne $v.database.mode "pgo") (not (empty $v.database.pgo.existingCluster))) }}{{ $p = append $p (printf "database.pgo.existingCluster: is used only with database.mode pgo (database.mode is %v)" $v.database.mode) }}{{ end -}}
{{- if (and (eq $v.database.mode "external") (empty $v.database.external.secretName)) }}{{ $p = append $p (printf "database.external.secretName: must name the Secret holding the database URL or its parts (database.mode is external)") }}{{ end -}}
{{- if (and (eq $v.database.mode "external") (empty $v.database.external.urlKey) (empty $v.database.external.hostKey)) }}{{ $p = append $p (printf "database.external.hostKey: must be set when urlKey is empty (the URL is built from the parts)") }}{{ end -}}
{{- if (and (eq $v.database.mode "external") (empty $v.database.external.urlKey) (empty $v.database.external.portKey)) }}{{ $p = append $p (printf "database.external.portKey: must be set when urlKey is empty (the URL is built from the parts)") }}{{ end -}}
{{- if (and (eq $v.database.mode "external") (empty $v.database.external.urlKey) (empty $v.database.external.databaseKey)) }}{{ $p = append $p (printf "database.external.databaseKey: must be set when urlKey is empty (the URL is built from the parts)") }}{{ end -}}
{{- if (and (eq $v.database.mode "external") (empty $v.database.external.urlKey) (empty $v.database.external.userKey)) }}{{ $p = append $p (printf "database.external.userKey: must be set when urlKey is empty (the URL is built from the parts)") }}{{ end -}}
{{- if (and (eq $v.database.mode "external") (empty $v.database.external.urlKey) (empty $v.database.external.passwordKey)) }}{{ $p = append $p (printf "database.external.passwordKey: must be set when urlKey is empty (the URL is built from the parts)") }}{{ end -}}
{{- if (and (eq $v.database.mode "external") (not (empty $v.database.external.urlKey)) (not (empty $v.database.external.sslMode))) }}{{ $p = append $p (printf "database.external.sslMode: applies to a URL built from parts only: with urlKey, put sslmode in the URL itself") }}{{ end -}}
{{- if (and (eq $v.database.mode "external") $v.networkPolicies.enabled (empty $v.database.external.cidrs)) }}{{ $p = append $p (printf "database.external.cidrs: must list the database's addresses: with networkPolicies.enabled the gateway and the migration may connect nowhere else") }}{{ end -}}
{{- if (hasKey $v.gateway.extraConfig "JWT_SECRET_KEY") }}{{ $p = append $p (printf "gateway.extraConfig.JWT_SECRET_KEY: is a credential: it belongs in the gateway Secret, not in the ConfigMap") }}{{ end -}}
{{- if (hasKey $v.gateway.extraConfig "AUTH_ENCRYPTION_SECRET") }}{{ $p = append $p (printf "gateway.extraConfig.AUTH_ENCRYPTION_SECRET: is a credential: it belongs in the gateway Secret, not in the ConfigMap") }}{{ end -}}
{{- if (hasKey $v.gateway.extraConfig "BASIC_AUTH_PASSWORD") }}{{ $p = append $p (printf "gateway.extraConfig.BASIC_AUTH_PASSWORD: is a credential: it belongs in the gateway Secret, not in the ConfigMap") }}{{ end -}}
{{- if (hasKey $v.gateway.extraConfig "PLATFORM_ADMIN_PASSWORD") }}{{ $p = append $p (printf "gateway.extraConfig.PLATFORM_ADMIN_PASSWORD: is a credential: it belongs in the gateway Secret, not in the ConfigMap") }}{{ end -}}
{{- if (hasKey $v.gateway.extraConfig "DATABASE_URL") }}{{ $p = append $p (printf "gateway.extraConfig.DATABASE_URL: is a credential: it belongs in the gateway Secret, not in the ConfigMap") }}{{ end -}}
{{- if (hasKey $v.gateway.extraConfig "REDIS_URL") }}{{ $p = append $p (printf "gateway.extraConfig.REDIS_URL: is a credential: it belongs in the gateway Secret, not in the ConfigMap") }}{{ end -}}
{{- if (hasKey $v.gateway.extraConfig "REDIS_PASSWORD") }}{{ $p = append $p (printf "gateway.extraConfig.REDIS_PASSWORD: is a credential: it belongs in the gateway Secret, not in the ConfigMap") }}{{ end -}}
{{- if (hasKey $v.gateway.extraConfig "POSTGRES_PASSWORD") }}{{ $p = append $p (printf "gateway.extraConfig.POSTGRES_PASSWORD: is a credential: it belongs in the gateway Secret, not in the ConfigMap") }}{{ end -}}
{{- range $i, $e := $v.gateway.extraEnv }}{{ if (and (and (kindIs "string" (index $e "name")) (regexMatch "(?i)(^|_)(PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)($|_)" (index $e "name"))) (not (empty (index $e "value")))) }}{{ $p = append $p (printf "gateway.extraEnv.%d.value: a literal value for %v, whose name says it is a credential: take it from a Secret (valueFrom.secretKeyRef, or a secretRef in extraEnvFrom) instead" $i (index $e "name")) }}{{ end }}{{ end -}}
{{- range $i, $e := $v.nginx.extraEnv }}{{ if (and (and (kindIs "string" (index $e "name")) (regexMatch "(?i)(^|_)(PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)($|_)" (index $e "name"))) (not (empty (index $e "value")))) }}{{ $p = append $p (printf "nginx.extraEnv.%d.value: a literal value for %v, whose name says it is a credential: take it from a Secret (valueFrom.secretKeyRef, or a secretRef in extraEnvFrom) instead" $i (index $e "name")) }}{{ end }}{{ end -}}
{{- range $i, $e := $v.redis.extraEnv }}{{ if (and (and (kindIs "string" (index $e "name")) (regexMatch "(?i)(^|_)(PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)($|_)" (index $e "name"))) (not (empty (index $e "value")))) }}{{ $p = append $p (printf "redis.extraEnv.%d.value: a literal value for %v, whose name says it is a credential: take it from a Secret (valueFrom.secretKeyRef, or a secretRef in extraEnvFrom) instead" $i (index $e "name")) }}{{ end }}{{ end -}}
{{- range $i, $e := $v.database.standalone.extraEnv }}{{ if (and (and (kindIs "string" (index $e "name")) (regexMatch "(?i)(^|_)(PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)($|_)" (index $e "name"))) (not (empty (index $e "value")))) }}{{ $p = append $p (printf "database.standalone.extraEnv.%d.value: a literal value for %v, whose name says it is a credential: take it from a Secret (valueFrom.secretKeyRef, or a secretRef in extraEnvFrom) instead" $i (index $e "name")) }}{{ end }}{{ end -}}
{{- range $i, $e := $v.fastTimeServer.extraEnv }}{{ if (and (and (kindIs "string" (index $e "name")) (regexMatch "(?i)(^|_)(PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)($|_)" (index $e "name"))) (not (empty (index $e "value")))) }}{{ $p = append $p (printf "fastTimeServer.extraEnv.%d.value: a literal value for %v, whose name says it is a credential: take it from a Secret (valueFrom.secretKeyRef, or a secretRef in extraEnvFrom) instead" $i (index $e "name")) }}{{ end }}{{ end -}}
{{- range $i, $e := $v.benchmark.master.extraEnv }}{{ if (and (and (kindIs "string" (index $e "name")) (regexMatch "(?i)(^|_)(PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)($|_)" (index $e "name"))) (not (empty (index $e "value")))) }}{{ $p = append $p (printf "benchmark.master.extraEnv.%d.value: a literal value for %v, whose name says it is a credential: take it from a Secret (valueFrom.secretKeyRef, or a secretRef in extraEnvFrom) instead" $i (index $e "name")) }}{{ end }}{{ end -}}
{{- range $i, $e := $v.benchmark.worker.extraEnv }}{{ if (and (and (kindIs "string" (index $e "name")) (regexMatch "(?i)(^|_)(PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)($|_)" (index $e "name"))) (not (empty (index $e "value")))) }}{{ $p = append $p (printf "benchmark.worker.extraEnv.%d.value: a literal value for %v, whose name says it is a credential: take it from a Secret (valueFrom.secretKeyRef, or a secretRef in extraEnvFrom) instead" $i (index $e "name")) }}{{ end }}{{ end -}}
{{- range $i, $e := $v.migration.extraEnv }}{{ if (and (and (kindIs "string" (index $e "name")) (regexMatch "(?i)(^|_)(PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)($|_)" (index $e "name"))) (not (empty (index $e "value")))) }}{{ $p = append $p (printf "migration.extraEnv.%d.value: a literal value for %v, whose name says it is a credential: take it from a Secret (valueFrom.secretKeyRef, or a secretRef in extraEnvFrom) instead" $i (index $e "name")) }}{{ end }}{{ end -}}
{{- range $i, $e := $v.registration.extraEnv }}{{ if (and (and (kindIs "string" (index $e "name")) (regexMatch "(?i)(^|_)(PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)($|_)" (index $e "name"))) (not (empty (index $e "value")))) }}{{ $p = append $p (printf "registration.extraEnv.%d.value: a literal value for %v, whose name says it is a credential: take it from a Secret (valueFrom.secretKeyRef, or a secretRef in extraEnvFrom) instead" $i (index $e "name")) }}{{ end }}{{ end -}}
{{- if (hasKey $v.gateway.extraConfig "ENABLE_METRICS") }}{{ $p = append $p (printf "gateway.extraConfig.ENABLE_METRICS: is set by observability.metrics.enabled, which also renders the monitor and its NetworkPolicy flow: set that instead") }}{{ end -}}
{{- if (hasKey $v.gateway.extraConfig "OTEL_ENABLE_OBSERVABILITY") }}{{ $p = append $p (printf "gateway.extraConfig.OTEL_ENABLE_OBSERVABILITY: is set by observability.tracing.enabled: set that instead") }}{{ end -}}
{{- if (hasKey $v.gateway.extraConfig "OTEL_EXPORTER_OTLP_HEADERS") }}{{ $p = append $p (printf "gateway.extraConfig.OTEL_EXPORTER_OTLP_HEADERS: is set by observability.tracing.headersSecretName: set that instead") }}{{ end -}}
{{- if (and $v.observability.alerts.enabled (not (and $v.observability.metrics.enabled (ne $v.observability.metrics.monitor "none")))) }}{{ $p = append $p (printf "observability.alerts.enabled: needs observability.metrics.enabled with a monitor (ServiceMonitor or PodMonitor): the rules read the gateway's scraped metrics, and the Prometheus Operator that reads the monitor evaluates them") }}{{ end -}}
{{- if (and $v.observability.metrics.postgresExporter (not (and $v.observability.metrics.enabled (ne $v.observability.metrics.monitor "none") (eq $v.database.mode "pgo") $v.database.pgo.monitoring))) }}{{ $p = append $p (printf "observability.metrics.postgresExporter: needs database.mode 'pgo' with database.pgo.monitoring (the exporter) and observability.metrics.enabled with a monitor (the Prometheus Operator reads the PodMonitor)") }}{{ end -}}
{{- if (and $v.observability.tracing.enabled (empty $v.observability.tracing.endpoint)) }}{{ $p = append $p (printf "observability.tracing.endpoint: must name the OpenTelemetry collector's OTLP URL (observability.tracing.enabled)") }}{{ end -}}
{{- if (and $v.observability.tracing.enabled $v.networkPolicies.enabled (empty $v.networkPolicies.gatewayEgress.otel.cidrs)) }}{{ $p = append $p (printf "networkPolicies.gatewayEgress.otel.cidrs: must list the collector's addresses: with networkPolicies.enabled the gateway may send its traces nowhere else") }}{{ end -}}
{{- if (gt (int64 $v.benchmark.expectWorkers) (int64 $v.benchmark.workers)) }}{{ $p = append $p (printf "benchmark.expectWorkers: must be <= benchmark.workers (%v) or the run never starts" (int64 $v.benchmark.workers)) }}{{ end -}}
{{- if (and $v.images.requireDigests true (empty $v.images.gateway.digest)) }}{{ $p = append $p (printf "images.gateway.digest: is required: this profile pins every image by digest (images.requireDigests)") }}{{ end -}}
{{- if (and $v.images.requireDigests true (empty $v.images.redis.digest)) }}{{ $p = append $p (printf "images.redis.digest: is required: this profile pins every image by digest (images.requireDigests)") }}{{ end -}}
{{- if (and $v.images.requireDigests $v.nginx.enabled (empty $v.images.nginx.digest)) }}{{ $p = append $p (printf "images.nginx.digest: is required: this profile pins every image by digest (images.requireDigests)") }}{{ end -}}
{{- if (and $v.images.requireDigests (eq $v.database.mode "standalone") (empty $v.images.postgres.digest)) }}{{ $p = append $p (printf "images.postgres.digest: is required: this profile pins every image by digest (images.requireDigests)") }}{{ end -}}
{{- if (and $v.images.requireDigests $v.fastTimeServer.enabled (empty $v.images.fastTimeServer.digest)) }}{{ $p = append $p (printf "images.fastTimeServer.digest: is required: this profile pins every image by digest (images.requireDigests)") }}{{ end -}}
{{- if (and $v.images.requireDigests $v.benchmark.enabled (empty $v.images.locust.digest)) }}{{ $p = append $p (printf "images.locust.digest: is required: this profile pins every image by digest (images.requireDigests)") }}{{ end -}}
{{- if (and $v.secrets.gateway.externalSecret.enabled (empty $v.secrets.gateway.externalSecret.secretStoreRef.name)) }}{{ $p = append $p (printf "secrets.gateway.externalSecret.secretStoreRef.name: must name the SecretStore or ClusterSecretStore to read when secrets.gateway.externalSecret.enabled") }}{{ end -}}
{{- if (and $v.secrets.gateway.externalSecret.enabled (empty $v.secrets.gateway.externalSecret.remoteRefs.JWT_SECRET_KEY.key)) }}{{ $p = append $p (printf "secrets.gateway.externalSecret.remoteRefs.JWT_SECRET_KEY.key: must be set when secrets.gateway.externalSecret.enabled: the key of this value in the store") }}{{ end -}}
{{- if (and $v.secrets.gateway.externalSecret.enabled (empty $v.secrets.gateway.externalSecret.remoteRefs.AUTH_ENCRYPTION_SECRET.key)) }}{{ $p = append $p (printf "secrets.gateway.externalSecret.remoteRefs.AUTH_ENCRYPTION_SECRET.key: must be set when secrets.gateway.externalSecret.enabled: the key of this value in the store") }}{{ end -}}
{{- if (and $v.secrets.gateway.externalSecret.enabled (empty $v.secrets.gateway.externalSecret.remoteRefs.BASIC_AUTH_PASSWORD.key)) }}{{ $p = append $p (printf "secrets.gateway.externalSecret.remoteRefs.BASIC_AUTH_PASSWORD.key: must be set when secrets.gateway.externalSecret.enabled: the key of this value in the store") }}{{ end -}}
{{- if (and $v.secrets.gateway.externalSecret.enabled (empty $v.secrets.gateway.externalSecret.remoteRefs.PLATFORM_ADMIN_PASSWORD.key)) }}{{ $p = append $p (printf "secrets.gateway.externalSecret.remoteRefs.PLATFORM_ADMIN_PASSWORD.key: must be set when secrets.gateway.externalSecret.enabled: the key of this value in the store") }}{{ end -}}
{{- if (and $v.secrets.redis.externalSecret.enabled (empty $v.secrets.redis.externalSecret.secretStoreRef.name)) }}{{ $p = append $p (printf "secrets.redis.externalSecret.secretStoreRef.name: must name the SecretStore or ClusterSecretStore to read when secrets.redis.externalSecret.enabled") }}{{ end -}}
{{- if (and $v.secrets.redis.externalSecret.enabled (empty $v.secrets.redis.externalSecret.remoteRefs.password.key)) }}{{ $p = append $p (printf "secrets.redis.externalSecret.remoteRefs.password.key: must be set when secrets.redis.externalSecret.enabled: the key of this value in the store") }}{{ end -}}
{{- if (and $v.secrets.postgres.externalSecret.enabled (empty $v.secrets.postgres.externalSecret.secretStoreRef.name)) }}{{ $p = append $p (printf "secrets.postgres.externalSecret.secretStoreRef.name: must name the SecretStore or ClusterSecretStore to read when secrets.postgres.externalSecret.enabled") }}{{ end -}}
{{- if (and $v.secrets.postgres.externalSecret.enabled (empty $v.secrets.postgres.externalSecret.remoteRefs.user.key)) }}{{ $p = append $p (printf "secrets.postgres.externalSecret.remoteRefs.user.key: must be set when secrets.postgres.externalSecret.enabled: the key of this value in the store") }}{{ end -}}
{{- if (and $v.secrets.postgres.externalSecret.enabled (empty $v.secrets.postgres.externalSecret.remoteRefs.password.key)) }}{{ $p = append $p (printf "secrets.postgres.externalSecret.remoteRefs.password.key: must be set when secrets.postgres.externalSecret.enabled: the key of this value in the store") }}{{ end -}}
{{- if (and $v.secrets.postgres.externalSecret.enabled (empty $v.secrets.postgres.externalSecret.remoteRefs.database.key)) }}{{ $p = append $p (printf "secrets.postgres.externalSecret.remoteRefs.database.key: must be set when secrets.postgres.externalSecret.enabled: the key of this value in the store") }}{{ end -}}
{{- if (and (eq $v.database.mode "pgo") (not (empty $v.secrets.postgres.existingSecret))) }}{{ $p = append $p (printf "secrets.postgres.existingSecret: applies to database.mode standalone only: with pgo the PGO operator writes the database Secret") }}{{ end -}}
{{- if (and (eq $v.database.mode "pgo") $v.secrets.postgres.externalSecret.enabled) }}{{ $p = append $p (printf "secrets.postgres.externalSecret.enabled: applies to database.mode standalone only: with pgo the PGO operator writes the database Secret") }}{{ end -}}
{{- if (gt (int64 $v.redis.replicas) (int64 1)) }}{{ $p = append $p (printf "redis.replicas: must be 1: the gateway reaches Redis through one REDIS_URL with a plain client (no Sentinel or Cluster support), so more pods would be separate caches, not a failover pair; for Redis HA run a managed or Sentinel-fronted Redis outside the stack") }}{{ end -}}
{{- if (and (and (eq $v.database.mode "pgo") (empty $v.database.pgo.existingCluster)) (eq $v.database.pgo.instances.antiAffinity "required") (gt (int64 $v.database.pgo.instances.replicas) (int64 $v.cluster.nodes))) }}{{ $p = append $p (printf "database.pgo.instances.antiAffinity: 'required' keeps every Postgres pod on its own node: %v replicas need as many nodes (cluster.nodes is %v); lower the replicas or use 'preferred'" (int64 $v.database.pgo.instances.replicas) (int64 $v.cluster.nodes)) }}{{ end -}}
{{- if (and (and (eq $v.database.mode "pgo") (empty $v.database.pgo.existingCluster)) $v.database.pgo.instances.pdb.enabled (ge (int64 $v.database.pgo.instances.pdb.minAvailable) (int64 $v.database.pgo.instances.replicas))) }}{{ $p = append $p (printf "database.pgo.instances.pdb.minAvailable: must be below database.pgo.instances.replicas (%v) or no Postgres pod could ever be evicted (a node drain would hang)" (int64 $v.database.pgo.instances.replicas)) }}{{ end -}}
{{- if (and (and (eq $v.database.mode "pgo") (empty $v.database.pgo.existingCluster)) (eq $v.database.pgo.pgbouncer.antiAffinity "required") (gt (int64 $v.database.pgo.pgbouncer.replicas) (int64 $v.cluster.nodes))) }}{{ $p = append $p (printf "database.pgo.pgbouncer.antiAffinity: 'required' keeps every PgBouncer pod on its own node: %v replicas need as many nodes (cluster.nodes is %v); lower the replicas or use 'preferred'" (int64 $v.database.pgo.pgbouncer.replicas) (int64 $v.cluster.nodes)) }}{{ end -}}
{{- if (and (and (eq $v.database.mode "pgo") (empty $v.database.pgo.existingCluster)) $v.database.pgo.pgbouncer.pdb.enabled (ge (int64 $v.database.pgo.pgbouncer.pdb.minAvailable) (int64 $v.database.pgo.pgbouncer.replicas))) }}{{ $p = append $p (printf "database.pgo.pgbouncer.pdb.minAvailable: must be below database.pgo.pgbouncer.replicas (%v) or no PgBouncer pod could ever be evicted (a node drain would hang)" (int64 $v.database.pgo.pgbouncer.replicas)) }}{{ end -}}
{{- if (and (and (and (eq $v.database.mode "pgo") (empty $v.database.pgo.existingCluster)) $v.database.pgo.backups.s3.enabled) (empty $v.database.pgo.backups.s3.bucket)) }}{{ $p = append $p (printf "database.pgo.backups.s3.bucket: must be set when the object storage repository is on") }}{{ end -}}
{{- if (and (and (and (eq $v.database.mode "pgo") (empty $v.database.pgo.existingCluster)) $v.database.pgo.backups.s3.enabled) (empty $v.database.pgo.backups.s3.endpoint)) }}{{ $p = append $p (printf "database.pgo.backups.s3.endpoint: must be set when the object storage repository is on") }}{{ end -}}
{{- if (and (and (and (eq $v.database.mode "pgo") (empty $v.database.pgo.existingCluster)) $v.database.pgo.backups.s3.enabled) (empty $v.database.pgo.backups.s3.region)) }}{{ $p = append $p (printf "database.pgo.backups.s3.region: must be set when the object storage repository is on") }}{{ end -}}
{{- if (and (and (and (eq $v.database.mode "pgo") (empty $v.database.pgo.existingCluster)) $v.database.pgo.backups.s3.enabled) (empty $v.database.pgo.backups.s3.secretName)) }}{{ $p = append $p (printf "database.pgo.backups.s3.secretName: must name the Secret holding s3.conf (repo2-s3-key and repo2-s3-key-secret) when the object storage repository is on") }}{{ end -}}
{{- if (and (and (and (eq $v.database.mode "pgo") (empty $v.database.pgo.existingCluster)) $v.database.pgo.backups.s3.enabled) $v.networkPolicies.enabled (empty $v.database.pgo.backups.s3.cidrs)) }}{{ $p = append $p (printf "database.pgo.backups.s3.cidrs: must list the object storage's addresses: with networkPolicies.enabled the database pods may send backups nowhere else") }}{{ end -}}
{{- if (and (not (empty $v.database.pgo.backups.s3.cidrs)) (not $v.database.pgo.backups.s3.enabled)) }}{{ $p = append $p (printf "database.pgo.backups.s3.cidrs: opens the database pods to the object storage repository: needs database.pgo.backups.s3.enabled (clear it when turning the repository off)") }}{{ end -}}
{{- if (and $v.database.pgo.backups.s3.enabled (not (and (eq $v.database.mode "pgo") (empty $v.database.pgo.existingCluster)))) }}{{ $p = append $p (printf "database.pgo.backups.s3.enabled: configures the stack's own PostgresCluster: needs database.mode pgo without database.pgo.existingCluster") }}{{ end -}}
{{- if (and $v.database.pgo.restore.enabled (not (and (eq $v.database.mode "pgo") (empty $v.database.pgo.existingCluster)))) }}{{ $p = append $p (printf "database.pgo.restore.enabled: restores the stack's own PostgresCluster: needs database.mode pgo without database.pgo.existingCluster") }}{{ end -}}
{{- if (and (and (eq $v.database.mode "pgo") (empty $v.database.pgo.existingCluster)) $v.database.pgo.restore.enabled (empty $v.database.pgo.restore.id)) }}{{ $p = append $p (printf "database.pgo.restore.id: must be set when the restore is on: PGO restores when this value changes (use a timestamp, and a new one for the next restore)") }}{{ end -}}
{{- if (and (and (eq $v.database.mode "pgo") (empty $v.database.pgo.existingCluster)) $v.database.pgo.restore.enabled (eq $v.database.pgo.restore.repoName "repo2") (not $v.database.pgo.backups.s3.enabled)) }}{{ $p = append $p (printf "database.pgo.restore.repoName: 'repo2' is the object storage repository: needs database.pgo.backups.s3.enabled") }}{{ end -}}
{{- if (and (not (empty $v.database.pgo.dataSource.clusterName)) (not (and (eq $v.database.mode "pgo") (empty $v.database.pgo.existingCluster)))) }}{{ $p = append $p (printf "database.pgo.dataSource.clusterName: seeds the stack's own PostgresCluster: needs database.mode pgo without database.pgo.existingCluster") }}{{ end -}}
{{- if hasKey ($v.gateway | default dict) "sessionPool" }}{{ $p = append $p "gateway.sessionPool: removed: ContextForge v1.0.7, the gateway release this stack deploys, has no MCP_SESSION_POOL_* settings and ignored them, so these values never took effect; delete the block; nothing replaces it" }}{{ end -}}
{{- if hasKey ($v.gateway.plugins.modes | default dict) "UnifiedPDPPlugin" }}{{ $p = append $p "gateway.plugins.modes.UnifiedPDPPlugin: removed: ContextForge v1.0.7, the gateway release this stack deploys, does not ship UnifiedPDPPlugin, so the gateway skipped it at startup and it never ran; delete the key; the plugins this release ships: RateLimiterPlugin, PIIFilterPlugin, SecretsDetectionPlugin, EncodedExfilDetectorPlugin, RetryWithBackoffPlugin" }}{{ end -}}
{{- if hasKey ($v.gateway.plugins.modes | default dict) "OutputLengthGuardPlugin" }}{{ $p = append $p "gateway.plugins.modes.OutputLengthGuardPlugin: removed: ContextForge v1.0.7, the gateway release this stack deploys, does not ship OutputLengthGuardPlugin, so the gateway skipped it at startup and it never ran; delete the key; the plugins this release ships: RateLimiterPlugin, PIIFilterPlugin, SecretsDetectionPlugin, EncodedExfilDetectorPlugin, RetryWithBackoffPlugin" }}{{ end -}}
{{- if hasKey ($v.gateway.plugins.settings | default dict) "outputLengthGuard" }}{{ $p = append $p "gateway.plugins.settings.outputLengthGuard: removed: it configured OutputLengthGuardPlugin, which ContextForge v1.0.7, the gateway release this stack deploys, does not ship; delete the block" }}{{ end -}}
{{- if $p }}{{ fail (printf "invalid values: %d problem(s)\n  - %s" (len $p) (join "\n  - " (sortAlpha $p))) }}{{ end -}}
{{- end -}}
