{{/*
ai-native.postgresql.metrics.container: the postgres_exporter sidecar (postgresql.metrics.enabled),
one item of the server pod's containers. The upstream image's entrypoint, as its own user
(postgresql.metrics.runAsUser; the pod's group), restricted, read-only root (it writes nothing).
It reaches the server over the pod's loopback as postgresql.auth.username; the password is
POSTGRES_PASSWORD of the app Secret (secrets.existingSecret, else `<platform>-secrets`: the one
the server reads) as DATA_SOURCE_PASS (the exporter escapes it into the DSN itself), never in argv
or a ConfigMap. Both probes ask the landing page, which answers without touching the database: a
database that is down shows as pg_up 0 in the scrape, not as a restarting sidecar.
Usage: {{- include "ai-native.postgresql.metrics.container" . | nindent 8 }}
*/}}
{{- define "ai-native.postgresql.metrics.container" -}}
{{- $values := .Values.postgresql -}}
{{- $metrics := $values.metrics -}}
{{- $port := int $metrics.port -}}
{{- $http := dict "httpGet" (dict "path" "/" "port" "http-metrics") "timeoutSeconds" 5 -}}
{{- $liveness := merge (dict "periodSeconds" 20 "failureThreshold" 3) $http -}}
{{- $readiness := merge (dict "periodSeconds" 10 "failureThreshold" 3) $http -}}
{{- $uri := printf "127.0.0.1:%d/%s?sslmode=disable" (int $values.service.port) $values.auth.database -}}
- name: metrics
  image: {{ include "ai-native-lib.images.image" (dict "root" . "image" $metrics.image) }}
  imagePullPolicy: {{ $metrics.image.pullPolicy }}
  args:
    - {{ printf "--web.listen-address=:%d" $port | quote }}
    {{- range $metrics.extraArgs }}
    - {{ . | quote }}
    {{- end }}
  env:
    - name: DATA_SOURCE_URI
      value: {{ $uri | quote }}
    - name: DATA_SOURCE_USER
      value: {{ $values.auth.username | quote }}
    - name: DATA_SOURCE_PASS
      valueFrom:
        secretKeyRef:
          name: {{ include "ai-native.names.appSecret" . }}
          key: POSTGRES_PASSWORD
  ports:
    - name: http-metrics
      containerPort: {{ $port }}
      protocol: TCP
  livenessProbe:
    {{- include "ai-native-lib.probes.probe" $liveness | trim | nindent 4 }}
  readinessProbe:
    {{- include "ai-native-lib.probes.probe" $readiness | trim | nindent 4 }}
  resources:
    {{- toYaml $metrics.resources | nindent 4 }}
  securityContext:
    {{- include "ai-native-lib.securityContext.container" (dict "runAsUser" (int $metrics.runAsUser)) | nindent 4 }}
    runAsGroup: {{ int $metrics.runAsUser }}
{{- end -}}

{{/*
ai-native.postgresql.metrics.annotations: the server pod's prometheus.io scrape annotations
(postgresql.metrics.enabled).
Usage: {{- include "ai-native.postgresql.metrics.annotations" . | nindent 8 }}
*/}}
{{- define "ai-native.postgresql.metrics.annotations" -}}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .Values.postgresql.metrics.port | quote }}
prometheus.io/path: "/metrics"
{{- end -}}
