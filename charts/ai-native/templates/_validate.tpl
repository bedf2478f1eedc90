{{/*
Validation helpers: each returns one message ("<key path>: <problem>; <how to fix>") or nothing,
written as wrapped prose (validate.yaml joins its lines into one). templates/validate.yaml
collects every message and calls `fail` once with all of them, so a user sees every cross-field
mistake in one run (bitnami/redis style). Rules a JSON Schema can express (types, enums, patterns,
unknown keys) live in values.schema.json instead.
*/}}

{{/*
ai-native.validate.replicas: autoscaling.minReplicas must not exceed autoscaling.maxReplicas.
Usage: {{ include "ai-native.validate.replicas" (dict "root" $ "component" "backend") }}
*/}}
{{- define "ai-native.validate.replicas" -}}
{{- $autoscaling := dig "autoscaling" dict (index .root.Values .component) -}}
{{- $min := int $autoscaling.minReplicas -}}
{{- $max := int $autoscaling.maxReplicas -}}
{{- if and $autoscaling.enabled (gt $min $max) -}}
{{- $key := printf "%s.autoscaling" .component -}}
{{ $key }}.minReplicas: {{ $min }} is above {{ $key }}.maxReplicas ({{ $max }}); set minReplicas <= maxReplicas.
{{- end -}}
{{- end -}}

{{/*
ai-native.validate.externalDatabase: with the bundled PostgreSQL disabled, externalDatabase.host is
required (a missing password source only warns: a server may trust the pod, ai-native.warnings).
Usage: {{ include "ai-native.validate.externalDatabase" $ }}
*/}}
{{- define "ai-native.validate.externalDatabase" -}}
{{- if and (not .Values.postgresql.enabled) (not .Values.externalDatabase.host) -}}
{{- cat
  "externalDatabase.host: empty while postgresql.enabled is false; set externalDatabase.host (and"
  "port, database, username) or enable the bundled database with postgresql.enabled=true." -}}
{{- end -}}
{{- end -}}

{{/*
ai-native.validate.gateway: HTTPRoutes need at least one parent Gateway, or they route nothing. (A
parent without sectionName or port under TLS only warns: ai-native.warnings.)
Usage: {{ include "ai-native.validate.gateway" $ }}
*/}}
{{- define "ai-native.validate.gateway" -}}
{{- if and .Values.gateway.enabled (not .Values.gateway.parentRefs) -}}
{{- cat
  "gateway.parentRefs: empty while gateway.enabled is true; add the Gateway listener to attach to,"
  "e.g. [{name: shared-gateway, namespace: gateway-system, sectionName: https}]." -}}
{{- end -}}
{{- end -}}

{{/*
ai-native.validate.acmeSolver: the ClusterIssuers solve HTTP-01 on plain HTTP, through the Ingress
class or, without an Ingress, through gateway.httpParentRefs.
Usage: {{ include "ai-native.validate.acmeSolver" $ }}
*/}}
{{- define "ai-native.validate.acmeSolver" -}}
{{- $issuers := .Values.certManager.clusterIssuers.create -}}
{{- $noHttpListener := and .Values.gateway.enabled (not .Values.gateway.httpParentRefs) -}}
{{- if and $issuers (not .Values.ingress.enabled) $noHttpListener -}}
{{- cat
  "gateway.httpParentRefs: empty while certManager.clusterIssuers.create is true and"
  "ingress.enabled is false, so Let's Encrypt HTTP-01 challenges could not be answered; add the"
  "Gateway's plain-HTTP listener, e.g. [{name: shared-gateway, namespace: gateway-system,"
  "sectionName: http}]." -}}
{{- end -}}
{{- end -}}

{{/*
ai-native.validate.platformName: every name is "<platform>-<suffix>"; the longest suffix (a Job's
"-db-backup-volume-<hash>", 28 characters) must keep names and the job-name label within the
63 characters Kubernetes allows, so the platform name is at most 35 characters.
Usage: {{ include "ai-native.validate.platformName" $ }}
*/}}
{{- define "ai-native.validate.platformName" -}}
{{- $platform := include "ai-native.names.platform" . -}}
{{- if gt (len $platform) 35 -}}
release name {{ .Release.Name | quote }}: the names built from it start with {{ $platform | quote }}
({{ len $platform }} characters), and with suffixes such as "-db-backup-volume-<hash>" they would pass
the 63-character limit of Kubernetes names and labels; use a release name of at most 35 characters
that contains "ai-native", or of at most 25 characters otherwise.
{{- end -}}
{{- end -}}
