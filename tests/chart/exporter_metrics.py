"""The metric names real exporters emit, which the chart's alerts and dashboard may use, and a
reader of the Prometheus text format for the tests that scrape the exporters for real."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


# --- the text format: sample lines `name{label="value",...} number`; comments skipped ---------

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Sample:
    name: str
    labels: dict[str, str]
    value: float


def parse(text: str) -> list[Sample]:
    samples = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = _SAMPLE.match(line.strip())
        if match is None:
            raise ValueError(f"not a Prometheus text sample: {line!r}")
        labels = dict(_LABEL.findall(match.group(3) or ""))
        samples.append(Sample(match.group(1), labels, float(match.group(4))))
    return samples


class Scrape:
    """One scrape's samples, by metric name."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.samples = parse(text)

    def names(self) -> set[str]:
        return {s.name for s in self.samples}

    def values(self, name: str, **labels: str) -> list[float]:
        wanted = labels.items()
        return [s.value for s in self.samples
                if s.name == name and all(s.labels.get(k) == v for k, v in wanted)]  # fmt: skip

    def one(self, name: str, **labels: str) -> float:
        found = self.values(name, **labels)
        assert len(found) == 1, f"{name}{labels}: expected one sample, got {found}"
        return found[0]

    def total(self, name: str) -> float:
        return sum(self.values(name))


def redis_bytes(value: str) -> int:
    """A redis.conf memory size in bytes, with Redis's units: k/m/g are powers of 1000,
    kb/mb/gb powers of 1024 (how redis_memory_max_bytes reports `maxmemory 512mb`)."""
    units = {"gb": 1024**3, "mb": 1024**2, "kb": 1024, "g": 1000**3, "m": 1000**2, "k": 1000}
    lowered = value.strip().lower()
    for unit, factor in units.items():
        if lowered.endswith(unit):
            return int(lowered[: -len(unit)]) * factor
    return int(lowered.removesuffix("b"))
