{{/* backend.service: ClusterIP Service on port 8000 (name http). */}}
{{- define "backend.service" -}}
{{- $ctx := dict "root" . "component" "backend" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "common.names.component" $ctx }}
  namespace: {{ .Release.Namespace }}
  labels: {{- include "common.labels.standard" $ctx | nindent 4 }}
spec:
  type: ClusterIP
  selector: {{- include "common.labels.selector" $ctx | nindent 4 }}
  ports:
    - name: http
      port: 8000
      targetPort: http
      protocol: TCP
{{- end -}}
