"""The metric names real exporters emit, which the chart's alerts and dashboard may use."""

from __future__ import annotations

import re

# Metric -> the exporter that emits it under that name (the alerts and the dashboard may use no
# other). kube-state-metrics v2 renamed the HPA series (kube_horizontalpodautoscaler_*).
EXPORTER_METRICS = {
    "kube_pod_status_ready": "kube-state-metrics",
    "kube_deployment_status_replicas_available": "kube-state-metrics",
    "kube_deployment_spec_replicas": "kube-state-metrics",
    "kube_horizontalpodautoscaler_status_current_replicas": "kube-state-metrics",
    "kube_horizontalpodautoscaler_status_desired_replicas": "kube-state-metrics",
    "kube_horizontalpodautoscaler_spec_max_replicas": "kube-state-metrics",
    "kube_horizontalpodautoscaler_spec_min_replicas": "kube-state-metrics",
    "kube_pod_container_status_restarts_total": "kube-state-metrics",
    "kube_job_status_failed": "kube-state-metrics",
    "kube_job_status_start_time": "kube-state-metrics",
    "kube_job_owner": "kube-state-metrics",
    "kube_cronjob_status_last_successful_time": "kube-state-metrics",
    "kube_cronjob_created": "kube-state-metrics",
    "container_cpu_usage_seconds_total": "kubelet (cAdvisor)",
    "container_memory_working_set_bytes": "kubelet (cAdvisor)",
    "pg_up": "postgres_exporter",
    "pg_stat_activity_count": "postgres_exporter",
    "pg_settings_max_connections": "postgres_exporter",
    "pg_stat_database_xact_commit": "postgres_exporter",
    "pg_stat_database_xact_rollback": "postgres_exporter",
    "pg_database_size_bytes": "postgres_exporter",
    "redis_up": "redis_exporter",
    "redis_memory_used_bytes": "redis_exporter",
    "redis_memory_max_bytes": "redis_exporter",
    "redis_evicted_keys_total": "redis_exporter",
    "redis_keyspace_hits_total": "redis_exporter",
    "redis_keyspace_misses_total": "redis_exporter",
    "redis_connected_clients": "redis_exporter",
    "certmanager_certificate_expiration_timestamp_seconds": "cert-manager",
    "http_requests_total": "the backend (prometheus-fastapi-instrumentator)",
    "http_request_duration_seconds_bucket": "the backend (prometheus-fastapi-instrumentator)",
}
_SELECTED_METRIC = re.compile(r"\b([a-z_:][a-z0-9_:]*)\{")
_PROMQL_WORDS = {"by", "on", "without", "ignoring", "group_left", "group_right"}


def used_metrics(expr: str) -> set[str]:
    """The metric names an expression selects (every selector here has label matchers)."""
    return {m for m in _SELECTED_METRIC.findall(expr) if m not in _PROMQL_WORDS}
