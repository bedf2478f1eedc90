{{/*
ai-native-lib.names.fullname: helm create's fullname rule for a base name: the release name when
it already contains the base, else "<release>-<base>" (63 characters at most).
Usage: {{ include "ai-native-lib.names.fullname" (dict "root" $ "name" "ai-native") }}
*/}}
{{- define "ai-native-lib.names.fullname" -}}
{{- if contains .name .root.Release.Name -}}
{{- .root.Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
ai-native-lib.names.chart: "<chart>-<version>" of the chart rendering the template, for the
helm.sh/chart label ("+" is not allowed in labels).
Usage: {{ include "ai-native-lib.names.chart" $ }}
*/}}
{{- define "ai-native-lib.names.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}
