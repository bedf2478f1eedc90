{{/*
redis.statefulset: one Redis server (official redis image) loading redis.conf from the ConfigMap,
its append-only file on the volumeClaimTemplate `data` (PVC `data-<platform>-redis-0`).
Why a StatefulSet rather than a Deployment with a PVC: a Deployment's rolling update starts the
new pod before the old one stops, so two servers would share one AOF (or the new pod hangs on a
ReadWriteOnce volume still attached elsewhere); a StatefulSet replaces its pod one at a time, owns
its claim through the volumeClaimTemplate and, like PostgreSQL, keeps it on uninstall
(persistentVolumeClaimRetentionPolicy Retain).
Restricted pod: runs as the image's redis user (runAsUser, fsGroup for the volume), read-only root
filesystem; Redis writes only to /data. The pod rolls when redis.conf changes (checksum).
Usage (umbrella templates/redis/statefulset.yaml): {{ include "redis.statefulset" . }}
*/}}
{{- define "redis.statefulset" -}}
{{- $ctx := dict "root" . "component" "redis" -}}
{{- $values := .Values.redis -}}
{{- $port := int $values.service.port -}}
{{- $ping := list "sh" "-c" (printf "test \"$(redis-cli -h 127.0.0.1 -p %d ping)\" = PONG" $port) -}}
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ include "common.names.component" $ctx }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "common.labels.standard" $ctx | nindent 4 }}
spec:
  replicas: 1
  serviceName: {{ include "common.names.component" $ctx }}-headless
  podManagementPolicy: OrderedReady
  updateStrategy:
    type: RollingUpdate
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Retain
    whenScaled: Retain
  selector:
    matchLabels:
      {{- include "common.labels.selector" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "common.labels.standard" $ctx | nindent 8 }}
      annotations:
        checksum/config: {{ include "redis.conf" . | sha256sum }}
        {{- with $values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      automountServiceAccountToken: false
      enableServiceLinks: false
      {{- with include "common.images.pullSecrets" . }}{{ . | trim | nindent 6 }}{{- end }}
      securityContext:
        {{- include "common.securityContext.pod" (dict "runAsUser" (int $values.runAsUser)) | nindent 8 }}
      terminationGracePeriodSeconds: 30
      {{- with include "common.scheduling" (dict "root" $ "values" $values) }}{{ . | nindent 6 }}{{- end }}
      {{- with $values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: redis
          image: {{ include "common.images.image" $ctx }}
          imagePullPolicy: {{ $values.image.pullPolicy }}
          command: ["redis-server", "/usr/local/etc/redis/redis.conf", "--dir", "/data"]
          ports:
            - name: tcp-redis
              containerPort: {{ $port }}
              protocol: TCP
          # Loading a large AOF answers PING with LOADING: the startup probe gives it time before
          # liveness may restart the server.
          startupProbe:
            {{- include "common.probes.probe" (dict "exec" $ping "periodSeconds" 5 "timeoutSeconds" 3 "failureThreshold" 60) | trim | nindent 12 }}
          livenessProbe:
            {{- include "common.probes.probe" (dict "exec" $ping "periodSeconds" 10 "timeoutSeconds" 3 "failureThreshold" 6) | trim | nindent 12 }}
          readinessProbe:
            {{- include "common.probes.probe" (dict "exec" $ping "periodSeconds" 5 "timeoutSeconds" 3 "failureThreshold" 3) | trim | nindent 12 }}
          resources:
            {{- toYaml $values.resources | nindent 12 }}
          securityContext:
            {{- include "common.securityContext.container" (dict "runAsUser" (int $values.runAsUser)) | nindent 12 }}
          volumeMounts:
            - name: data
              mountPath: /data
            - name: config
              mountPath: /usr/local/etc/redis
              readOnly: true
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: config
          configMap:
            name: {{ include "common.names.component" $ctx }}
        - name: tmp
          emptyDir: {}
        {{- if not $values.persistence.enabled }}
        - name: data
          emptyDir: {}
        {{- end }}
  {{- if $values.persistence.enabled }}
  volumeClaimTemplates:
    - apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: data
        labels:
          {{- include "common.labels.selector" $ctx | nindent 10 }}
      spec:
        accessModes:
          {{- toYaml $values.persistence.accessModes | nindent 10 }}
        {{- with include "redis.storageClassName" (dict "root" . "persistence" $values.persistence) }}{{ . | trim | nindent 8 }}{{- end }}
        resources:
          requests:
            storage: {{ $values.persistence.size }}
  {{- end }}
{{- end -}}
