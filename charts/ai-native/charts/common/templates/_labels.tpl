{{/*
common.labels.standard: every label of a component's objects (name, instance, component, part-of,
managed-by, version, chart). Never use it in selectors or volumeClaimTemplates: it carries versions.
Usage: {{ include "common.labels.standard" (dict "root" $ "component" "backend") | nindent 4 }}
*/}}
{{- define "common.labels.standard" -}}
{{ include "common.labels.selector" . }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: ai-native
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- with .root.Chart.AppVersion }}
app.kubernetes.io/version: {{ . | replace "+" "_" | trunc 63 | trimSuffix "-" | quote }}
{{- end }}
helm.sh/chart: {{ include "common.names.chart" .root }}
{{- end -}}

{{/*
common.labels.selector: the immutable selector labels (name and instance only, never versions),
for Deployment/StatefulSet selectors, Services, PDBs, NetworkPolicies and volumeClaimTemplates.
Usage: {{ include "common.labels.selector" (dict "root" $ "component" "backend") | nindent 6 }}
*/}}
{{- define "common.labels.selector" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}
