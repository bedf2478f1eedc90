{{/*
common.names.platform: the platform fullname, "ai-native" for release "ai-native", else
"<release>-ai-native" unless the release name already contains "ai-native" (helm create's rule).
Usage: {{ include "common.names.platform" $ }}
*/}}
{{- define "common.names.platform" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
common.names.component: "<platform>-<component>", e.g. ai-native-backend.
Usage: {{ include "common.names.component" (dict "root" $ "component" "backend") }}
*/}}
{{- define "common.names.component" -}}
{{- printf "%s-%s" (include "common.names.platform" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
common.names.appSecret: the Secret the pods read (secrets.existingSecret, else "<platform>-secrets").
Usage: {{ include "common.names.appSecret" $ }}
*/}}
{{- define "common.names.appSecret" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- printf "%s-secrets" (include "common.names.platform" .) -}}
{{- end -}}
{{- end -}}

{{/*
common.names.appConfig: the app ConfigMap, "<platform>-config".
Usage: {{ include "common.names.appConfig" $ }}
*/}}
{{- define "common.names.appConfig" -}}
{{- printf "%s-config" (include "common.names.platform" .) -}}
{{- end -}}

{{/*
common.names.chart: "<chart>-<version>" for the helm.sh/chart label ("+" is not allowed in labels).
Usage: {{ include "common.names.chart" $ }}
*/}}
{{- define "common.names.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}
