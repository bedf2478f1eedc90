{{/*
redis.storageClassName: a `storageClassName:` line from persistence.storageClass, else
global.storageClass; nothing when both are empty (the cluster's default class); "-" renders "".
Usage: {{- with include "redis.storageClassName" (dict "root" $ "persistence" $values.persistence) }}{{ . | trim | nindent 8 }}{{- end }}
*/}}
{{- define "redis.storageClassName" -}}
{{- $class := .persistence.storageClass | default (dig "storageClass" "" (.root.Values.global | default dict)) -}}
{{- if eq $class "-" }}
storageClassName: ""
{{- else if $class }}
storageClassName: {{ $class | quote }}
{{- end -}}
{{- end -}}

{{/*
redis.conf: the redis.conf text (also hashed into the pod annotation so the pod rolls when it
changes).
Usage: {{ include "redis.conf" . }}
*/}}
{{- define "redis.conf" -}}
{{- $values := .Values.redis -}}
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
