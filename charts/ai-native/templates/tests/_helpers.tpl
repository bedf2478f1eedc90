{{/*
ai-native.testContainer: one `helm test` check as a container running one shell script,
restricted like every other container. The checks share one pod (tests/test-pod.yaml) so they
run at once and helm test schedules, waits for and deletes a single pod.
dict root name image (an image dict) script env (optional list) runAsUser (optional)
*/}}
{{- define "ai-native.testContainer" -}}
- name: {{ .name }}
  image: {{ include "common.images.image" (dict "root" .root "image" .image) | quote }}
  imagePullPolicy: {{ .image.pullPolicy | default "IfNotPresent" }}
  command: ["sh", "-ec"]
  args:
    - {{ .script | quote }}
  {{- with .env }}
  env: {{- toYaml . | nindent 4 }}
  {{- end }}
  resources:
    requests: {cpu: 10m, memory: 32Mi}
    limits: {cpu: 200m, memory: 64Mi}
  securityContext: {{- include "common.securityContext.container" (dict "runAsUser" (.runAsUser | default 65532)) | nindent 4 }}
{{- end -}}

{{/* ai-native.test.api: the API's ping and health endpoints answer through the backend Service. */}}
{{- define "ai-native.test.api" -}}
{{- $url := printf "http://%s:8000" (include "common.names.component" (dict "root" . "component" "backend")) }}
{{- $curl := "curl -fsS --max-time 10 --retry 5 --retry-all-errors --retry-delay 3" }}
{{- $script := printf "%s %s/api/v1/health/ping && echo && %s %s/api/v1/health && echo" $curl $url $curl $url }}
{{- include "ai-native.testContainer" (dict "root" . "name" "api" "image" .Values.tests.images.curl "script" $script "runAsUser" 100) }}
{{- end -}}

{{/* ai-native.test.postgresql: PostgreSQL (bundled or external) accepts connections. */}}
{{- define "ai-native.test.postgresql" -}}
{{- $script := printf "pg_isready -t 30 -h %s -p %s -d %s -U %s" (include "common.database.host" .) (include "common.database.port" .) (include "common.database.name" .) (include "common.database.user" .) }}
{{- include "ai-native.testContainer" (dict "root" . "name" "postgresql" "image" .Values.postgresql.image "script" $script "runAsUser" .Values.postgresql.runAsUser) }}
{{- end -}}

{{/* ai-native.test.redis: Redis (bundled or external) answers PING, authenticated like the backend. */}}
{{- define "ai-native.test.redis" -}}
{{- $env := list }}
{{- if and (not .Values.secrets.existingSecret) (not .Values.redis.enabled) .Values.externalRedis.existingSecret }}
{{- $env = list (dict "name" "REDIS_PASSWORD" "valueFrom" (dict "secretKeyRef" (dict "name" .Values.externalRedis.existingSecret "key" .Values.externalRedis.passwordKey))) (dict "name" "REDIS_URL" "value" (printf "redis://:$(REDIS_PASSWORD)@%s:%s/%s" (include "common.redis.host" .) (include "common.redis.port" .) (include "common.redis.database" .))) }}
{{- else }}
{{- $env = list (dict "name" "REDIS_URL" "valueFrom" (dict "secretKeyRef" (dict "name" (include "common.names.appSecret" .) "key" "REDIS_URL"))) }}
{{- end }}
{{- $script := "test \"$(redis-cli --no-auth-warning -u \"$REDIS_URL\" ping)\" = PONG && echo PONG" }}
{{- include "ai-native.testContainer" (dict "root" . "name" "redis" "image" .Values.tests.images.redis "script" $script "env" $env) }}
{{- end -}}
