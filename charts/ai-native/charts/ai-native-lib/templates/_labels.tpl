{{/*
ai-native-lib.labels.standard: every label of a component's objects (name, instance, component,
part-of, managed-by, version, chart). Never use it in selectors or volumeClaimTemplates: it
carries versions. The version and chart labels are those of the chart rendering the template.
Usage: {{ include "ai-native-lib.labels.standard" (dict "root" $ "component" "backend" "partOf" "ai-native") }}
*/}}
{{- define "ai-native-lib.labels.standard" -}}
{{ include "ai-native-lib.labels.selector" . }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: {{ .partOf }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- with .root.Chart.AppVersion }}
app.kubernetes.io/version: {{ . | replace "+" "_" | trunc 63 | trimSuffix "-" | quote }}
{{- end }}
helm.sh/chart: {{ include "ai-native-lib.names.chart" .root }}
{{- end -}}

{{/*
ai-native-lib.labels.selector: the immutable selector labels (name and instance only, never
versions), for Deployment/StatefulSet selectors, Services, PDBs, NetworkPolicies and
volumeClaimTemplates.
Usage: {{ include "ai-native-lib.labels.selector" (dict "root" $ "component" "backend") | nindent 6 }}
*/}}
{{- define "ai-native-lib.labels.selector" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}
