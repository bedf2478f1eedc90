{{/* frontend.service: ClusterIP Service, port 80 -> container port http (8080). */}}
{{- define "frontend.service" -}}
{{- $ctx := dict "root" . "component" "frontend" -}}
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
      port: 80
      targetPort: http
      protocol: TCP
{{- end -}}
