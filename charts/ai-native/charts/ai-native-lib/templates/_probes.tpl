{{/*
ai-native-lib.probes.probe: a probe body from a handler and timings.
Parameters: httpGet (dict path port) or exec (list command) or tcpSocket (dict port);
initialDelaySeconds (0), periodSeconds (10), timeoutSeconds (3), failureThreshold (3),
successThreshold (1).
Usage: {{- $http := dict "httpGet" (dict "path" "/x" "port" "http") }}
  livenessProbe: {{- include "ai-native-lib.probes.probe" $http | nindent 12 }}
*/}}
{{- define "ai-native-lib.probes.probe" -}}
{{- $probe := dict -}}
{{- if .httpGet -}}
{{- $_ := set $probe "httpGet" (dict "path" .httpGet.path "port" .httpGet.port) -}}
{{- else if .exec -}}
{{- $_ := set $probe "exec" (dict "command" .exec) -}}
{{- else if .tcpSocket -}}
{{- $_ := set $probe "tcpSocket" (dict "port" .tcpSocket.port) -}}
{{- end -}}
{{- $_ := set $probe "initialDelaySeconds" (.initialDelaySeconds | default 0) -}}
{{- $_ := set $probe "periodSeconds" (.periodSeconds | default 10) -}}
{{- $_ := set $probe "timeoutSeconds" (.timeoutSeconds | default 3) -}}
{{- $_ := set $probe "failureThreshold" (.failureThreshold | default 3) -}}
{{- $_ := set $probe "successThreshold" (.successThreshold | default 1) -}}
{{- toYaml $probe -}}
{{- end -}}
