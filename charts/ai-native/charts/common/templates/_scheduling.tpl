{{/*
common.scheduling: a pod's nodeSelector and tolerations: the component's own (`values`), else
`global.nodeSelector` / `global.tolerations`, so one place pins every pod of a release (Jobs and
the helm test pod too) to a node pool. Renders nothing when neither is set.
Usage: {{- with include "common.scheduling" (dict "root" $ "values" $v) }}{{ . | nindent 6 }}{{ end }}
*/}}
{{- define "common.scheduling" -}}
{{- $global := .root.Values.global | default dict -}}
{{- with .values.nodeSelector | default $global.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations | default $global.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
