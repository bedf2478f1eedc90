{{/*
postgresql.statefulset: one PostgreSQL server (official postgres image) with its data on the
volumeClaimTemplate `data` (PVC `data-<platform>-postgresql-0`).
- The password is POSTGRES_PASSWORD of the app Secret; the image's entrypoint uses it only to
  initialise an empty volume, so later password changes must be made with ALTER ROLE.
- Restricted pod: runs as the image's postgres user (runAsUser, fsGroup so the volume is
  writable), read-only root filesystem; PGDATA is a subdirectory of the volume (initdb wants an
  empty directory, a fresh volume may hold lost+found); /var/run/postgresql, /tmp and /dev/shm
  are emptyDirs.
- Selector and volumeClaimTemplate labels are name + instance only: an upgrade never touches
  these immutable fields. The PVC is kept when the StatefulSet is deleted or scaled down
  (persistentVolumeClaimRetentionPolicy Retain), so `helm uninstall` keeps the data.
- Kubernetes stops containers with SIGTERM, which PostgreSQL treats as a "smart" shutdown that
  waits for every client (the backend's pools never leave): the preStop hook does a fast shutdown
  instead, so the server stops cleanly within the grace period rather than being killed.
Usage (umbrella templates/postgresql/statefulset.yaml): {{ include "postgresql.statefulset" . }}
*/}}
{{- define "postgresql.statefulset" -}}
{{- $ctx := dict "root" . "component" "postgresql" -}}
{{- $values := .Values.postgresql -}}
{{- $port := int $values.service.port -}}
{{- $isReady := list "pg_isready" "--quiet" "--host=127.0.0.1" (printf "--port=%d" $port) (printf "--username=%s" $values.auth.username) (printf "--dbname=%s" $values.auth.database) -}}
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
      {{- with $values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      automountServiceAccountToken: false
      enableServiceLinks: false
      {{- with include "common.images.pullSecrets" . }}{{ . | trim | nindent 6 }}{{- end }}
      securityContext:
        {{- include "common.securityContext.pod" (dict "runAsUser" (int $values.runAsUser)) | nindent 8 }}
      terminationGracePeriodSeconds: 60
      {{- with include "common.scheduling" (dict "root" $ "values" $values) }}{{ . | nindent 6 }}{{- end }}
      {{- with $values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: postgresql
          image: {{ include "common.images.image" $ctx }}
          imagePullPolicy: {{ $values.image.pullPolicy }}
          {{- with $values.parameters }}
          args:
            {{- range $name, $value := . }}
            - "-c"
            - {{ printf "%s=%v" $name $value | quote }}
            {{- end }}
          {{- end }}
          env:
            - name: POSTGRES_USER
              value: {{ $values.auth.username | quote }}
            - name: POSTGRES_DB
              value: {{ $values.auth.database | quote }}
            - name: POSTGRES_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {{ include "common.names.appSecret" . }}
                  key: POSTGRES_PASSWORD
            - name: PGDATA
              value: /var/lib/postgresql/data/pgdata
            - name: PGPORT
              value: {{ $port | quote }}
          ports:
            - name: tcp-postgresql
              containerPort: {{ $port }}
              protocol: TCP
          startupProbe:
            {{- include "common.probes.probe" (dict "exec" $isReady "periodSeconds" 10 "timeoutSeconds" 5 "failureThreshold" 60) | trim | nindent 12 }}
          livenessProbe:
            {{- include "common.probes.probe" (dict "exec" $isReady "periodSeconds" 10 "timeoutSeconds" 5 "failureThreshold" 6) | trim | nindent 12 }}
          readinessProbe:
            {{- include "common.probes.probe" (dict "exec" $isReady "periodSeconds" 5 "timeoutSeconds" 5 "failureThreshold" 3) | trim | nindent 12 }}
          lifecycle:
            preStop:
              exec:
                command: ["sh", "-c", "pg_ctl stop --pgdata=\"$PGDATA\" --mode=fast --wait --timeout=50"]
          resources:
            {{- toYaml $values.resources | nindent 12 }}
          securityContext:
            {{- include "common.securityContext.container" (dict "runAsUser" (int $values.runAsUser)) | nindent 12 }}
          volumeMounts:
            - name: data
              mountPath: /var/lib/postgresql/data
            - name: run
              mountPath: /var/run/postgresql
            - name: tmp
              mountPath: /tmp
            - name: dshm
              mountPath: /dev/shm
      volumes:
        - name: run
          emptyDir: {}
        - name: tmp
          emptyDir: {}
        - name: dshm
          emptyDir:
            medium: Memory
            sizeLimit: {{ $values.shmSizeLimit }}
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
        {{- with include "postgresql.storageClassName" (dict "root" . "persistence" $values.persistence) }}{{ . | trim | nindent 8 }}{{- end }}
        resources:
          requests:
            storage: {{ $values.persistence.size }}
  {{- end }}
{{- end -}}
