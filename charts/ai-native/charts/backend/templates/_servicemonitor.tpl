{{/* backend.servicemonitor: Prometheus Operator ServiceMonitor scraping the backend's metrics path. */}}
{{- define "backend.servicemonitor" -}}
{{- $ctx := dict "root" . "component" "backend" -}}
{{- $sm := .Values.metrics.serviceMonitor -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "common.names.component" $ctx }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "common.labels.standard" $ctx | nindent 4 }}
    {{- with $sm.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels: {{- include "common.labels.selector" $ctx | nindent 6 }}
  namespaceSelector:
    matchNames: [{{ .Release.Namespace }}]
  endpoints:
    - port: http
      path: {{ .Values.backend.metrics.path }}
      interval: {{ $sm.interval }}
      scrapeTimeout: {{ $sm.scrapeTimeout }}
{{- end -}}
