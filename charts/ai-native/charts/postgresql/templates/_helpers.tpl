{{/*
postgresql.storageClassName: a `storageClassName:` line from persistence.storageClass, else
global.storageClass; nothing when both are empty (the cluster's default class). "-" renders
`storageClassName: ""` (no dynamic provisioning: bind a pre-created PV).
Usage: {{- with include "postgresql.storageClassName" (dict "root" $ "persistence" $values.persistence) }}{{ . | trim | nindent 8 }}{{- end }}
*/}}
{{- define "postgresql.storageClassName" -}}
{{- $class := .persistence.storageClass | default (dig "storageClass" "" (.root.Values.global | default dict)) -}}
{{- if eq $class "-" }}
storageClassName: ""
{{- else if $class }}
storageClassName: {{ $class | quote }}
{{- end -}}
{{- end -}}
