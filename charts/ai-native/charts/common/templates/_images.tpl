{{/*
common.images.image: "[registry/]repository[:tag][@digest]". The registry is the image's own
`registry`, else global.imageRegistry. The tag defaults to the umbrella's appVersion (for the
platform's own images); a digest wins over the tag (the tag is then left out).
Usage: {{ include "common.images.image" (dict "root" $ "component" "backend") }}
   or: {{ include "common.images.image" (dict "root" $ "image" .Values.tests.images.curl) }}
*/}}
{{- define "common.images.image" -}}
{{- $image := .image -}}
{{- if not $image -}}
{{- $image = index .root.Values .component "image" -}}
{{- end -}}
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
common.images.pullSecrets: an `imagePullSecrets:` block from global.imagePullSecrets (items are
names or {name: ...}), or nothing.
Usage: {{- with include "common.images.pullSecrets" $ }}{{ . | nindent 6 }}{{ end }}
*/}}
{{- define "common.images.pullSecrets" -}}
{{- $secrets := dig "imagePullSecrets" list (.Values.global | default dict) -}}
{{- if $secrets -}}
imagePullSecrets:
{{- range $secrets }}
  - name: {{ if kindIs "map" . }}{{ .name }}{{ else }}{{ . }}{{ end }}
{{- end }}
{{- end -}}
{{- end -}}
