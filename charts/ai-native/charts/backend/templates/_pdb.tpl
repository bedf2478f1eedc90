{{/* backend.pdb: PodDisruptionBudget keeping all but backend.pdb.maxUnavailable pods up. */}}
{{- define "backend.pdb" -}}
{{- $ctx := dict "root" . "component" "backend" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "common.names.component" $ctx }}
  namespace: {{ .Release.Namespace }}
  labels: {{- include "common.labels.standard" $ctx | nindent 4 }}
spec:
  maxUnavailable: {{ .Values.backend.pdb.maxUnavailable }}
  selector:
    matchLabels: {{- include "common.labels.selector" $ctx | nindent 6 }}
{{- end -}}
