{{/*
frontend.deployment: the frontend Deployment (unprivileged nginx on 8080), rendered from the
umbrella root ($ = umbrella); component values are .Values.frontend.
*/}}
{{- define "frontend.deployment" -}}
{{- $ctx := dict "root" . "component" "frontend" -}}
{{- $v := .Values.frontend -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "common.names.component" $ctx }}
  namespace: {{ .Release.Namespace }}
  labels: {{- include "common.labels.standard" $ctx | nindent 4 }}
spec:
  replicas: {{ $v.replicaCount }}
  revisionHistoryLimit: 10
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}
  selector:
    matchLabels: {{- include "common.labels.selector" $ctx | nindent 6 }}
  template:
    metadata:
      labels: {{- include "common.labels.standard" $ctx | nindent 8 }}
      {{- with $v.podAnnotations }}
      annotations: {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      automountServiceAccountToken: false
      enableServiceLinks: false
      {{- with include "common.images.pullSecrets" . }}{{ . | nindent 6 }}{{ end }}
      securityContext: {{- include "common.securityContext.pod" (dict "runAsUser" $v.runAsUser) | nindent 8 }}
      {{- with include "common.affinity.podAnti" (merge (dict "preset" $v.podAntiAffinityPreset) $ctx) }}
      affinity: {{- . | nindent 8 }}
      {{- end }}
      {{- with include "common.scheduling" (dict "root" $ "values" $v) }}{{ . | nindent 6 }}{{- end }}
      containers:
        - name: frontend
          image: {{ include "common.images.image" $ctx | quote }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          startupProbe: {{- include "common.probes.probe" (dict "httpGet" (dict "path" "/" "port" "http") "periodSeconds" 5 "failureThreshold" 24) | nindent 12 }}
          livenessProbe: {{- include "common.probes.probe" (dict "httpGet" (dict "path" "/" "port" "http")) | nindent 12 }}
          readinessProbe: {{- include "common.probes.probe" (dict "httpGet" (dict "path" "/" "port" "http") "periodSeconds" 5) | nindent 12 }}
          resources: {{- toYaml $v.resources | nindent 12 }}
          securityContext: {{- include "common.securityContext.container" dict | nindent 12 }}
          volumeMounts:
            # nginx-unprivileged writes its pid file and caches under /tmp.
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir: {sizeLimit: 128Mi}
{{- end -}}
