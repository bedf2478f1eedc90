{{/*
Validation helpers: each returns one message ("<key path>: <problem>; <how to fix>") or nothing.
The umbrella's templates/validate.yaml collects every message and calls `fail` once with all of
them, so a user sees every cross-field mistake in one run (bitnami/redis style). Rules a JSON
Schema can express (types, enums, patterns, unknown keys) live in values.schema.json instead.
*/}}

{{/*
common.validate.replicas: autoscaling.minReplicas must not exceed autoscaling.maxReplicas.
Usage: {{ include "common.validate.replicas" (dict "root" $ "component" "backend") }}
*/}}
{{- define "common.validate.replicas" -}}
{{- $autoscaling := dig "autoscaling" dict (index .root.Values .component) -}}
{{- if and $autoscaling.enabled (gt (int $autoscaling.minReplicas) (int $autoscaling.maxReplicas)) -}}
{{ .component }}.autoscaling.minReplicas: {{ $autoscaling.minReplicas }} is above {{ .component }}.autoscaling.maxReplicas ({{ $autoscaling.maxReplicas }}); set minReplicas <= maxReplicas.
{{- end -}}
{{- end -}}

{{/*
common.validate.externalDatabase: with the bundled PostgreSQL disabled, externalDatabase.host and
a password source (externalDatabase.existingSecret or externalDatabase.password, or a complete
secrets.existingSecret) are required.
Usage: {{ include "common.validate.externalDatabase" $ }}
*/}}
{{- define "common.validate.externalDatabase" -}}
{{- if not .Values.postgresql.enabled -}}
{{- if not .Values.externalDatabase.host -}}
externalDatabase.host: empty while postgresql.enabled is false; set externalDatabase.host (and port, database, username) or enable the bundled database with postgresql.enabled=true.
{{- else if not (or .Values.externalDatabase.existingSecret .Values.externalDatabase.password .Values.secrets.existingSecret) }}
externalDatabase.existingSecret: no password source for the external database; set externalDatabase.existingSecret (with key externalDatabase.passwordKey), externalDatabase.password, or secrets.existingSecret.
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
common.validate.externalRedis: with the bundled Redis disabled, externalRedis.host is required.
Usage: {{ include "common.validate.externalRedis" $ }}
*/}}
{{- define "common.validate.externalRedis" -}}
{{- if and (not .Values.redis.enabled) (not .Values.externalRedis.host) -}}
externalRedis.host: empty while redis.enabled is false; set externalRedis.host (and port, and externalRedis.existingSecret if it needs a password) or enable the bundled Redis with redis.enabled=true.
{{- end -}}
{{- end -}}

{{/*
common.validate.tls: an Ingress with TLS needs a certificate source.
Usage: {{ include "common.validate.tls" $ }}
*/}}
{{- define "common.validate.tls" -}}
{{- $tls := .Values.ingress.tls -}}
{{- if and .Values.ingress.enabled $tls.enabled (not (or $tls.clusterIssuer $tls.secretName)) -}}
ingress.tls.clusterIssuer: empty while ingress.tls.enabled is true; set ingress.tls.clusterIssuer (cert-manager) or ingress.tls.secretName (a TLS Secret you manage), or set ingress.tls.enabled=false.
{{- end -}}
{{- end -}}

{{/*
common.validate.gateway: HTTPRoutes need at least one parent Gateway, and with TLS on, each
parent must be an HTTPS listener: a ref without sectionName or port attaches the routes to every
listener of the Gateway, plain HTTP included. Several messages are joined with newlines.
Usage: {{ include "common.validate.gateway" $ }}
*/}}
{{- define "common.validate.gateway" -}}
{{- $gateway := .Values.gateway -}}
{{- if $gateway.enabled -}}
{{- $messages := list -}}
{{- if not $gateway.parentRefs -}}
{{- $messages = append $messages "gateway.parentRefs: empty while gateway.enabled is true; add the Gateway listener to attach to, e.g. [{name: shared-gateway, namespace: gateway-system, sectionName: https}]." -}}
{{- end -}}
{{- if .Values.ingress.tls.enabled -}}
{{- range $i, $ref := $gateway.parentRefs -}}
{{- if not (or $ref.sectionName $ref.port) -}}
{{- $messages = append $messages (printf "gateway.parentRefs[%d]: no sectionName or port, so the routes would also be served by the plain-HTTP listeners of Gateway %s while ingress.tls.enabled is true; set sectionName (or port) to its HTTPS listener, or ingress.tls.enabled=false." $i $ref.name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- join "\n- " $messages -}}
{{- end -}}
{{- end -}}

{{/*
common.validate.acmeSolver: the ClusterIssuers solve HTTP-01 on plain HTTP, through the Ingress
class or, without an Ingress, through gateway.httpParentRefs.
Usage: {{ include "common.validate.acmeSolver" $ }}
*/}}
{{- define "common.validate.acmeSolver" -}}
{{- if and .Values.certManager.clusterIssuers.create (not .Values.ingress.enabled) .Values.gateway.enabled (not .Values.gateway.httpParentRefs) -}}
gateway.httpParentRefs: empty while certManager.clusterIssuers.create is true and ingress.enabled is false, so Let's Encrypt HTTP-01 challenges could not be answered; add the Gateway's plain-HTTP listener, e.g. [{name: shared-gateway, namespace: gateway-system, sectionName: http}].
{{- end -}}
{{- end -}}

{{/*
common.validate.clusterIssuers: ACME ClusterIssuers need a contact email.
Usage: {{ include "common.validate.clusterIssuers" $ }}
*/}}
{{- define "common.validate.clusterIssuers" -}}
{{- if and .Values.certManager.clusterIssuers.create (not .Values.certManager.clusterIssuers.email) -}}
certManager.clusterIssuers.email: empty while certManager.clusterIssuers.create is true; set the ACME account email Let's Encrypt sends expiry notices to.
{{- end -}}
{{- end -}}


{{/*
common.validate.redisPersistence: the append-only file is Redis' persistence, so it needs the
data volume; on an emptyDir it would vanish with the pod while looking persistent.
Usage: {{ include "common.validate.redisPersistence" $ }}
*/}}
{{- define "common.validate.redisPersistence" -}}
{{- $redis := .Values.redis -}}
{{- if and $redis.enabled $redis.appendonly (not (dig "persistence" "enabled" true $redis)) -}}
redis.appendonly: true while redis.persistence.enabled is false, so the append-only file would live on an emptyDir and vanish with the pod; set redis.persistence.enabled=true (the AOF needs a volume) or redis.appendonly=false.
{{- end -}}
{{- end -}}

{{/*
common.validate.platformName: every name is "<platform>-<suffix>"; the longest suffix (a Job's
"-db-backup-volume-<hash>", 28 characters) must keep names and the job-name label within the
63 characters Kubernetes allows, so the platform name is at most 35 characters.
Usage: {{ include "common.validate.platformName" $ }}
*/}}
{{- define "common.validate.platformName" -}}
{{- $platform := include "common.names.platform" . -}}
{{- if gt (len $platform) 35 -}}
release name {{ .Release.Name | quote }}: the names built from it start with {{ $platform | quote }} ({{ len $platform }} characters), and with suffixes such as "-db-backup-volume-<hash>" they would pass the 63-character limit of Kubernetes names and labels; use a release name of at most 35 characters that contains "ai-native", or of at most 25 characters otherwise.
{{- end -}}
{{- end -}}
