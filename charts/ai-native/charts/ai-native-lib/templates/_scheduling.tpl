{{/*
ai-native-lib.scheduling: a pod's nodeSelector and tolerations: the component's own (`values`),
else `global.nodeSelector` / `global.tolerations`, so one place pins every pod of a release (Jobs
and the helm test pod too) to a node pool. Renders nothing when neither is set.
Usage: {{- with include "ai-native-lib.scheduling" (dict "root" $ "values" $v) }}{{ . | nindent 6 }}{{ end }}
*/}}
{{- define "ai-native-lib.scheduling" -}}
{{- $global := .root.Values.global | default dict -}}
{{- with .values.nodeSelector | default $global.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations | default $global.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
ai-native-lib.storageClassName: a `storageClassName:` line from persistence.storageClass, else
global.storageClass; nothing when both are empty (the cluster's default class). "-" renders
`storageClassName: ""` (no dynamic provisioning: bind a pre-created PV).
Usage: {{- $class := include "ai-native-lib.storageClassName" (dict "root" $ "persistence" $p) }}
  {{- with $class }}{{ . | trim | nindent 8 }}{{ end }}
*/}}
{{- define "ai-native-lib.storageClassName" -}}
{{- $class := .persistence.storageClass | default (dig "storageClass" "" (.root.Values.global | default dict)) -}}
{{- if eq $class "-" }}
storageClassName: ""
{{- else if $class }}
storageClassName: {{ $class | quote }}
{{- end -}}
{{- end -}}

{{/*
ai-native-lib.urlencode: percent-encode a string for the userinfo part of a URL. urlquery encodes
everything but [A-Za-z0-9-_.~] and turns a space into "+", which means a literal "+" in a
query only; in userinfo a space must be "%20" (a literal "+" is already "%2B").
Usage: {{ include "ai-native-lib.urlencode" "p@ss word" }} -> p%40ss%20word
*/}}
{{- define "ai-native-lib.urlencode" -}}
{{- urlquery . | replace "+" "%20" -}}
{{- end -}}
