{{/*
redis.configmap: `<platform>-redis` with redis.conf.
Usage (umbrella templates/redis/configmap.yaml): {{ include "redis.configmap" . }}
*/}}
{{- define "redis.configmap" -}}
{{- $ctx := dict "root" . "component" "redis" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "common.names.component" $ctx }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "common.labels.standard" $ctx | nindent 4 }}
data:
  redis.conf: |
    {{- include "redis.conf" . | nindent 4 }}
{{- end -}}
