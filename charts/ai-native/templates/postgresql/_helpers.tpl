{{/*
Names and labels of the bundled PostgreSQL's objects. PostgreSQL lives in the umbrella (not in a
subchart) because its password is POSTGRES_PASSWORD of the app Secret, whose name is an umbrella
key (secrets.existingSecret): see docs/chart-layout.md.
*/}}

{{/*
ai-native.postgresql.fullname: the name of every object of the server, "<platform>-postgresql",
the host the app's configuration points at (ai-native.database.host).
Usage: {{ include "ai-native.postgresql.fullname" . }}
*/}}
{{- define "ai-native.postgresql.fullname" -}}
{{- include "ai-native.names.component" (dict "root" . "component" "postgresql") -}}
{{- end -}}

{{/*
ai-native.postgresql.labels: every label of the server's objects (component postgresql).
Usage: {{ include "ai-native.postgresql.labels" . | nindent 4 }}
*/}}
{{- define "ai-native.postgresql.labels" -}}
{{- include "ai-native.labels.standard" (dict "root" . "component" "postgresql") -}}
{{- end -}}

{{/*
ai-native.postgresql.selectorLabels: the immutable selector labels (name and instance).
Usage: {{ include "ai-native.postgresql.selectorLabels" . | nindent 6 }}
*/}}
{{- define "ai-native.postgresql.selectorLabels" -}}
{{- include "ai-native-lib.labels.selector" (dict "root" . "component" "postgresql") -}}
{{- end -}}
