{{/*
Where the database and Redis are: the bundled Services when enabled, else externalDatabase /
externalRedis. Used by the app ConfigMap and Secret, the backend's wait init containers, the
NetworkPolicies and the helm test pods, so they always agree.
*/}}

{{/* common.database.host: bundled Service name or externalDatabase.host. Usage: (include "common.database.host" $) */}}
{{- define "common.database.host" -}}
{{- if .Values.postgresql.enabled -}}
{{- include "common.names.component" (dict "root" . "component" "postgresql") -}}
{{- else -}}
{{- .Values.externalDatabase.host -}}
{{- end -}}
{{- end -}}

{{/* common.database.port: postgresql.service.port (5432) when bundled, else externalDatabase.port. */}}
{{- define "common.database.port" -}}
{{- if .Values.postgresql.enabled -}}
{{- dig "service" "port" 5432 .Values.postgresql | int -}}
{{- else -}}
{{- .Values.externalDatabase.port | int -}}
{{- end -}}
{{- end -}}

{{/* common.database.name: postgresql.auth.database or externalDatabase.database. */}}
{{- define "common.database.name" -}}
{{- if .Values.postgresql.enabled -}}
{{- dig "auth" "database" "ai_native" .Values.postgresql -}}
{{- else -}}
{{- .Values.externalDatabase.database -}}
{{- end -}}
{{- end -}}

{{/* common.database.user: postgresql.auth.username or externalDatabase.username. */}}
{{- define "common.database.user" -}}
{{- if .Values.postgresql.enabled -}}
{{- dig "auth" "username" "ai_native" .Values.postgresql -}}
{{- else -}}
{{- .Values.externalDatabase.username -}}
{{- end -}}
{{- end -}}

{{/* common.redis.host: bundled Service name or externalRedis.host. */}}
{{- define "common.redis.host" -}}
{{- if .Values.redis.enabled -}}
{{- include "common.names.component" (dict "root" . "component" "redis") -}}
{{- else -}}
{{- .Values.externalRedis.host -}}
{{- end -}}
{{- end -}}

{{/* common.redis.port: redis.service.port (6379) when bundled, else externalRedis.port. */}}
{{- define "common.redis.port" -}}
{{- if .Values.redis.enabled -}}
{{- dig "service" "port" 6379 .Values.redis | int -}}
{{- else -}}
{{- .Values.externalRedis.port | int -}}
{{- end -}}
{{- end -}}

{{/* common.redis.database: logical database of REDIS_URL (0 for the bundled Redis). */}}
{{- define "common.redis.database" -}}
{{- if .Values.redis.enabled -}}0{{- else -}}{{ .Values.externalRedis.database }}{{- end -}}
{{- end -}}

{{/*
common.urlencode: percent-encode a string for the userinfo part of a URL. urlquery encodes
everything but [A-Za-z0-9-_.~] and turns a space into "+", which means a literal "+" in a
query only; in userinfo a space must be "%20" (a literal "+" is already "%2B").
Usage: {{ include "common.urlencode" "p@ss word" }} -> p%40ss%20word
*/}}
{{- define "common.urlencode" -}}
{{- urlquery . | replace "+" "%20" -}}
{{- end -}}
