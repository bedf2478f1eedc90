{{/*
postgresql.service: the client Service `<platform>-postgresql` (port tcp-postgresql).
Usage (umbrella templates/postgresql/service.yaml): {{ include "postgresql.service" . }}
*/}}
{{- define "postgresql.service" -}}
{{- $ctx := dict "root" . "component" "postgresql" -}}
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
    - name: tcp-postgresql
      port: {{ .Values.postgresql.service.port }}
      targetPort: tcp-postgresql
      protocol: TCP
  selector:
    {{- include "common.labels.selector" $ctx | nindent 4 }}
{{- end -}}
