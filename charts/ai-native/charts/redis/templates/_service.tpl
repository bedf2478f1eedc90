{{/*
redis.service: the client Service `<platform>-redis` (port tcp-redis).
Usage (umbrella templates/redis/service.yaml): {{ include "redis.service" . }}
*/}}
{{- define "redis.service" -}}
{{- $ctx := dict "root" . "component" "redis" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "common.names.component" $ctx }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "common.labels.standard" $ctx | nindent 4 }}
spec:
  type: ClusterIP
  ports:
    - name: tcp-redis
      port: {{ .Values.redis.service.port }}
      targetPort: tcp-redis
      protocol: TCP
  selector:
    {{- include "common.labels.selector" $ctx | nindent 4 }}
{{- end -}}
