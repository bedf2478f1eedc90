{{/*
postgresql.serviceHeadless: the StatefulSet's governing Service `<platform>-postgresql-headless`
(stable pod DNS; publishes not-ready pods so the pod can be reached while it starts).
Usage (umbrella templates/postgresql/service-headless.yaml): {{ include "postgresql.serviceHeadless" . }}
*/}}
{{- define "postgresql.serviceHeadless" -}}
{{- $ctx := dict "root" . "component" "postgresql" -}}
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
    - name: tcp-postgresql
      port: {{ .Values.postgresql.service.port }}
      targetPort: tcp-postgresql
      protocol: TCP
  selector:
    {{- include "common.labels.selector" $ctx | nindent 4 }}
{{- end -}}
