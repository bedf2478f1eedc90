{{/*
ai-native.monitoring.runbook: the annotations every alert carries: `runbook`, one line saying what
to do first and where the runbook is, and `runbook_url` when metrics.prometheusRule.runbookBaseUrl
is set. Usage: include "ai-native.monitoring.runbook" (dict "root" $ "alert" "Name" "line" "...")
*/}}
{{- define "ai-native.monitoring.runbook" -}}
runbook: {{ printf "%s (docs/runbooks.md#%s)" .line (lower .alert) | quote }}
{{- with .root.Values.metrics.prometheusRule.runbookBaseUrl }}
runbook_url: {{ printf "%s#%s" (trimSuffix "/" .) (lower $.alert) | quote }}
{{- end }}
{{- end -}}

{{/*
ai-native.monitoring.selector: PromQL label matchers for one exporter's series: the configured
ones, or the release namespace. Usage: include "ai-native.monitoring.selector" (list $ "redisSelector")
*/}}
{{- define "ai-native.monitoring.selector" -}}
{{- $root := index . 0 -}}
{{- index $root.Values.metrics.prometheusRule (index . 1) | default (printf "namespace=%q" $root.Release.Namespace) -}}
{{- end -}}
