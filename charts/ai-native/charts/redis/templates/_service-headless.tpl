{{/*
redis.serviceHeadless: the StatefulSet's governing Service `<platform>-redis-headless`.
Usage (umbrella templates/redis/service-headless.yaml): {{ include "redis.serviceHeadless" . }}
*/}}
{{- define "redis.serviceHeadless" -}}
{{- $ctx := dict "root" . "component" "redis" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "common.names.component" $ctx }}-headless
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "common.labels.standard" $ctx | nindent 4 }}
spec:
  type: ClusterIP
  clusterIP: None
  publishNotReadyAddresses: true
  ports:
    - name: tcp-redis
      port: {{ .Values.redis.service.port }}
      targetPort: tcp-redis
      protocol: TCP
  selector:
    {{- include "common.labels.selector" $ctx | nindent 4 }}
{{- end -}}
