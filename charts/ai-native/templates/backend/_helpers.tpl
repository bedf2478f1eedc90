{{/*
ai-native.backend.env: env entries that complete or override the app Secret.
With externalDatabase.existingSecret (and no secrets.existingSecret) the password is read from
that Secret and DATABASE_URL is assembled by Kubernetes' `$(VAR)` expansion at container start:
no lookup at render time, so `helm template` and GitOps renders stay correct, and a rotated
password reaches the pods on their next restart. The price: `$(VAR)` cannot percent-encode, so
that password must be URL-safe. The same holds for externalRedis.existingSecret and REDIS_URL.
*/}}
{{- define "ai-native.backend.env" -}}
{{- if not .Values.secrets.existingSecret -}}
{{- if and (not .Values.postgresql.enabled) .Values.externalDatabase.existingSecret }}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.externalDatabase.existingSecret }}
      key: {{ .Values.externalDatabase.passwordKey }}
- name: DATABASE_URL
  {{- $user := include "ai-native-lib.urlencode" (include "ai-native.database.user" .) }}
  value: {{ printf "postgresql://%s:$(DATABASE_PASSWORD)@%s" $user (include "ai-native.database.hostPart" .) | quote }}
{{- end }}
{{- if and (not .Values.redis.enabled) .Values.externalRedis.host .Values.externalRedis.existingSecret }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.externalRedis.existingSecret }}
      key: {{ .Values.externalRedis.passwordKey }}
- name: REDIS_URL
  value: {{ printf "redis://:$(REDIS_PASSWORD)@%s" (include "ai-native.redis.hostPart" .) | quote }}
{{- end }}
{{- end }}
{{- with .Values.backend.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
ai-native.backend.waitContainer: an init container that waits, bounded by
backend.waitForDependencies.timeoutSeconds, until host:port accepts TCP connections.
*/}}
{{- define "ai-native.backend.waitContainer" -}}
{{- $wait := .root.Values.backend.waitForDependencies -}}
- name: {{ .name }}
  image: {{ include "ai-native.image" (dict "root" .root "image" $wait.image) | quote }}
  imagePullPolicy: {{ $wait.image.pullPolicy | default "IfNotPresent" }}
  command: ["sh", "-c"]
  args:
    - |
      deadline=$(( $(date +%s) + {{ $wait.timeoutSeconds }} ))
      until nc -z -w 2 {{ .host }} {{ .port }}; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
          echo "{{ .host }}:{{ .port }} not reachable after {{ $wait.timeoutSeconds }}s" >&2; exit 1
        fi
        echo "waiting for {{ .host }}:{{ .port }}"; sleep 2
      done
  resources:
    requests: {cpu: 10m, memory: 16Mi}
    limits: {cpu: 100m, memory: 32Mi}
  securityContext: {{- include "ai-native-lib.securityContext.container" dict | nindent 4 }}
{{- end -}}
