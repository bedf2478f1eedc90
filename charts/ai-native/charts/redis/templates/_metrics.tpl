{{/*
redis.metrics.container: the redis_exporter sidecar (metrics.enabled), one item of the pod's
containers. The upstream image's entrypoint, as its own user (metrics.runAsUser), restricted,
read-only root (it writes nothing). It reaches the server over the pod's loopback; the bundled
Redis has no password, one set through extraConfig's requirepass comes from the Secret
metrics.existingSecret names (REDIS_PASSWORD, never in argv or a ConfigMap). The /scrape endpoint
(scraping any address a caller names) is off. Both probes ask /health, which answers without
touching Redis: a Redis that is down shows as redis_up 0, not as a restarting sidecar.
Usage: {{- include "redis.metrics.container" . | nindent 8 }}
*/}}
{{- define "redis.metrics.container" -}}
{{- $metrics := .Values.metrics -}}
{{- $port := int $metrics.port -}}
{{- $http := dict "httpGet" (dict "path" "/health" "port" "http-metrics") "timeoutSeconds" 5 -}}
{{- $liveness := merge (dict "periodSeconds" 20 "failureThreshold" 3) $http -}}
{{- $readiness := merge (dict "periodSeconds" 10 "failureThreshold" 3) $http -}}
- name: metrics
  image: {{ include "ai-native-lib.images.image" (dict "root" . "image" $metrics.image) }}
  imagePullPolicy: {{ $metrics.image.pullPolicy }}
  {{- with $metrics.extraArgs }}
  args:
    {{- range . }}
    - {{ . | quote }}
    {{- end }}
  {{- end }}
  env:
    - name: REDIS_ADDR
      value: {{ printf "redis://127.0.0.1:%d" (int .Values.service.port) | quote }}
    - name: REDIS_EXPORTER_WEB_LISTEN_ADDRESS
      value: {{ printf ":%d" $port | quote }}
    - name: REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT
      value: "true"
    {{- with $metrics.existingSecret }}
    - name: REDIS_PASSWORD
      valueFrom:
        secretKeyRef:
          name: {{ . }}
          key: {{ $metrics.passwordKey }}
    {{- end }}
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
redis.metrics.annotations: the pod's prometheus.io scrape annotations (metrics.enabled).
Usage: {{- include "redis.metrics.annotations" . | nindent 8 }}
*/}}
{{- define "redis.metrics.annotations" -}}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .Values.metrics.port | quote }}
prometheus.io/path: "/metrics"
{{- end -}}
