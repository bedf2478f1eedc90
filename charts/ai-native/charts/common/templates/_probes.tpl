{{/*
common.probes.probe: a probe body from a handler and timings.
Parameters: httpGet (dict path port) or exec (list command) or tcpSocket (dict port);
initialDelaySeconds (0), periodSeconds (10), timeoutSeconds (3), failureThreshold (3),
successThreshold (1).
Usage: livenessProbe: {{- include "common.probes.probe" (dict "httpGet" (dict "path" "/x" "port" "http")) | nindent 12 }}
*/}}
{{- define "common.probes.probe" -}}
{{- if .httpGet }}
httpGet:
  path: {{ .httpGet.path }}
  port: {{ .httpGet.port }}
{{- else if .exec }}
exec:
  command: {{- toYaml .exec | nindent 4 }}
{{- else if .tcpSocket }}
tcpSocket:
  port: {{ .tcpSocket.port }}
{{- end }}
initialDelaySeconds: {{ .initialDelaySeconds | default 0 }}
periodSeconds: {{ .periodSeconds | default 10 }}
timeoutSeconds: {{ .timeoutSeconds | default 3 }}
failureThreshold: {{ .failureThreshold | default 3 }}
successThreshold: {{ .successThreshold | default 1 }}
{{- end -}}
