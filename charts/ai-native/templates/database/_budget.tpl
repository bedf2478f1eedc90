{{/*
ai-native.database.budget: the worst case of PostgreSQL connections the release may open, as
JSON (fields below). helmkit lint computes the same from the rendered objects
(python/helmkit/core/lint/connection_budget.py); the chart tests keep both in step.
- pods: backend.autoscaling.maxReplicas (else replicaCount), plus the rollout's surge (the
  Deployment's maxSurge 25%, rounded up: old and new pods overlap during an upgrade);
- perPod: backend.processes x (config.database.poolSize + maxOverflow): every process has its
  own SQLAlchemy pool;
- jobs: one connection per database Job (schema or migration Job, backup CronJob);
- reserve: postgresql.connectionBudget.adminReserve (psql sessions, monitoring, pg_dump by hand);
- limit: the bundled server's max_connections (postgresql.parameters, PostgreSQL's default 100
  when unset), or externalDatabase.maxConnections (0 = unknown).
Usage: {{ $budget := include "ai-native.database.budget" $ | fromJson }}
*/}}
{{- define "ai-native.database.budget" -}}
{{- $backend := .Values.backend -}}
{{- $db := .Values.config.database -}}
{{- $replicas := 0 -}}
{{- if $backend.enabled -}}
{{- $replicas = int (ternary $backend.autoscaling.maxReplicas $backend.replicaCount $backend.autoscaling.enabled) -}}
{{- end -}}
{{- $surge := div (add (mul $replicas 25) 99) 100 -}}
{{- $pool := int $db.poolSize -}}
{{- $overflow := int $db.maxOverflow -}}
{{- $processes := int $backend.processes -}}
{{- $jobs := 0 -}}
{{- if .Values.postgresql.schema.enabled -}}{{- $jobs = add $jobs 1 -}}{{- end -}}
{{- if .Values.postgresql.backup.enabled -}}{{- $jobs = add $jobs 1 -}}{{- end -}}
{{- $reserve := int .Values.postgresql.connectionBudget.adminReserve -}}
{{- $limit := int .Values.externalDatabase.maxConnections -}}
{{- if .Values.postgresql.enabled -}}
{{- $limit = int (dig "parameters" "max_connections" 100 .Values.postgresql) -}}
{{- end -}}
{{- $pods := add $replicas $surge -}}
{{- $total := add (mul $pods $processes (add $pool $overflow)) $jobs $reserve -}}
{{- $budget := dict "pods" $pods "replicas" $replicas "surge" $surge "processes" $processes -}}
{{- $_ := merge $budget (dict "pool" $pool "overflow" $overflow "jobs" $jobs "reserve" $reserve) -}}
{{- $_ = merge $budget (dict "total" $total "limit" $limit) -}}
{{- toJson $budget -}}
{{- end -}}

{{/*
ai-native.database.budgetText: the budget's arithmetic in words, for messages.
Usage: {{ include "ai-native.database.budgetText" $budget }}
*/}}
{{- define "ai-native.database.budgetText" -}}
{{- printf "%d backend pods (%d + %d rollout surge) x %d process(es) x (poolSize %d + maxOverflow %d)"
  (int .pods) (int .replicas) (int .surge) (int .processes) (int .pool) (int .overflow) -}}
{{- printf " + %d Job connection(s) + adminReserve %d = %d" (int .jobs) (int .reserve) (int .total) -}}
{{- end -}}

{{/*
ai-native.validate.connectionBudget: with the bundled PostgreSQL, a worst case above its
max_connections cannot hold (new connections are refused once it is reached): refused, with the
three ways out. An external server's limit is a warning (ai-native.warnings).
Usage: {{ include "ai-native.validate.connectionBudget" $ }}
*/}}
{{- define "ai-native.validate.connectionBudget" -}}
{{- $budget := include "ai-native.database.budget" . | fromJson -}}
{{- if and .Values.postgresql.enabled (gt (int $budget.total) (int $budget.limit)) -}}
{{- printf "%s %d cannot hold the backend's worst case of %s connections; %s %s %d %s %s %s"
  "postgresql.parameters.max_connections:" (int $budget.limit) (include "ai-native.database.budgetText" $budget)
  "lower config.database.poolSize/maxOverflow (or backend.autoscaling.maxReplicas, backend.processes),"
  "or raise postgresql.parameters.max_connections to at least" (int $budget.total)
  "with the memory it needs (about 10Mi per connection above shared_buffers:"
  "postgresql.resources.limits.memory), or put a pooler (PgBouncer) in front of PostgreSQL and"
  "point the backend at it (postgresql.enabled=false, externalDatabase)." -}}
{{- end -}}
{{- end -}}
