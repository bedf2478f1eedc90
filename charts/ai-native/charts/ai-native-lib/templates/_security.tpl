{{/*
ai-native-lib.securityContext.pod: a Pod Security "restricted" pod securityContext body.
Parameters: runAsUser (default 1000), runAsGroup (default runAsUser), fsGroup (default runAsGroup).
Usage: securityContext: {{- include "ai-native-lib.securityContext.pod" (dict "runAsUser" 999) | nindent 8 }}
*/}}
{{- define "ai-native-lib.securityContext.pod" -}}
{{- $user := .runAsUser | default 1000 -}}
{{- $group := .runAsGroup | default $user -}}
runAsNonRoot: true
runAsUser: {{ $user }}
runAsGroup: {{ $group }}
fsGroup: {{ .fsGroup | default $group }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
ai-native-lib.securityContext.container: a "restricted" container securityContext body: no privilege
escalation, every capability dropped, read-only root filesystem (writable paths are volumes).
Parameters: readOnlyRootFilesystem (default true), runAsUser (optional, repeats the pod's).
Usage: securityContext: {{- include "ai-native-lib.securityContext.container" dict | nindent 12 }}
*/}}
{{- define "ai-native-lib.securityContext.container" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: {{ ternary .readOnlyRootFilesystem true (hasKey . "readOnlyRootFilesystem") }}
runAsNonRoot: true
{{- with .runAsUser }}
runAsUser: {{ . }}
{{- end }}
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}
