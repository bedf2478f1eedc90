{{/*
postgresql.fullname: the name of every object of this chart. Inside the ai-native umbrella
(global.platformName set) "<platform>-postgresql", the name the umbrella's app configuration points
at; alone, helm create's "<release>-postgresql".
Usage: {{ include "postgresql.fullname" . }}
*/}}
{{- define "postgresql.fullname" -}}
{{- $platform := dig "platformName" "" (.Values.global | default dict) -}}
{{- if $platform -}}
{{- $base := include "ai-native-lib.names.fullname" (dict "root" . "name" $platform) -}}
{{- printf "%s-postgresql" $base | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- include "ai-native-lib.names.fullname" (dict "root" . "name" .Chart.Name) -}}
{{- end -}}
{{- end -}}

{{/*
postgresql.labels: every label of this chart's objects (component postgresql, part of the platform).
Usage: {{ include "postgresql.labels" . | nindent 4 }}
*/}}
{{- define "postgresql.labels" -}}
{{- $partOf := dig "platformName" "" (.Values.global | default dict) | default .Chart.Name -}}
{{- include "ai-native-lib.labels.standard" (dict "root" . "component" "postgresql" "partOf" $partOf) -}}
{{- end -}}

{{/*
postgresql.selectorLabels: the immutable selector labels (name and instance).
Usage: {{ include "postgresql.selectorLabels" . | nindent 6 }}
*/}}
{{- define "postgresql.selectorLabels" -}}
{{- include "ai-native-lib.labels.selector" (dict "root" . "component" "postgresql") -}}
{{- end -}}

{{/*
postgresql.secretName: the Secret holding POSTGRES_PASSWORD: auth.existingSecret; else, inside
the ai-native umbrella, its app Secret "<platform>-secrets" (the umbrella generates the password
there and keeps it across upgrades); else, alone, the Secret this chart creates (secret.yaml).
Usage: {{ include "postgresql.secretName" . }}
*/}}
{{- define "postgresql.secretName" -}}
{{- $platform := dig "platformName" "" (.Values.global | default dict) -}}
{{- if .Values.auth.existingSecret -}}
{{- .Values.auth.existingSecret -}}
{{- else if $platform -}}
{{- printf "%s-secrets" (include "ai-native-lib.names.fullname" (dict "root" . "name" $platform)) -}}
{{- else -}}
{{- include "postgresql.fullname" . -}}
{{- end -}}
{{- end -}}

{{/*
postgresql.ownSecret: "true" when this chart creates its password Secret (alone, without
auth.existingSecret).
Usage: {{- if include "postgresql.ownSecret" . }}
*/}}
{{- define "postgresql.ownSecret" -}}
{{- $platform := dig "platformName" "" (.Values.global | default dict) -}}
{{- if not (or .Values.auth.existingSecret $platform) -}}
true
{{- end -}}
{{- end -}}
