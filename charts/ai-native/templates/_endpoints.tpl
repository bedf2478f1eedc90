{{/*
Where the database and Redis are: the bundled PostgreSQL's (templates/postgresql/) and the redis
subchart's client Services when enabled, else externalDatabase / externalRedis. Used by the app
ConfigMap and Secret, the backend's wait init containers, the NetworkPolicies, the database Jobs
and the helm test pod, so they always agree. The redis subchart is always loaded (its templates
render only when enabled), so redis.service.port is here even when it is disabled.
*/}}

{{/* ai-native.database.host: the bundled Service `<platform>-postgresql` or externalDatabase.host. */}}
{{- define "ai-native.database.host" -}}
{{- if .Values.postgresql.enabled -}}
{{- include "ai-native.names.component" (dict "root" . "component" "postgresql") -}}
{{- else -}}
{{- .Values.externalDatabase.host -}}
{{- end -}}
{{- end -}}

{{/* ai-native.database.port: postgresql.service.port when bundled, else externalDatabase.port. */}}
{{- define "ai-native.database.port" -}}
{{- ternary .Values.postgresql.service.port .Values.externalDatabase.port .Values.postgresql.enabled | int -}}
{{- end -}}

{{/* ai-native.database.name: postgresql.auth.database or externalDatabase.database. */}}
{{- define "ai-native.database.name" -}}
{{- ternary .Values.postgresql.auth.database .Values.externalDatabase.database .Values.postgresql.enabled -}}
{{- end -}}

{{/* ai-native.database.user: postgresql.auth.username or externalDatabase.username. */}}
{{- define "ai-native.database.user" -}}
{{- ternary .Values.postgresql.auth.username .Values.externalDatabase.username .Values.postgresql.enabled -}}
{{- end -}}

{{/* ai-native.redis.host: the bundled Service `<platform>-redis` or externalRedis.host. */}}
{{- define "ai-native.redis.host" -}}
{{- if .Values.redis.enabled -}}
{{- include "ai-native.names.component" (dict "root" . "component" "redis") -}}
{{- else -}}
{{- .Values.externalRedis.host -}}
{{- end -}}
{{- end -}}

{{/* ai-native.redis.port: redis.service.port when bundled, else externalRedis.port. */}}
{{- define "ai-native.redis.port" -}}
{{- ternary .Values.redis.service.port .Values.externalRedis.port .Values.redis.enabled | int -}}
{{- end -}}

{{/* ai-native.redis.database: logical database of REDIS_URL (0 for the bundled Redis). */}}
{{- define "ai-native.redis.database" -}}
{{- if .Values.redis.enabled -}}0{{- else -}}{{ .Values.externalRedis.database }}{{- end -}}
{{- end -}}

{{/*
ai-native.redis.used: "true" when the release has a Redis (bundled, or externalRedis.host). The
app runs without one (no shared cache, no rate limiting; the contract makes REDIS_URL optional),
so a release without Redis renders no REDIS_URL, no wait for it and no route to it.
Usage: {{- if include "ai-native.redis.used" . }}
*/}}
{{- define "ai-native.redis.used" -}}
{{- if or .Values.redis.enabled .Values.externalRedis.host -}}
true
{{- end -}}
{{- end -}}

{{/* ai-native.database.hostPart: "host:port/database" of DATABASE_URL. */}}
{{- define "ai-native.database.hostPart" -}}
{{- $host := include "ai-native.database.host" . -}}
{{- printf "%s:%s/%s" $host (include "ai-native.database.port" .) (include "ai-native.database.name" .) -}}
{{- end -}}

{{/* ai-native.redis.hostPart: "host:port/database" of REDIS_URL. */}}
{{- define "ai-native.redis.hostPart" -}}
{{- $host := include "ai-native.redis.host" . -}}
{{- printf "%s:%s/%s" $host (include "ai-native.redis.port" .) (include "ai-native.redis.database" .) -}}
{{- end -}}
