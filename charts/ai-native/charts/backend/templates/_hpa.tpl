{{/* backend.hpa: autoscaling/v2 HPA on CPU and memory utilization (owns the replica count). */}}
{{- define "backend.hpa" -}}
{{- $ctx := dict "root" . "component" "backend" -}}
{{- $a := .Values.backend.autoscaling -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "common.names.component" $ctx }}
  namespace: {{ .Release.Namespace }}
  labels: {{- include "common.labels.standard" $ctx | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "common.names.component" $ctx }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {type: Utilization, averageUtilization: {{ $a.targetCPUUtilizationPercentage }}}
    - type: Resource
      resource:
        name: memory
        target: {type: Utilization, averageUtilization: {{ $a.targetMemoryUtilizationPercentage }}}
  {{- with $a.behavior }}
  behavior: {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
