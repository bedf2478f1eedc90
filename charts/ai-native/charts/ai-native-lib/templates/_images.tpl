{{/*
ai-native-lib.images.image: "[registry/]repository[:tag][@digest]" of an image dict. The registry
is the image's own `registry`, else global.imageRegistry. The tag defaults to the appVersion of
the chart rendering the template; a digest wins over the tag (the tag is then left out).
Usage: {{ include "ai-native-lib.images.image" (dict "root" $ "image" .Values.image) }}
*/}}
{{- define "ai-native-lib.images.image" -}}
{{- $image := .image -}}
{{- $registry := $image.registry | default (dig "imageRegistry" "" (.root.Values.global | default dict)) -}}
{{- $ref := $image.repository -}}
{{- if $registry -}}
{{- $ref = printf "%s/%s" (trimSuffix "/" $registry) $image.repository -}}
{{- end -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $ref $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $ref (toString ($image.tag | default .root.Chart.AppVersion)) -}}
{{- end -}}
{{- end -}}

{{/*
ai-native-lib.images.pullSecrets: an `imagePullSecrets:` block from global.imagePullSecrets
(items are names or {name: ...}), or nothing.
Usage: {{- with include "ai-native-lib.images.pullSecrets" $ }}{{ . | nindent 6 }}{{ end }}
*/}}
{{- define "ai-native-lib.images.pullSecrets" -}}
{{- $secrets := dig "imagePullSecrets" list (.Values.global | default dict) -}}
{{- if $secrets -}}
imagePullSecrets:
{{- range $secrets }}
  - name: {{ if kindIs "map" . }}{{ .name }}{{ else }}{{ . }}{{ end }}
{{- end }}
{{- end -}}
{{- end -}}
