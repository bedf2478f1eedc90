{{/*
ai-native.warnings: combinations that render and run but are probably not what was meant, one
message per line ("<key path>: <what happens>; <what to do if unintended>"). NOTES.txt lists
them under "Warnings"; they are the rules templates/validate.yaml does not refuse because the
chart's consumer may know better (a Secret created by hand, a trusting database, ...).
Usage: {{ include "ai-native.warnings" $ }}
*/}}
{{- define "ai-native.warnings" -}}
{{- $warnings := list -}}
{{- $redis := .Values.redis -}}
{{- if and $redis.enabled $redis.appendonly (not (dig "persistence" "enabled" true $redis)) -}}
{{- $warnings = append $warnings (cat
  "redis.appendonly: true on an emptyDir (redis.persistence.enabled is false): the append-only"
  "file vanishes with the pod; set redis.persistence.enabled=true to keep it, or"
  "redis.appendonly=false.") -}}
{{- end -}}
{{- $tls := .Values.ingress.tls -}}
{{- if and .Values.ingress.enabled $tls.enabled (not (or $tls.clusterIssuer $tls.secretName)) -}}
{{- $warnings = append $warnings (printf "%s secret/%s, %s %s"
  "ingress.tls: no clusterIssuer and no secretName, so TLS uses" (include "ai-native.tlsSecretName" .)
  "which nothing in this release creates (without it the controller serves its default"
  "certificate); create it, or set ingress.tls.clusterIssuer or ingress.tls.secretName.") -}}
{{- end -}}
{{- if and .Values.gateway.enabled $tls.enabled -}}
{{- range $i, $ref := .Values.gateway.parentRefs -}}
{{- if not (or $ref.sectionName $ref.port) -}}
{{- $warnings = append $warnings (printf "%s %s %s %s"
  (printf "gateway.parentRefs[%d]: no sectionName or port, so the routes attach to every" $i)
  (printf "listener of Gateway %s, plain-HTTP ones included, while ingress.tls.enabled is true;" $ref.name)
  "name its HTTPS listener (sectionName or port) unless that Gateway has no plain-HTTP"
  "listener.") -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and .Values.certManager.clusterIssuers.create (not .Values.certManager.clusterIssuers.email) -}}
{{- $warnings = append $warnings (cat
  "certManager.clusterIssuers.email: empty, so the ACME accounts have no contact and Let's"
  "Encrypt cannot warn about expiring certificates; set the email.") -}}
{{- end -}}
{{- $db := .Values.externalDatabase -}}
{{- $dbPassword := or $db.existingSecret $db.password .Values.secrets.existingSecret -}}
{{- if and (not .Values.postgresql.enabled) (not $dbPassword) -}}
{{- $warnings = append $warnings (cat
  "externalDatabase: no password (existingSecret, password or secrets.existingSecret), so the"
  "backend and the Jobs connect without one; fine for a server that trusts them, otherwise set"
  "externalDatabase.existingSecret.") -}}
{{- end -}}
{{- $budget := include "ai-native.database.budget" . | fromJson -}}
{{- $limit := int $budget.limit -}}
{{- if and (not .Values.postgresql.enabled) (gt $limit 0) (gt (int $budget.total) $limit) -}}
{{- $warnings = append $warnings (printf "%s %s connections; %s %s"
  (printf "externalDatabase.maxConnections: %d cannot hold the worst case of" $limit)
  (include "ai-native.database.budgetText" $budget)
  "lower config.database.poolSize/maxOverflow, raise the server's max_connections (with its"
  "memory), or put a pooler in front.") -}}
{{- end -}}
{{- if not (include "ai-native.redis.used" .) -}}
{{- $memory := " (set config.llmCacheBackend=memory for a per-pod LLM cache)" -}}
{{- $cache := ternary $memory "" (eq .Values.config.llmCacheBackend "redis") -}}
{{- $warnings = append $warnings (printf "%s %s%s; %s"
  "redis: none (redis.enabled is false and externalRedis.host is empty), so the backend runs"
  "without a shared cache and rate limiting" $cache
  "set externalRedis.host or redis.enabled=true if that is not intended.") -}}
{{- end -}}
{{- $ttl := int .Values.postgresql.schema.ttlSecondsAfterFinished -}}
{{- if lt $ttl 600 -}}
{{- $warnings = append $warnings (cat
  (printf "postgresql.schema.ttlSecondsAfterFinished: %d seconds; `helm --wait-for-jobs` fails" $ttl)
  "when a Job is deleted before it saw it finish, so keep it above your helm --timeout if you use"
  "that flag.") -}}
{{- end -}}
{{- join "\n" $warnings -}}
{{- end -}}
