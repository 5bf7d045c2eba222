/**
 * `templates/_helpers.tpl`: the few computations the templates share, each the Go-template twin of one function of
 * the constructs (named next to it). Their equality is checked by the chart tests against the plain output.
 */

import { CROSS_FIELD_RULES } from '../../profiles/cross-field-rules';
import { goRules } from './rules-go';

/** Longest release name: object names add suffixes up to `-register-12345678` (same rule as `release.name`). */
export const MAX_RELEASE_NAME = 30;

/** Values the cross-field rules read that no template does. */
export const RULE_ONLY_VALUES = ['profile', 'images.requireDigests'];

export function helpersTpl(): string {
  return `{{/*
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
{{- if gt (len .Release.Name) ${MAX_RELEASE_NAME} -}}
{{- fail (printf "release name %q: must be at most ${MAX_RELEASE_NAME} characters (object names add suffixes)" .Release.Name) -}}
{{- end -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" .Release.Namespace) -}}
{{- fail (printf "namespace %q: must be a DNS label (lower-case letters, digits and '-')" .Release.Namespace) -}}
{{- end -}}
{{- include "mcp-stack.rules" . -}}
{{- end -}}

{{/*
Cross-field rules of the values, compiled from their one declaration (profiles/cross-field-rules.ts) that the
synth evaluates too: same paths and messages. Every problem is listed, then rendering stops.
*/}}
{{- define "mcp-stack.rules" -}}
${goRules(CROSS_FIELD_RULES)}
{{- end -}}
`;
}
