{{/*
ai-native-lib.affinity.podAnti: pod anti-affinity over nodes for a preset: soft (preferred), hard
(required) or none (renders nothing).
Usage: {{- with include "ai-native-lib.affinity.podAnti" (dict "root" $ "component" "backend" "preset" "soft") }}
  affinity: {{- . | nindent 8 }}{{ end }}
*/}}
{{- define "ai-native-lib.affinity.podAnti" -}}
{{- $selector := include "ai-native-lib.labels.selector" . | fromYaml -}}
{{- $term := dict "topologyKey" "kubernetes.io/hostname" "labelSelector" (dict "matchLabels" $selector) -}}
{{- if eq .preset "soft" -}}
{{- $preferred := list (dict "weight" 100 "podAffinityTerm" $term) -}}
{{- toYaml (dict "podAntiAffinity" (dict "preferredDuringSchedulingIgnoredDuringExecution" $preferred)) -}}
{{- else if eq .preset "hard" -}}
{{- toYaml (dict "podAntiAffinity" (dict "requiredDuringSchedulingIgnoredDuringExecution" (list $term))) -}}
{{- end -}}
{{- end -}}
