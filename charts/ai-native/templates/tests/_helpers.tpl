{{/*
ai-native.testContainer: one `helm test` check as a container running one shell script,
restricted like every other container. The checks share one pod (tests/test-pod.yaml) so they
run at once and helm test schedules, waits for and deletes a single pod.
dict root name image (an image dict) script env (optional list) runAsUser (optional)
*/}}
{{- define "ai-native.testContainer" -}}
{{- $runAs := dict "runAsUser" (.runAsUser | default 65532) -}}
- name: {{ .name }}
  image: {{ include "ai-native.image" (dict "root" .root "image" .image) | quote }}
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
  securityContext: {{- include "ai-native-lib.securityContext.container" $runAs | nindent 4 }}
{{- end -}}

{{/* ai-native.test.api: through the backend Service, the API answers ping and is ready
(/api/v1/health/ready: 200 only while PostgreSQL answers the app). */}}
{{- define "ai-native.test.api" -}}
{{- $url := printf "http://%s:8000" (include "ai-native.names.component" (dict "root" . "component" "backend")) }}
{{- $curl := "curl -fsS --max-time 10 --retry 5 --retry-all-errors --retry-delay 3" }}
{{- $script := printf "%s %s/api/v1/health/ping && echo && %s %s/api/v1/health/ready && echo"
  $curl $url $curl $url }}
{{- $check := dict "name" "api" "image" .Values.tests.images.curl "script" $script "runAsUser" 100 }}
{{- include "ai-native.testContainer" (merge (dict "root" .) $check) }}
{{- end -}}

{{/* ai-native.test.postgresql: PostgreSQL (bundled or external) accepts connections. */}}
{{- define "ai-native.test.postgresql" -}}
{{- $target := split "|" (include "ai-native.database.target" .) }}
{{- $script := printf "pg_isready -t 30 -h %s -p %s -d %s -U %s"
  $target._0 $target._1 $target._2 $target._3 }}
{{- $check := dict "name" "postgresql" "image" .Values.postgresql.image "script" $script }}
{{- $_ := set $check "runAsUser" .Values.postgresql.runAsUser }}
{{- include "ai-native.testContainer" (merge (dict "root" .) $check) }}
{{- end -}}

{{/* ai-native.test.redis: Redis (bundled or external) answers PING, authenticated like the backend. */}}
{{- define "ai-native.test.redis" -}}
{{- $external := .Values.externalRedis }}
{{- $env := list }}
{{- if and (not .Values.secrets.existingSecret) (not .Values.redis.enabled) $external.existingSecret }}
{{- $password := dict "name" $external.existingSecret "key" $external.passwordKey }}
{{- $url := printf "redis://:$(REDIS_PASSWORD)@%s" (include "ai-native.redis.hostPart" .) }}
{{- $env = list
  (dict "name" "REDIS_PASSWORD" "valueFrom" (dict "secretKeyRef" $password))
  (dict "name" "REDIS_URL" "value" $url) }}
{{- else }}
{{- $url := dict "name" (include "ai-native.names.appSecret" .) "key" "REDIS_URL" }}
{{- $env = list (dict "name" "REDIS_URL" "valueFrom" (dict "secretKeyRef" $url)) }}
{{- end }}
{{- $script := "test \"$(redis-cli --no-auth-warning -u \"$REDIS_URL\" ping)\" = PONG && echo PONG" }}
{{- $check := dict "name" "redis" "image" .Values.tests.images.redis "script" $script "env" $env }}
{{- include "ai-native.testContainer" (merge (dict "root" .) $check) }}
{{- end -}}
