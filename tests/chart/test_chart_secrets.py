"""The app Secret, as far as `helm template` can show it: generated values when absent, given
values used as they are, no Secret with existingSecret, percent-encoded passwords in the URLs,
and the refusal to regenerate on an upgrade whose Secret vanished (lookup finds nothing in
`helm template --is-upgrade`, exactly as on a cluster where the Secret was deleted). The e2e suite
proves the reuse of a live Secret on a real upgrade."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from chart_env import CHART, HELMS, HelmRuns, find, one, template_args

SECRET = "ai-native-secrets"


def _data(secret: dict[str, Any]) -> dict[str, str]:
    return {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}


def _values(tmp_path: Path, values: dict[str, Any], name: str = "values.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(values))
    return path


@pytest.fixture(scope="module")
def default_secret(rendered: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    return _data(one(rendered["defaults"], "Secret", SECRET))


def test_generated_values_when_absent(default_secret: dict[str, str]) -> None:
    assert set(default_secret) == {"JWT_SECRET_KEY", "POSTGRES_PASSWORD", "DATABASE_URL",
                                   "REDIS_URL", "OPENAI_API_KEY", "GEMINI_API_KEY"}
    assert len(default_secret["JWT_SECRET_KEY"]) == 64
    assert len(default_secret["POSTGRES_PASSWORD"]) == 32
    password = default_secret["POSTGRES_PASSWORD"]
    assert default_secret["DATABASE_URL"] == (
        f"postgresql://ai_native:{password}@ai-native-postgresql:5432/ai_native"
    )
    assert default_secret["REDIS_URL"] == "redis://ai-native-redis:6379/0"


def test_generated_values_are_random_per_fresh_render(
    helm_runs: HelmRuns, default_secret: dict[str, str]
) -> None:
    again = _data(one(helm_runs.run("helm4", template_args((), "--set", "tests.enabled=true"))
                      .objects(), "Secret", SECRET))
    assert again["JWT_SECRET_KEY"] != default_secret["JWT_SECRET_KEY"]
    assert again["POSTGRES_PASSWORD"] != default_secret["POSTGRES_PASSWORD"]


def test_secret_is_kept_on_uninstall(rendered: dict[str, list[dict[str, Any]]]) -> None:
    secret = one(rendered["defaults"], "Secret", SECRET)
    assert secret["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"


def test_given_values_are_used_and_percent_encoded(helm_runs: HelmRuns, tmp_path: Path) -> None:
    path = _values(tmp_path, {"secrets": {"jwtSecretKey": "k", "openaiApiKey": "sk-1"},
                              "postgresql": {"auth": {"password": "p@ss w/rd:%"}}})
    data = _data(one(helm_runs.run("helm4", template_args([path])).objects(), "Secret", SECRET))
    assert data["JWT_SECRET_KEY"] == "k"
    assert data["OPENAI_API_KEY"] == "sk-1"
    assert data["POSTGRES_PASSWORD"] == "p@ss w/rd:%"
    assert data["DATABASE_URL"] == (
        "postgresql://ai_native:p%40ss%20w%2Frd%3A%25@ai-native-postgresql:5432/ai_native"
    )


def test_external_passwords_with_special_characters(
    rendered: dict[str, list[dict[str, Any]]]
) -> None:
    scenario = yaml.safe_load((CHART / "ci" / "external-passwords-values.yaml").read_text())
    data = _data(one(rendered["ci/external-passwords-values.yaml"], "Secret", SECRET))
    db_url, redis_url = urlsplit(data["DATABASE_URL"]), urlsplit(data["REDIS_URL"])
    assert db_url.scheme == "postgresql" and db_url.hostname == "postgres.example.org"
    assert db_url.port == 5432 and db_url.path == "/ai_native" and db_url.username == "ai_native"
    assert unquote(db_url.password or "") == scenario["externalDatabase"]["password"]
    assert redis_url.hostname == "redis.example.org" and redis_url.port == 6379
    assert unquote(redis_url.password or "") == scenario["externalRedis"]["password"]
    for raw in ("@", "/", "?", "#", " ", "+"):
        assert raw not in (db_url.password or "") and raw not in (redis_url.password or "")
    assert data["POSTGRES_PASSWORD"] == scenario["externalDatabase"]["password"]


def test_existing_secret_renders_no_secret_and_everything_reads_it(
    rendered: dict[str, list[dict[str, Any]]]
) -> None:
    objects = rendered["values/production.yaml"]
    assert find(objects, "Secret") == []
    backend = one(objects, "Deployment", "ai-native-backend")
    env_from = backend["spec"]["template"]["spec"]["containers"][0]["envFrom"]
    assert {"secretRef": {"name": "ai-native-secrets"}} in env_from
    postgres = one(objects, "StatefulSet", "ai-native-postgresql")
    refs = [
        e["valueFrom"]["secretKeyRef"]
        for c in postgres["spec"]["template"]["spec"]["containers"]
        for e in c.get("env", []) if "valueFrom" in e and "secretKeyRef" in e["valueFrom"]
    ]
    assert {"name": "ai-native-secrets", "key": "POSTGRES_PASSWORD"} in refs


def test_external_existing_secrets_build_the_urls_in_the_pod(
    rendered: dict[str, list[dict[str, Any]]]
) -> None:
    objects = rendered["ci/external-services-values.yaml"]
    data = _data(one(objects, "Secret", SECRET))
    assert "DATABASE_URL" not in data and "POSTGRES_PASSWORD" not in data
    container = one(objects, "Deployment", "ai-native-backend")["spec"]["template"]["spec"][
        "containers"][0]
    env = {e["name"]: e for e in container["env"]}
    names = [e["name"] for e in container["env"]]
    # $(VAR) expansion only sees variables defined earlier in the list
    assert names.index("DATABASE_PASSWORD") < names.index("DATABASE_URL")
    assert env["DATABASE_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
        "name": "ai-native-external-db", "key": "db-password"}
    assert env["DATABASE_URL"]["value"] == (
        "postgresql://ai_native_app:$(DATABASE_PASSWORD)@db.internal.example.edu:6432/ai_native_prod"
    )
    assert env["REDIS_URL"]["value"] == (
        "redis://:$(REDIS_PASSWORD)@cache.internal.example.edu:6380/2"
    )


@pytest.mark.parametrize("helm", HELMS)
def test_upgrade_without_the_live_secret_fails_with_instructions(
    helm_runs: HelmRuns, helm: str
) -> None:
    result = helm_runs.run(helm, template_args((), "--is-upgrade"))
    assert result.returncode != 0
    assert f"Secret ai-native-test/{SECRET} is missing during an upgrade" in result.stderr
    # the exact fix: where the current values still are, and how to pass them back
    for fix in (
        f"kubectl -n ai-native-test apply -f {SECRET}.backup.yaml",
        "kubectl -n ai-native-test exec deploy/ai-native-backend -c backend -- printenv "
        "JWT_SECRET_KEY",
        "kubectl -n ai-native-test exec ai-native-postgresql-0 -c postgresql -- printenv "
        "POSTGRES_PASSWORD",
        "helm upgrade ai-native ... --set-string secrets.jwtSecretKey=<JWT_SECRET_KEY> "
        "--set-string postgresql.auth.password=<POSTGRES_PASSWORD>",
        "--set secrets.existingSecret=<name>",
    ):
        assert fix in result.stderr, result.stderr


@pytest.mark.parametrize("helm", HELMS)
def test_upgrade_without_the_live_secret_names_only_what_would_change(
    helm_runs: HelmRuns, helm: str, tmp_path: Path
) -> None:
    """With an external database only the JWT key is generated: no talk of a database volume."""
    external = _values(tmp_path, {"postgresql": {"enabled": False},
                                  "externalDatabase": {"host": "db.example.edu", "password": "p"}},
                       f"{helm}-external.yaml")
    result = helm_runs.run(helm, template_args([external], "--is-upgrade"))
    assert result.returncode != 0
    assert "printenv JWT_SECRET_KEY" in result.stderr
    assert "POSTGRES_PASSWORD" not in result.stderr.replace("keys JWT_SECRET_KEY, DATABASE_URL, "
                                                            "REDIS_URL, POSTGRES_PASSWORD", "")
    assert "database volume" not in result.stderr


@pytest.mark.parametrize("helm", HELMS)
def test_upgrade_with_every_value_given_needs_no_live_secret(
    helm_runs: HelmRuns, helm: str, tmp_path: Path
) -> None:
    given = _values(tmp_path, {"secrets": {"jwtSecretKey": "k"},
                               "postgresql": {"auth": {"password": "p"}}}, f"{helm}.yaml")
    assert helm_runs.run(helm, template_args([given], "--is-upgrade")).returncode == 0
    existing = _values(tmp_path, {"secrets": {"existingSecret": "mine"}}, f"{helm}-e.yaml")
    assert helm_runs.run(helm, template_args([existing], "--is-upgrade")).returncode == 0


def test_no_secret_value_in_any_configmap(rendered: dict[str, list[dict[str, Any]]]) -> None:
    for name, objects in rendered.items():
        secrets = [v for s in find(objects, "Secret") for v in _data(s).values() if len(v) >= 8]
        for config_map in find(objects, "ConfigMap"):
            text = yaml.safe_dump(config_map.get("data", {}))
            for value in secrets:
                assert value not in text, f"{name}: ConfigMap {config_map['metadata']['name']}"
