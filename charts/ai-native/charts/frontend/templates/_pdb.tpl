{{/* frontend.pdb: PodDisruptionBudget keeping all but frontend.pdb.maxUnavailable pods up. */}}
{{- define "frontend.pdb" -}}
{{- $ctx := dict "root" . "component" "frontend" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "common.names.component" $ctx }}
  namespace: {{ .Release.Namespace }}
  labels: {{- include "common.labels.standard" $ctx | nindent 4 }}
spec:
  maxUnavailable: {{ .Values.frontend.pdb.maxUnavailable }}
  selector:
    matchLabels: {{- include "common.labels.selector" $ctx | nindent 6 }}
{{- end -}}
