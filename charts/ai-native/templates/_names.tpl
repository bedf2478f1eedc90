{{/*
Names and labels of the umbrella's objects. The redis subchart names its objects with the same
rule from global.platformName (its templates/_helpers.tpl), so "<platform>-redis" is both the
subchart's Service and the host the app's configuration points at.
*/}}

{{/*
ai-native.names.platform: the platform fullname: "ai-native" for release "ai-native", else
"<release>-ai-native" unless the release name already contains "ai-native" (helm create's rule
on global.platformName).
Usage: {{ include "ai-native.names.platform" $ }}
*/}}
{{- define "ai-native.names.platform" -}}
{{- $base := dig "platformName" "" (.Values.global | default dict) | default .Chart.Name -}}
{{- include "ai-native-lib.names.fullname" (dict "root" . "name" $base) -}}
{{- end -}}

{{/*
ai-native.names.component: "<platform>-<component>", e.g. ai-native-backend.
Usage: {{ include "ai-native.names.component" (dict "root" $ "component" "backend") }}
*/}}
{{- define "ai-native.names.component" -}}
{{- printf "%s-%s" (include "ai-native.names.platform" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
ai-native.names.appSecret: the Secret the pods read (secrets.existingSecret, else
"<platform>-secrets").
Usage: {{ include "ai-native.names.appSecret" $ }}
*/}}
{{- define "ai-native.names.appSecret" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- printf "%s-secrets" (include "ai-native.names.platform" .) -}}
{{- end -}}
{{- end -}}

{{/*
ai-native.names.appConfig: the app ConfigMap, "<platform>-config".
Usage: {{ include "ai-native.names.appConfig" $ }}
*/}}
{{- define "ai-native.names.appConfig" -}}
{{- printf "%s-config" (include "ai-native.names.platform" .) -}}
{{- end -}}

{{/*
ai-native.labels.standard: every label of a component's objects (ai-native-lib.labels.standard,
part of the platform).
Usage: {{ include "ai-native.labels.standard" (dict "root" $ "component" "backend") | nindent 4 }}
*/}}
{{- define "ai-native.labels.standard" -}}
{{- $partOf := dig "platformName" "" (.root.Values.global | default dict) | default .root.Chart.Name -}}
{{- include "ai-native-lib.labels.standard" (merge (dict "partOf" $partOf) .) -}}
{{- end -}}

{{/* ai-native.labels: labels of platform-level objects (component "platform"). */}}
{{- define "ai-native.labels" -}}
{{ include "ai-native.labels.standard" (dict "root" . "component" "platform") }}
{{- end -}}

{{/*
ai-native.image: the image reference of a component whose values have an `image` dict
(backend, frontend, postgresql), or of an image dict given as `image`.
Usage: {{ include "ai-native.image" (dict "root" $ "component" "backend") }}
*/}}
{{- define "ai-native.image" -}}
{{- $image := .image -}}
{{- if not $image -}}
{{- $image = index .root.Values .component "image" -}}
{{- end -}}
{{- include "ai-native-lib.images.image" (dict "root" .root "image" $image) -}}
{{- end -}}
