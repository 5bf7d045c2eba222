{{/*
Helpers of the mcp-stack chart. The templates are generated from the cdk8s constructs; each helper mirrors one
function of the constructs, named below, and the chart's tests check that both give the same output.
*/}}

{{/*
Image reference of (list image registry), the image a value (repository, tag, optional digest) and registry
global.imageRegistry: repository:tag@digest when pinned, else repository:tag, the repository's registry host
replaced by the registry when one is set. Mirrors imageRef in lib/core/images.ts.
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
A Kubernetes label value: characters outside [A-Za-z0-9._-] become '-', at most 63 characters, alphanumeric at
both ends. Mirrors labelValue in lib/core/context.ts.
*/}}
{{- define "mcp-stack.labelValue" -}}
{{- $s := regexReplaceAll "[^A-Za-z0-9._-]" . "-" -}}
{{- $s = trunc 63 $s -}}
{{- $s = regexReplaceAll "^[^A-Za-z0-9]+" $s "" -}}
{{- regexReplaceAll "[^A-Za-z0-9]+$" $s "" -}}
{{- end -}}

{{/*
Seconds of a duration such as 90s, 5m or 1h. Mirrors runSeconds in lib/locust.ts.
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
{{- end -}}

{{/*
Cross-field rules of the values (valuesSchema.superRefine in profiles/schema.ts), same paths and messages: every
problem is listed, then rendering stops.
*/}}
{{- define "mcp-stack.rules" -}}
{{- $v := .Values -}}
{{- $p := list -}}
{{- if and (eq $v.profile "ocp") (ne $v.platform "openshift") }}{{ $p = append $p "platform: must be 'openshift' for the ocp profile" }}{{ end -}}
{{- if and (eq $v.exposure.type "route") (ne $v.platform "openshift") }}{{ $p = append $p "exposure.type: 'route' needs platform 'openshift'" }}{{ end -}}
{{- if and (eq $v.exposure.type "route") (not (and $v.nginx.enabled $v.nginx.tls)) }}{{ $p = append $p "exposure.type: 'route' reencrypts to NGINX's TLS port: needs nginx.enabled and nginx.tls" }}{{ end -}}
{{- if and $v.nginx.tls (ne $v.platform "openshift") }}{{ $p = append $p "nginx.tls: needs platform 'openshift' (the serving certificate comes from the OpenShift service CA)" }}{{ end -}}
{{- if and (eq $v.exposure.type "ingress") (eq $v.exposure.host "") }}{{ $p = append $p "exposure.host: must be set for an Ingress" }}{{ end -}}
{{- $hpa := $v.gateway.hpa -}}
{{- if and $hpa.enabled (gt (int64 $hpa.minReplicas) (int64 $hpa.maxReplicas)) }}{{ $p = append $p (printf "gateway.hpa.minReplicas: must be <= gateway.hpa.maxReplicas (%d)" (int64 $hpa.maxReplicas)) }}{{ end -}}
{{- $minPods := int64 $v.gateway.replicas }}{{ if $hpa.enabled }}{{ $minPods = int64 $hpa.minReplicas }}{{ end -}}
{{- if and $v.gateway.pdb.enabled (ge (int64 $v.gateway.pdb.minAvailable) $minPods) }}{{ $p = append $p (printf "gateway.pdb.minAvailable: must be below the gateway's minimum pod count (%d) or no pod could ever be evicted" $minPods) }}{{ end -}}
{{- if and $v.nginx.enabled $v.nginx.pdb.enabled (ge (int64 $v.nginx.pdb.minAvailable) (int64 $v.nginx.replicas)) }}{{ $p = append $p (printf "nginx.pdb.minAvailable: must be below nginx.replicas (%d)" (int64 $v.nginx.replicas)) }}{{ end -}}
{{- $fts := $v.fastTimeServer -}}
{{- if and $fts.enabled $fts.pdb.enabled (ge (int64 $fts.pdb.minAvailable) (int64 $fts.replicas)) }}{{ $p = append $p (printf "fastTimeServer.pdb.minAvailable: must be below fastTimeServer.replicas (%d)" (int64 $fts.replicas)) }}{{ end -}}
{{- $b := $v.database.pgo.pgbouncer -}}
{{- if and (eq $v.database.mode "pgo") (gt (int64 $b.minPoolSize) (int64 $b.defaultPoolSize)) }}{{ $p = append $p (printf "database.pgo.pgbouncer.minPoolSize: must be <= defaultPoolSize (%d)" (int64 $b.defaultPoolSize)) }}{{ end -}}
{{- $db := $v.database -}}
{{- if and (ne $db.mode "pgo") (ne $db.pgo.existingCluster "") }}{{ $p = append $p (printf "database.pgo.existingCluster: is used only with database.mode pgo (database.mode is %s)" $db.mode) }}{{ end -}}
{{- if eq $db.mode "external" -}}
{{- $e := $db.external -}}
{{- if eq $e.secretName "" }}{{ $p = append $p "database.external.secretName: must name the Secret holding the database URL or its parts (database.mode is external)" }}{{ end -}}
{{- if eq $e.urlKey "" -}}
{{- range $k := list "hostKey" "portKey" "databaseKey" "userKey" "passwordKey" }}{{ if eq (index $e $k) "" }}{{ $p = append $p (printf "database.external.%s: must be set when urlKey is empty (the URL is built from the parts)" $k) }}{{ end }}{{ end -}}
{{- else if ne $e.sslMode "" }}{{ $p = append $p "database.external.sslMode: applies to a URL built from parts only: with urlKey, put sslmode in the URL itself" }}{{ end -}}
{{- if and $v.networkPolicies.enabled (not $e.cidrs) }}{{ $p = append $p "database.external.cidrs: must list the database's addresses: with networkPolicies.enabled the gateway and the migration may connect nowhere else" }}{{ end -}}
{{- end -}}
{{- range $key, $_ := $v.gateway.extraConfig }}{{ if has $key (list "JWT_SECRET_KEY" "AUTH_ENCRYPTION_SECRET" "BASIC_AUTH_PASSWORD" "PLATFORM_ADMIN_PASSWORD" "DATABASE_URL" "REDIS_URL" "REDIS_PASSWORD" "POSTGRES_PASSWORD") }}{{ $p = append $p (printf "gateway.extraConfig.%s: is a credential: it belongs in the gateway Secret, not in the ConfigMap" $key) }}{{ end }}{{ end -}}
{{- if gt (int64 $v.benchmark.expectWorkers) (int64 $v.benchmark.workers) }}{{ $p = append $p (printf "benchmark.expectWorkers: must be <= benchmark.workers (%d) or the run never starts" (int64 $v.benchmark.workers)) }}{{ end -}}
{{- if $v.images.requireDigests -}}
{{- $inUse := list "gateway" "redis" -}}
{{- if $v.nginx.enabled }}{{ $inUse = append $inUse "nginx" }}{{ end -}}
{{- if eq $v.database.mode "standalone" }}{{ $inUse = append $inUse "postgres" }}{{ end -}}
{{- if $fts.enabled }}{{ $inUse = append $inUse "fastTimeServer" }}{{ end -}}
{{- if $v.benchmark.enabled }}{{ $inUse = append $inUse "locust" }}{{ end -}}
{{- range $name := $inUse }}{{ if not (index $v.images $name).digest }}{{ $p = append $p (printf "images.%s.digest: is required: this profile pins every image by digest (images.requireDigests)" $name) }}{{ end }}{{ end -}}
{{- end -}}
{{- if $p }}{{ fail (printf "invalid values: %d problem(s)\n  - %s" (len $p) (join "\n  - " (sortAlpha $p))) }}{{ end -}}
{{- end -}}
