{{/*
Connection helpers shared by the schema Job and the backup CronJob, which serve the bundled
server (templates/postgresql/) and an external database (postgresql.enabled=false) alike.
*/}}

{{/*
ai-native.database.target: "host|port|database|username" of the database the Job and the
backups talk to (the bundled server's client Service, else externalDatabase), from the common
endpoint helpers the app Secret, the backend and the NetworkPolicies use too.
Usage: {{ include "ai-native.database.target" $ }}
*/}}
{{- define "ai-native.database.target" -}}
{{- $parts := list (include "ai-native.database.host" .) (include "ai-native.database.port" .) -}}
{{- $parts = concat $parts (list (include "ai-native.database.name" .) (include "ai-native.database.user" .)) -}}
{{- join "|" $parts -}}
{{- end -}}

{{/*
ai-native.database.passwordKeyRef: the secretKeyRef body of the database password:
externalDatabase.existingSecret/passwordKey for an external database that has one, else
POSTGRES_PASSWORD of the app Secret (secrets.existingSecret or the generated one, which holds
the bundled server's password or externalDatabase.password).
Usage: secretKeyRef: {{- include "ai-native.database.passwordKeyRef" $ | nindent 18 }}
*/}}
{{- define "ai-native.database.passwordKeyRef" -}}
{{- if and (not .Values.postgresql.enabled) .Values.externalDatabase.existingSecret -}}
name: {{ .Values.externalDatabase.existingSecret }}
key: {{ .Values.externalDatabase.passwordKey }}
{{- else -}}
name: {{ include "ai-native.names.appSecret" . }}
key: POSTGRES_PASSWORD
{{- end -}}
{{- end -}}

{{/*
ai-native.database.clientEnv: the libpq environment (PGHOST, PGPORT, PGDATABASE, PGUSER,
PGPASSWORD, PGCONNECT_TIMEOUT, PGAPPNAME) of a client container.
Usage: env: {{- include "ai-native.database.clientEnv" (dict "root" $ "app" "db-schema") | nindent 12 }}
*/}}
{{- define "ai-native.database.clientEnv" -}}
{{- $target := split "|" (include "ai-native.database.target" .root) -}}
- name: PGHOST
  value: {{ $target._0 | quote }}
- name: PGPORT
  value: {{ $target._1 | quote }}
- name: PGDATABASE
  value: {{ $target._2 | quote }}
- name: PGUSER
  value: {{ $target._3 | quote }}
- name: PGPASSWORD
  valueFrom:
    secretKeyRef:
      {{- include "ai-native.database.passwordKeyRef" .root | nindent 6 }}
- name: PGCONNECT_TIMEOUT
  value: "10"
- name: PGAPPNAME
  value: {{ printf "%s-%s" (include "ai-native.names.platform" .root) .app | quote }}
- name: HOME
  value: /tmp
{{- end -}}

{{/*
ai-native.database.schemaFiles: the data of the schema ConfigMap (the SQL files in the order
they run, and the runner script), as YAML. Also hashed into the Job's name. Mode `app`: the
database and its grants only; mode `bundled`: also the app's tables (and the sample data).
Usage: {{ include "ai-native.database.schemaFiles" $ }}
*/}}
{{- define "ai-native.database.schemaFiles" -}}
{{- $schema := .Values.postgresql.schema -}}
00-database.sql: |
  {{- .Files.Get "files/sql/00-database.sql" | trimSuffix "\n" | nindent 2 }}
{{- if eq $schema.mode "bundled" }}
01-schema.sql: |
  {{- .Files.Get "files/sql/01-schema.sql" | trimSuffix "\n" | nindent 2 }}
{{- end }}
{{- if and (eq $schema.mode "bundled") $schema.sampleData }}
02-sample-data.sql: |
  {{- .Files.Get "files/sql/02-sample-data.sql" | trimSuffix "\n" | nindent 2 }}
{{- end }}
db-schema.sh: |
  {{- .Files.Get "files/scripts/db-schema.sh" | trimSuffix "\n" | nindent 2 }}
{{- end -}}

{{/*
ai-native.database.jobName: "<platform>-<job>-<hash of the Job's spec>". A Job's pod template is
immutable: a Job whose spec changes must get a new name, or Helm's patch fails (upgrade, and
Helm 3's rollback over a leftover Job). Hashing the whole rendered spec, not the revision, keeps
an unchanged Job's name stable, so a no-op upgrade changes nothing.
Usage: {{ include "ai-native.database.jobName" (dict "root" $ "job" "db-schema" "spec" $spec) }}
*/}}
{{- define "ai-native.database.jobName" -}}
{{- $suffix := printf "-%s-%s" .job (.spec | sha256sum | trunc 10) -}}
{{- $platform := include "ai-native.names.platform" .root | trunc (int (sub 63 (len $suffix))) | trimSuffix "-" -}}
{{- printf "%s%s" $platform $suffix -}}
{{- end -}}

{{/*
ai-native.database.schemaJob: whether the plain db-schema Job (and its ConfigMap) renders:
schema modes `app` and `bundled`; mode `command` runs the app's migrations instead.
Usage: {{- if include "ai-native.database.schemaJob" $ }}
*/}}
{{- define "ai-native.database.schemaJob" -}}
{{- if and .Values.postgresql.schema.enabled (ne .Values.postgresql.schema.mode "command") -}}
true
{{- end -}}
{{- end -}}

{{/*
ai-native.database.migrationJob: whether the migration hook Job renders (schema mode `command`).
Usage: {{- if include "ai-native.database.migrationJob" $ }}
*/}}
{{- define "ai-native.database.migrationJob" -}}
{{- if and .Values.postgresql.schema.enabled (eq .Values.postgresql.schema.mode "command") -}}
true
{{- end -}}
{{- end -}}

{{/*
ai-native.validate.sampleData: the sample data needs the chart's tables (schema mode `bundled`):
in mode `app` the tables do not exist yet when the Job runs, in mode `command` no SQL runs.
Usage: {{ include "ai-native.validate.sampleData" $ }}
*/}}
{{- define "ai-native.validate.sampleData" -}}
{{- $schema := .Values.postgresql.schema -}}
{{- if and $schema.enabled $schema.sampleData (ne $schema.mode "bundled") -}}
{{- $tables := ternary "the app's migrations'" "created by the app after the Job ran" (eq $schema.mode "command") -}}
postgresql.schema.sampleData: true needs the chart's tables, but postgresql.schema.mode is
{{ $schema.mode | quote }} (the tables are {{ $tables }}); set postgresql.schema.mode=bundled or
postgresql.schema.sampleData=false.
{{- end -}}
{{- end -}}
