{{/*
backend.deployment: the backend Deployment, rendered from the umbrella root ($ = umbrella).
Component values: .Values.backend; platform keys: .Values.config, .Values.secrets, ...
*/}}
{{- define "backend.deployment" -}}
{{- $ctx := dict "root" . "component" "backend" -}}
{{- $v := .Values.backend -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "common.names.component" $ctx }}
  namespace: {{ .Release.Namespace }}
  labels: {{- include "common.labels.standard" $ctx | nindent 4 }}
spec:
  {{- if not $v.autoscaling.enabled }}
  replicas: {{ $v.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 10
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}
  selector:
    matchLabels: {{- include "common.labels.selector" $ctx | nindent 6 }}
  template:
    metadata:
      labels: {{- include "common.labels.standard" $ctx | nindent 8 }}
      annotations:
        checksum/config: {{ include "ai-native.config.data" . | sha256sum }}
        {{- if $v.metrics.enabled }}
        prometheus.io/scrape: "true"
        prometheus.io/port: "8000"
        prometheus.io/path: {{ $v.metrics.path | quote }}
        {{- end }}
        {{- with $v.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      automountServiceAccountToken: false
      enableServiceLinks: false
      {{- with include "common.images.pullSecrets" . }}{{ . | nindent 6 }}{{ end }}
      securityContext: {{- include "common.securityContext.pod" (dict "runAsUser" $v.runAsUser) | nindent 8 }}
      {{- with include "common.affinity.podAnti" (merge (dict "preset" $v.podAntiAffinityPreset) $ctx) }}
      affinity: {{- . | nindent 8 }}
      {{- end }}
      {{- if $v.topologySpread.enabled }}
      topologySpreadConstraints:
        - maxSkew: {{ $v.topologySpread.maxSkew }}
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: {{ $v.topologySpread.whenUnsatisfiable }}
          labelSelector:
            matchLabels: {{- include "common.labels.selector" $ctx | nindent 14 }}
      {{- end }}
      {{- with include "common.scheduling" (dict "root" $ "values" $v) }}{{ . | nindent 6 }}{{- end }}
      {{- if $v.waitForDependencies.enabled }}
      initContainers:
        {{- include "backend.waitContainer" (dict "root" . "name" "wait-for-postgresql" "host" (include "common.database.host" .) "port" (include "common.database.port" .)) | nindent 8 }}
        {{- if include "ai-native.redis.used" . }}
        {{- include "backend.waitContainer" (dict "root" . "name" "wait-for-redis" "host" (include "common.redis.host" .) "port" (include "common.redis.port" .)) | nindent 8 }}
        {{- end }}
      {{- end }}
      containers:
        - name: backend
          image: {{ include "common.images.image" $ctx | quote }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          ports:
            - name: http
              containerPort: 8000
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "common.names.appConfig" . }}
            - secretRef:
                name: {{ include "common.names.appSecret" . }}
          {{- $env := include "backend.env" . }}
          {{- if $env }}
          env: {{- $env | nindent 12 }}
          {{- end }}
          {{- /* The app's own endpoints: /live answers while the process runs, /ready once
          PostgreSQL answers SELECT 1. The startup probe gives the start (imports, create_all of
          the app's tables) up to 5s x 36 = 3 minutes before liveness takes over. */}}
          {{- $live := dict "path" "/api/v1/health/live" "port" "http" }}
          {{- $ready := dict "path" "/api/v1/health/ready" "port" "http" }}
          {{- $startup := dict "httpGet" $live "periodSeconds" 5 "failureThreshold" 36 }}
          {{- $liveness := dict "httpGet" $live "periodSeconds" 10 "failureThreshold" 3 }}
          {{- $readiness := dict "httpGet" $ready "periodSeconds" 10 "timeoutSeconds" 5 "failureThreshold" 3 }}
          startupProbe: {{- include "common.probes.probe" $startup | nindent 12 }}
          livenessProbe: {{- include "common.probes.probe" $liveness | nindent 12 }}
          readinessProbe: {{- include "common.probes.probe" $readiness | nindent 12 }}
          resources: {{- toYaml $v.resources | nindent 12 }}
          securityContext: {{- include "common.securityContext.container" dict | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir: {sizeLimit: 256Mi}
{{- end -}}

{{/*
backend.env: env entries that complete or override the app Secret.
With externalDatabase.existingSecret (and no secrets.existingSecret) the password is read from
that Secret and DATABASE_URL is assembled by Kubernetes' `$(VAR)` expansion at container start:
no lookup at render time, so `helm template` and GitOps renders stay correct, and a rotated
password reaches the pods on their next restart. The price: `$(VAR)` cannot percent-encode, so
that password must be URL-safe. The same holds for externalRedis.existingSecret and REDIS_URL.
*/}}
{{- define "backend.env" -}}
{{- if not .Values.secrets.existingSecret -}}
{{- if and (not .Values.postgresql.enabled) .Values.externalDatabase.existingSecret }}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.externalDatabase.existingSecret }}
      key: {{ .Values.externalDatabase.passwordKey }}
- name: DATABASE_URL
  value: {{ printf "postgresql://%s:$(DATABASE_PASSWORD)@%s:%s/%s" (include "common.urlencode" (include "common.database.user" .)) (include "common.database.host" .) (include "common.database.port" .) (include "common.database.name" .) | quote }}
{{- end }}
{{- if and (not .Values.redis.enabled) .Values.externalRedis.host .Values.externalRedis.existingSecret }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.externalRedis.existingSecret }}
      key: {{ .Values.externalRedis.passwordKey }}
- name: REDIS_URL
  value: {{ printf "redis://:$(REDIS_PASSWORD)@%s:%s/%s" (include "common.redis.host" .) (include "common.redis.port" .) (include "common.redis.database" .) | quote }}
{{- end }}
{{- end }}
{{- with .Values.backend.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
backend.waitContainer: an init container that waits, bounded by
backend.waitForDependencies.timeoutSeconds, until host:port accepts TCP connections.
*/}}
{{- define "backend.waitContainer" -}}
{{- $wait := .root.Values.backend.waitForDependencies -}}
- name: {{ .name }}
  image: {{ include "common.images.image" (dict "root" .root "image" $wait.image) | quote }}
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
  securityContext: {{- include "common.securityContext.container" dict | nindent 4 }}
{{- end -}}
