{{/*
redis.fullname: the name of every object of this chart. Inside the ai-native umbrella
(global.platformName set) "<platform>-redis", the name the umbrella's app configuration points
at; alone, helm create's "<release>-redis".
Usage: {{ include "redis.fullname" . }}
*/}}
{{- define "redis.fullname" -}}
{{- $platform := dig "platformName" "" (.Values.global | default dict) -}}
{{- if $platform -}}
{{- $base := include "ai-native-lib.names.fullname" (dict "root" . "name" $platform) -}}
{{- printf "%s-redis" $base | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- include "ai-native-lib.names.fullname" (dict "root" . "name" .Chart.Name) -}}
{{- end -}}
{{- end -}}

{{/*
redis.labels: every label of this chart's objects (component redis, part of the platform).
Usage: {{ include "redis.labels" . | nindent 4 }}
*/}}
{{- define "redis.labels" -}}
{{- $partOf := dig "platformName" "" (.Values.global | default dict) | default .Chart.Name -}}
{{- include "ai-native-lib.labels.standard" (dict "root" . "component" "redis" "partOf" $partOf) -}}
{{- end -}}

{{/*
redis.selectorLabels: the immutable selector labels (name and instance).
Usage: {{ include "redis.selectorLabels" . | nindent 6 }}
*/}}
{{- define "redis.selectorLabels" -}}
{{- include "ai-native-lib.labels.selector" (dict "root" . "component" "redis") -}}
{{- end -}}

{{/*
redis.conf: the redis.conf text (also hashed into the pod annotation so the pod rolls when it
changes).
Usage: {{ include "redis.conf" . }}
*/}}
{{- define "redis.conf" -}}
{{- $values := .Values -}}
# redis.conf rendered by the ai-native chart from the redis.* values.
# Reachable only from the release's pods (NetworkPolicy); no AUTH, as the app's REDIS_URL expects.
bind * -::*
protected-mode no
port {{ int $values.service.port }}
# `dir` (where the AOF lives) is set on the command line by the StatefulSet: it is the data
# volume's mount path, and redis-server refuses a config whose dir does not exist.
tcp-keepalive 300
timeout 0
loglevel notice
logfile ""
# Cache sizing: evict at the cap instead of failing writes.
maxmemory {{ $values.maxmemory }}
maxmemory-policy {{ $values.maxmemoryPolicy }}
# Persistence: the append-only file in /data (the volume).
appendonly {{ ternary "yes" "no" $values.appendonly }}
appendfsync {{ $values.appendfsync }}
appenddirname "appendonlydir"
{{- if $values.appendonly }}
# The AOF is the persistence: no RDB snapshots on top of it.
save ""
{{- end }}
{{- with $values.extraConfig }}
# redis.extraConfig
{{ . }}
{{- end }}
{{- end -}}
