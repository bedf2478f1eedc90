"""The chart keeps the application's contract (docs/app-contract.md), with Helm 4 and Helm 3:
probes and settings the app reads, the schema modes' Jobs, the connection budget (the chart's
refusal and `helmkit lint`'s computation agree at the boundary), and the unusual-but-valid
combinations that render and warn instead of failing."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from chart_env import HELMS, KUBE_VERSIONS, HelmRuns, one, template_args
from kube_validation import validate_strict
from test_chart_notes import notes

from helmkit.core.lint import connection_budget
from helmkit.core.lint.pod_security import check_pod_spec, pod_specs
from helmkit.core.model.findings import Severity
from helmkit.core.model.manifests import parse_manifests
from helmkit.core.values import unusual as unusual_values


def values_file(tmp_path: Path, values: dict[str, Any]) -> Path:
    """A values file named after its content: HelmRuns memoises renders by argv."""
    text = yaml.safe_dump(values)
    path = tmp_path / f"values-{hashlib.sha256(text.encode()).hexdigest()[:12]}.yaml"
    path.write_text(text)
    return path


def render(helm_runs: HelmRuns, helm: str, tmp_path: Path, values: dict[str, Any]) -> Any:
    return helm_runs.run(helm, template_args([values_file(tmp_path, values)]))


def container(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    spec = one(objects, kind, name)["spec"]
    if kind == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return dict(spec["template"]["spec"]["containers"][0])


@pytest.mark.parametrize("helm", HELMS)
def test_probes_and_settings_the_app_reads(helm_runs: HelmRuns, helm: str, tmp_path: Path) -> None:
    values = {
        "config": {"llmProvider": "gemini", "environment": "staging-eu"},
        "backend": {"processes": 2},
        "postgresql": {"parameters": {"max_connections": "400"}},  # 2 processes: 396
    }
    objects = render(helm_runs, helm, tmp_path, values).objects()
    backend = container(objects, "Deployment", "ai-native-backend")
    assert backend["livenessProbe"]["httpGet"]["path"] == "/api/v1/health/live"
    assert backend["readinessProbe"]["httpGet"]["path"] == "/api/v1/health/ready"
    startup = backend["startupProbe"]
    assert startup["httpGet"]["path"] == "/api/v1/health/live"
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 120
    data = one(objects, "ConfigMap", "ai-native-config")["data"]
    assert {k: data[k] for k in ("LLM_PROVIDER", "ENVIRONMENT", "WEB_CONCURRENCY")} == {
        "LLM_PROVIDER": "gemini", "ENVIRONMENT": "staging-eu", "WEB_CONCURRENCY": "2",
    }  # fmt: skip
    read = ("JWT_ALGORITHM", "JWT_ACCESS_TOKEN_EXPIRE_MINUTES", "LLM_CACHE_BACKEND",
            "DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_POOL_TIMEOUT", "DB_POOL_RECYCLE")  # fmt: skip
    assert set(read) <= set(data)
    # Unset: the app's own default (LLM_PROVIDER mock) applies.
    default = one(helm_runs.run(helm, template_args([])).objects(), "ConfigMap", "ai-native-config")
    assert "LLM_PROVIDER" not in default["data"] and "ENVIRONMENT" not in default["data"]
    test_pod = one(objects, "Pod", "ai-native-test")
    api = next(c for c in test_pod["spec"]["containers"] if c["name"] == "api")
    script = api["args"][0]
    assert "/api/v1/health/ping" in script and "/api/v1/health/ready" in script


@pytest.mark.parametrize("helm", HELMS)
def test_command_mode_runs_the_migration_as_a_hook_job(
    helm_runs: HelmRuns, helm: str, tmp_path: Path
) -> None:
    values = {
        "postgresql": {"schema": {"mode": "command", "command": ["python", "-m", "app.migrate"]}},
        "backend": {"image": {"tag": "2.3.4"}},
    }
    objects = render(helm_runs, helm, tmp_path, values).objects()
    job = one(objects, "Job", "ai-native-db-migrate")
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "post-install,pre-upgrade"
    assert annotations["helm.sh/hook-delete-policy"] == "before-hook-creation"
    pod = job["spec"]["template"]
    assert pod["metadata"]["labels"]["app.kubernetes.io/name"] == "db-schema"  # its NetworkPolicy
    migrate = pod["spec"]["containers"][0]
    assert migrate["image"] == "ai-native-backend:2.3.4"
    assert migrate["command"] == ["python", "-m", "app.migrate"]
    assert migrate["envFrom"] == [
        {"configMapRef": {"name": "ai-native-config"}},
        {"secretRef": {"name": "ai-native-secrets"}},
    ]
    for path, spec, pod_annotations in pod_specs(job):
        assert [str(v) for v in check_pod_spec(spec, pod_annotations, prefix=path)] == []
        assert spec["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is True
    for version in KUBE_VERSIONS:
        assert validate_strict(job, version) == [], version
    names = {(o["kind"], o["metadata"]["name"]) for o in objects}
    assert ("ConfigMap", "ai-native-db-schema") not in names
    assert not [n for k, n in names if k == "Job" and n.startswith("ai-native-db-schema-")]
    # With an external database whose password is in its own Secret, the Job gets the same
    # assembled DATABASE_URL as the backend.
    external = render(helm_runs, helm, tmp_path, {
        **values,
        "postgresql": {**values["postgresql"], "enabled": False},
        "externalDatabase": {"host": "db.example.edu", "existingSecret": "db-pw"},
    }).objects()  # fmt: skip
    env = {e["name"]: e for e in container(external, "Job", "ai-native-db-migrate")["env"]}
    assert env["DATABASE_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "db-pw"
    assert "$(DATABASE_PASSWORD)@db.example.edu:5432/" in env["DATABASE_URL"]["value"]


def test_default_schema_mode_is_app(helm_runs: HelmRuns) -> None:
    objects = helm_runs.run("helm4", template_args([])).objects()
    data = one(objects, "ConfigMap", "ai-native-db-schema")["data"]
    assert sorted(data) == ["00-database.sql", "db-schema.sh"]
    assert "CREATE TABLE" not in data["00-database.sql"]


# Values whose budget the boundary test checks (each with the bundled PostgreSQL).
BUDGET_CASES: dict[str, dict[str, Any]] = {
    "defaults": {},
    "fixed-replicas-several-processes": {
        "backend": {"autoscaling": {"enabled": False}, "replicaCount": 5, "processes": 3},
    },
    "command-mode-and-backups": {
        "postgresql": {"schema": {"mode": "command"}, "backup": {"enabled": True}},
        "config": {"database": {"poolSize": 2, "maxOverflow": 0}},
    },
    "no-schema-job-no-reserve": {
        "postgresql": {"schema": {"enabled": False}, "connectionBudget": {"adminReserve": 0}},
        "backend": {"autoscaling": {"maxReplicas": 7}},
    },
}


def with_limit(values: dict[str, Any], limit: int) -> dict[str, Any]:
    postgresql = dict(values.get("postgresql", {}))
    postgresql["parameters"] = {"max_connections": str(limit)}
    return {**values, "postgresql": postgresql}


@pytest.mark.parametrize("helm", HELMS)
@pytest.mark.parametrize("case", sorted(BUDGET_CASES))
def test_budget_chart_and_helmkit_agree_at_the_boundary(
    helm_runs: HelmRuns, helm: str, case: str, tmp_path: Path
) -> None:
    values = BUDGET_CASES[case]
    roomy = render(helm_runs, helm, tmp_path, with_limit(values, 100000))
    assert roomy.returncode == 0, roomy.stderr
    (budget,) = connection_budget.budgets(parse_manifests(roomy.stdout))
    total = budget.total

    exact = render(helm_runs, helm, tmp_path, with_limit(values, total))
    assert exact.returncode == 0, f"the chart refused {total} connections for {total}:\n" + (
        exact.stderr
    )
    assert connection_budget.connection_budget(parse_manifests(exact.stdout)) == []

    short = render(helm_runs, helm, tmp_path, with_limit(values, total - 1))
    assert short.returncode != 0, f"the chart accepted max_connections {total - 1} for {total}"
    assert f"max_connections: {total - 1} cannot hold" in short.stderr
    assert f"= {total} connections" in short.stderr


@pytest.mark.parametrize("helm", HELMS)
def test_external_budget_warns_and_helmkit_lint_warns_too(
    helm_runs: HelmRuns, helm: str, tmp_path: Path
) -> None:
    values = {
        "postgresql": {"enabled": False},
        "externalDatabase": {"host": "db.example.edu", "password": "pw", "maxConnections": 100},
    }
    result = render(helm_runs, helm, tmp_path, values)
    assert result.returncode == 0, result.stderr
    (finding,) = connection_budget.connection_budget(parse_manifests(result.stdout))
    assert finding.severity is Severity.WARNING
    assert "max_connections 100 cannot hold the worst case" in finding.message
    assert finding.message.endswith("= 201 connections")  # 13 x 15 + schema Job + reserve 5
    if helm == "helm4":  # NOTES need a client-side install (see test_chart_notes)
        text = notes(tmp_path, values_file(tmp_path, values))
        assert "externalDatabase.maxConnections: 100 cannot hold" in text
        assert "= 201" in text


# Unusual but valid: they render (Helm 4 and 3) and the install notes warn.
RELAXED: list[tuple[str, dict[str, Any], str]] = [
    ("redis-aof-on-emptydir", {"redis": {"persistence": {"enabled": False}}},
     "redis.appendonly: true on an emptyDir"),
    ("tls-secret-made-by-hand", {"ingress": {"tls": {"clusterIssuer": ""}}},
     "ingress.tls: no clusterIssuer and no secretName, so TLS uses secret/ai-native-tls"),
    ("gateway-with-https-only-listeners",
     {"gateway": {"enabled": True, "parentRefs": [{"name": "https-only-gw"}]}},
     "gateway.parentRefs[0]: no sectionName or port"),
    ("acme-without-email", {"certManager": {"clusterIssuers": {"create": True}}},
     "certManager.clusterIssuers.email: empty"),
    ("external-db-trusting-the-pods",
     {"postgresql": {"enabled": False}, "externalDatabase": {"host": "db.example.edu"}},
     "externalDatabase: no password"),
    ("short-job-ttl", {"postgresql": {"schema": {"ttlSecondsAfterFinished": 60}}},
     "postgresql.schema.ttlSecondsAfterFinished: 60 seconds"),
    ("no-redis-at-all", {"redis": {"enabled": False}},
     "redis: none (redis.enabled is false and externalRedis.host is empty)"),
]  # fmt: skip


# The relaxed cases `helmkit lint` also sees in the rendered objects (core/values/unusual.py).
LINT_RULES = {"redis-aof-on-emptydir": "redis-aof-emptydir", "acme-without-email": "acme-email"}


@pytest.mark.parametrize("helm", HELMS)
@pytest.mark.parametrize(("case", "values", "warning"), RELAXED, ids=[c[0] for c in RELAXED])
def test_unusual_but_valid_values_render_and_warn(
    helm_runs: HelmRuns, helm: str, case: str, values: dict[str, Any], warning: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    result = render(helm_runs, helm, tmp_path, values)
    assert result.returncode == 0, f"{case} was refused:\n{result.stderr}"
    objects = result.objects()
    if case == "acme-without-email":
        issuer = one(objects, "ClusterIssuer", "letsencrypt-prod")
        assert "email" not in issuer["spec"]["acme"]
    if case == "external-db-trusting-the-pods":
        data = one(objects, "Secret", "ai-native-secrets")["data"]
        assert base64.b64decode(data["DATABASE_URL"]).decode() == (
            "postgresql://ai_native@db.example.edu:5432/ai_native"
        )
        assert data["POSTGRES_PASSWORD"] == ""  # the Jobs' PGPASSWORD key exists, empty
    if case == "no-redis-at-all":  # the app runs without Redis: nothing refers to one
        text = yaml.safe_dump_all(objects)
        assert "redis" not in text.replace("LLM_CACHE_BACKEND: redis", "").lower()
        assert "REDIS_URL" not in one(objects, "Secret", "ai-native-secrets")["data"]
    if case == "tls-secret-made-by-hand":
        ingress = one(objects, "Ingress", "ai-native")
        assert ingress["spec"]["tls"][0]["secretName"] == "ai-native-tls"
    rules = {f.rule for f in unusual_values.unusual_values(parse_manifests(result.stdout))}
    assert rules == ({LINT_RULES[case]} if case in LINT_RULES else set())
    if helm == "helm4":
        text = notes(tmp_path, values_file(tmp_path, values))
        assert "\nWarnings\n" in text and warning in text, text


def test_shipped_values_have_no_warnings(tmp_path: Path) -> None:
    from chart_env import REPO

    for name in ("local", "staging", "production"):
        text = notes(tmp_path, REPO / "values" / f"{name}.yaml")
        assert "Warnings" not in text, f"{name}: {text}"
        assert "Connections, worst case" in text
