{{/*
ai-native.config.data: the app ConfigMap's data. The backend pod template carries its sha256,
so pods roll when (and only when) the configuration changes.
*/}}
{{- define "ai-native.config.data" -}}
JWT_ALGORITHM: {{ .Values.config.jwt.algorithm | quote }}
JWT_ACCESS_TOKEN_EXPIRE_MINUTES: {{ .Values.config.jwt.accessTokenExpireMinutes | quote }}
LLM_CACHE_BACKEND: {{ .Values.config.llmCacheBackend | quote }}
DB_POOL_SIZE: {{ .Values.config.database.poolSize | quote }}
DB_MAX_OVERFLOW: {{ .Values.config.database.maxOverflow | quote }}
DB_POOL_TIMEOUT: {{ .Values.config.database.poolTimeout | quote }}
DB_POOL_RECYCLE: {{ int64 .Values.config.database.poolRecycle | quote }}
WEB_CONCURRENCY: {{ .Values.backend.processes | quote }}
{{- with .Values.config.llmProvider }}
LLM_PROVIDER: {{ . | quote }}
{{- end }}
{{- with .Values.config.environment }}
ENVIRONMENT: {{ . | quote }}
{{- end }}
DATABASE_HOST: {{ include "ai-native.database.host" . | quote }}
DATABASE_PORT: {{ include "ai-native.database.port" . | quote }}
DATABASE_NAME: {{ include "ai-native.database.name" . | quote }}
DATABASE_USER: {{ include "ai-native.database.user" . | quote }}
{{- if include "ai-native.redis.used" . }}
REDIS_HOST: {{ include "ai-native.redis.host" . | quote }}
REDIS_PORT: {{ include "ai-native.redis.port" . | quote }}
{{- end }}
{{- end -}}

{{/* ai-native.tlsSecretName: the TLS Secret of the public hosts. */}}
{{- define "ai-native.tlsSecretName" -}}
{{- .Values.ingress.tls.secretName | default (printf "%s-tls" (include "ai-native.names.platform" .)) -}}
{{- end -}}

{{/* ai-native.securityHeaders: the response headers both route flavours add. */}}
{{- define "ai-native.securityHeaders" -}}
X-Frame-Options: DENY
X-Content-Type-Options: nosniff
Referrer-Policy: strict-origin-when-cross-origin
X-XSS-Protection: "1; mode=block"
{{- if .Values.ingress.tls.enabled }}
Strict-Transport-Security: "max-age={{ int64 .Values.ingress.securityHeaders.hstsMaxAge }}; includeSubDomains"
{{- end }}
{{- end -}}
