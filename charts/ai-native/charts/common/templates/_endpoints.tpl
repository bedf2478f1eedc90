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

{{/* common.database.port: 5432 for the bundled database, else externalDatabase.port. */}}
{{- define "common.database.port" -}}
{{- if .Values.postgresql.enabled -}}5432{{- else -}}{{ .Values.externalDatabase.port }}{{- end -}}
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

{{/* common.redis.port: 6379 for the bundled Redis, else externalRedis.port. */}}
{{- define "common.redis.port" -}}
{{- if .Values.redis.enabled -}}6379{{- else -}}{{ .Values.externalRedis.port }}{{- end -}}
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
