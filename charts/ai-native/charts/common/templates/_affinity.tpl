{{/*
common.affinity.podAnti: pod anti-affinity over nodes for a preset: soft (preferred), hard
(required) or none (renders nothing).
Usage: {{- with include "common.affinity.podAnti" (dict "root" $ "component" "backend" "preset" "soft") }}
  affinity: {{- . | nindent 8 }}{{ end }}
*/}}
{{- define "common.affinity.podAnti" -}}
{{- $term := dict "topologyKey" "kubernetes.io/hostname" "labelSelector" (dict "matchLabels" (include "common.labels.selector" . | fromYaml)) -}}
{{- if eq .preset "soft" -}}
{{- toYaml (dict "podAntiAffinity" (dict "preferredDuringSchedulingIgnoredDuringExecution" (list (dict "weight" 100 "podAffinityTerm" $term)))) -}}
{{- else if eq .preset "hard" -}}
{{- toYaml (dict "podAntiAffinity" (dict "requiredDuringSchedulingIgnoredDuringExecution" (list $term))) -}}
{{- end -}}
{{- end -}}
