{{/*
Peers of the NetworkPolicies. The bundled PostgreSQL/Redis are selected by their pod labels; an
external one by networkPolicy.externalServicesCIDRs on its port (a policy cannot name a host).
*/}}

{{/* ai-native.netpol.pods: a podSelector peer for components of this release. dict root names */}}
{{- define "ai-native.netpol.pods" -}}
- podSelector:
    matchExpressions:
      - {key: app.kubernetes.io/instance, operator: In, values: [{{ .root.Release.Name | quote }}]}
      - {key: app.kubernetes.io/name, operator: In, values: [{{ join ", " .names }}]}
{{- end -}}

{{/* ai-native.netpol.toDatabase: an egress rule to the bundled or external PostgreSQL. */}}
{{- define "ai-native.netpol.toDatabase" -}}
- ports:
    - {port: {{ include "ai-native.database.port" . }}, protocol: TCP}
  to:
  {{- if .Values.postgresql.enabled }}
    - podSelector:
        {{- $postgresql := dict "root" . "component" "postgresql" }}
        matchLabels: {{- include "ai-native-lib.labels.selector" $postgresql | nindent 10 }}
  {{- else }}
  {{- range .Values.networkPolicy.externalServicesCIDRs }}
    - ipBlock: {cidr: {{ . }}}
  {{- end }}
  {{- end }}
{{- end -}}

{{/* ai-native.netpol.toRedis: an egress rule to the bundled or external Redis. */}}
{{- define "ai-native.netpol.toRedis" -}}
- ports:
    - {port: {{ include "ai-native.redis.port" . }}, protocol: TCP}
  to:
  {{- if .Values.redis.enabled }}
    - podSelector:
        matchLabels: {{- include "ai-native-lib.labels.selector" (dict "root" . "component" "redis") | nindent 10 }}
  {{- else }}
  {{- range .Values.networkPolicy.externalServicesCIDRs }}
    - ipBlock: {cidr: {{ . }}}
  {{- end }}
  {{- end }}
{{- end -}}

{{/* ai-native.netpol.fromController: an ingress peer for the ingress or gateway controller. */}}
{{- define "ai-native.netpol.fromController" -}}
- namespaceSelector:
    matchLabels: {{- toYaml .Values.networkPolicy.ingressController.namespaceSelector | nindent 6 }}
  {{- with .Values.networkPolicy.ingressController.podSelector }}
  podSelector:
    matchLabels: {{- toYaml . | nindent 6 }}
  {{- end }}
{{- end -}}

{{/* ai-native.netpol.metadata: name, namespace and labels of one policy. dict root name */}}
{{- define "ai-native.netpol.metadata" -}}
metadata:
  name: {{ include "ai-native.names.platform" .root }}-{{ .name }}
  namespace: {{ .root.Release.Namespace }}
  labels: {{- include "ai-native.labels" .root | nindent 4 }}
{{- end -}}

{{/* ai-native.netpol.fromMonitoring: an ingress peer for Prometheus (networkPolicy.monitoring). */}}
{{- define "ai-native.netpol.fromMonitoring" -}}
- namespaceSelector:
    matchLabels: {{- toYaml .Values.networkPolicy.monitoring.namespaceSelector | nindent 6 }}
{{- end -}}
