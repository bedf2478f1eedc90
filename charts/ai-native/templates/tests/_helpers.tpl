{{/*
ai-native.testPod: a `helm test` pod running one shell check, restricted like every other pod.
dict root name image (an image dict) script env (optional list) runAsUser (optional)
*/}}
{{- define "ai-native.testPod" -}}
{{- $ctx := dict "root" .root "component" "tests" -}}
apiVersion: v1
kind: Pod
metadata:
  name: {{ include "common.names.platform" .root }}-test-{{ .name }}
  namespace: {{ .root.Release.Namespace }}
  labels: {{- include "common.labels.standard" $ctx | nindent 4 }}
  annotations:
    {{- with omit (.root.Values.tests.podAnnotations | default dict) "helm.sh/hook" "helm.sh/hook-delete-policy" }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  enableServiceLinks: false
  {{- with include "common.images.pullSecrets" .root }}{{ . | nindent 2 }}{{ end }}
  securityContext: {{- include "common.securityContext.pod" (dict "runAsUser" (.runAsUser | default 65532)) | nindent 4 }}
  containers:
    - name: {{ .name }}
      image: {{ include "common.images.image" (dict "root" .root "image" .image) | quote }}
      imagePullPolicy: IfNotPresent
      command: ["sh", "-ec"]
      args:
        - {{ .script | quote }}
      {{- with .env }}
      env: {{- toYaml . | nindent 8 }}
      {{- end }}
      resources:
        requests: {cpu: 10m, memory: 32Mi}
        limits: {cpu: 200m, memory: 64Mi}
      securityContext: {{- include "common.securityContext.container" dict | nindent 8 }}
{{- end -}}
