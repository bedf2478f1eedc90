"""The chart's layout (docs/chart-layout.md): the application's components and PostgreSQL (whose
password is the app Secret's) live in the umbrella, Redis is a real subchart that renders and
installs alone, the library reads no application keys, every values default lives in one
values.yaml, and templates stay readable."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from chart_env import BIN, CHART, HELMS, HelmRuns, helm_binary, one, template_args
from kube_validation import validate_strict

from helmkit.core.lint import kube_schema
from helmkit.core.lint.pod_security import check_pod_spec, pod_specs

SUBCHARTS = ("redis",)
LIBRARY = CHART / "charts" / "ai-native-lib"
MAX_LINE = 120
EXTERNAL_DB = (
    "--set", "postgresql.enabled=false", "--set", "externalDatabase.host=db.example.org",
    "--set", "externalDatabase.existingSecret=db-credentials",
)
NO_REDIS = ("--set", "redis.enabled=false")
# each server switched off alone, and both: (flags, the servers that must not render)
SWITCHED_OFF = {
    "external-database": (EXTERNAL_DB, {"postgresql"}),
    "no-redis": (NO_REDIS, {"redis"}),
    "both": ((*EXTERNAL_DB, *NO_REDIS), {"postgresql", "redis"}),
}


def password_secret(statefulset: dict[str, Any]) -> str:
    """The Secret the PostgreSQL container reads POSTGRES_PASSWORD from."""
    (container,) = statefulset["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e for e in container["env"]}
    return str(env["POSTGRES_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"])


def template_files() -> list[Path]:
    return sorted(
        p for p in CHART.rglob("*")
        if p.is_file() and "templates" in p.relative_to(CHART).parts
        and p.suffix in (".yaml", ".tpl", ".txt")
    )


def test_no_template_line_is_longer_than_120_characters() -> None:
    files = template_files()
    assert len(files) > 40
    long = [
        f"{path.relative_to(CHART)}:{number}: {len(line)} characters"
        for path in files
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if len(line) > MAX_LINE
    ]
    assert long == [], "wrap these lines (named values in a dict, one include per line)"


def test_the_library_reads_only_its_arguments_and_global() -> None:
    templates = sorted((LIBRARY / "templates").glob("*.tpl"))
    assert templates
    for path in templates:
        text = re.sub(r"\{\{-? */\*.*?\*/ *-?\}\}", "", path.read_text(), flags=re.S)  # no comments
        defines = re.findall(r'define "([^"]+)"', text)
        assert defines and all(d.startswith("ai-native-lib.") for d in defines), path
        # `.Values` only as `.Values.global` (or the root's): never an application key
        reads = re.findall(r"\.Values\.?([A-Za-z_]*)", text)
        assert set(reads) <= {"global", ""}, f"{path.name} reads .Values.{set(reads) - {'global'}}"
        assert "common." not in text, path


def test_no_chart_uses_the_common_prefix() -> None:
    """`common.*` is bitnami/common's: a consumer adding a Bitnami dependency would collide."""
    for path in template_files():
        assert not re.search(r'(define|include|template) "common\.', path.read_text()), path


def test_subcharts_render_their_own_objects_and_the_umbrella_includes_none_of_them() -> None:
    for name in SUBCHARTS:
        rendering = [p for p in (CHART / "charts" / name / "templates").glob("*.yaml")]
        assert len(rendering) >= 3, f"{name} renders its StatefulSet and Services itself"
    for path in (CHART / "templates").rglob("*"):
        if path.is_file():
            assert not re.search(r'include "redis\.', path.read_text()), path


def test_postgresql_lives_in_the_umbrella_and_reads_the_app_secret() -> None:
    """Its password Secret's name is an umbrella key (secrets.existingSecret) that a subchart
    cannot see: the server is the umbrella's, one resource per file in templates/postgresql/."""
    assert not (CHART / "charts" / "postgresql").exists()
    own = sorted(p.name for p in (CHART / "templates" / "postgresql").glob("*.yaml"))
    assert own == ["service-headless.yaml", "service-metrics.yaml", "service.yaml",
                   "statefulset.yaml"]  # fmt: skip
    statefulset = (CHART / "templates" / "postgresql" / "statefulset.yaml").read_text()
    assert 'name: {{ include "ai-native.names.appSecret" . }}' in statefulset
    # the exporter sidecar (postgresql.metrics) reads the same Secret
    metrics = (CHART / "templates" / "postgresql" / "_metrics.tpl").read_text()
    assert 'name: {{ include "ai-native.names.appSecret" . }}' in metrics


def _leaves(data: Any, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    if isinstance(data, dict) and data:
        return {leaf for k, v in data.items() for leaf in _leaves(v, (*prefix, str(k)))}
    return {prefix}


def test_every_default_lives_in_exactly_one_values_file() -> None:
    umbrella = yaml.safe_load((CHART / "values.yaml").read_text())
    # PostgreSQL's server keys and the umbrella's own postgresql keys: all in the umbrella's file
    assert {"enabled", "image", "runAsUser", "auth", "persistence", "service", "schema",
            "backup", "connectionBudget"} <= set(umbrella["postgresql"])
    for name in SUBCHARTS:
        own = _leaves(yaml.safe_load((CHART / "charts" / name / "values.yaml").read_text()))
        overridden = _leaves(umbrella.get(name) or {}) & own
        assert overridden == set(), f"{name} defaults repeated in the umbrella: {overridden}"


def _standalone_copy(tmp_path: Path, name: str) -> Path:
    """The subchart as a user installs it alone: a copy with its library dependency built."""
    copy = tmp_path / name
    shutil.copytree(CHART / "charts" / name, copy, ignore=shutil.ignore_patterns("charts"))
    shutil.copytree(LIBRARY, tmp_path / "ai-native-lib")
    proc = subprocess.run([str(helm_binary("helm4")), "dependency", "build", str(copy)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert list((copy / "charts").glob("ai-native-lib-*.tgz"))
    return copy


def _kubeconform(objects: list[dict[str, Any]], tmp_path: Path, version: str) -> list[str]:
    exe = BIN / "kubeconform"
    if not os.access(exe, os.X_OK):
        pytest.fail(f"{exe} is missing: run `bash scripts/build-peers.sh`")
    schemas = tmp_path / f"schemas-{version}"
    schemas.mkdir()
    source = kube_schema.schema_dir(version)
    names = {kube_schema.schema_file_name(o["apiVersion"], o["kind"]) for o in objects}
    for name in names | {"_definitions.json"}:
        # the bundled schemas' absolute refs made relative: kubeconform resolves them offline
        text = (source / name).read_text()
        data = json.loads(text.replace('"/api/_definitions.json#', '"_definitions.json#'))
        data.pop("$id", None)
        (schemas / name).write_text(json.dumps(data))
    manifest = tmp_path / f"objects-{version}.yaml"
    manifest.write_text(yaml.safe_dump_all(objects))
    argv = [str(exe), "-strict", "-summary", "-output", "json", "-kubernetes-version",
            f"{version}.0", "-schema-location",
            str(schemas / "{{ .ResourceKind }}{{ .KindSuffix }}.json"), str(manifest)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    resources = json.loads(proc.stdout or "{}").get("resources", [])
    assert proc.returncode == 0 or resources, proc.stderr
    return [f"{r['kind']}/{r['name']}: {r.get('msg')}" for r in resources
            if r.get("status") != "statusValid"]


@pytest.mark.parametrize("helm", HELMS)
@pytest.mark.parametrize("name", SUBCHARTS)
def test_a_subchart_alone_renders_valid_restricted_objects(
    tmp_path: Path, helm: str, name: str
) -> None:
    chart = _standalone_copy(tmp_path, name)
    lint = subprocess.run([str(helm_binary(helm)), "lint", "--strict", str(chart)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    proc = subprocess.run([str(helm_binary(helm)), "template", "x", str(chart), "-n", "db"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    objects = [o for o in yaml.safe_load_all(proc.stdout) if o]
    kinds = sorted(o["kind"] for o in objects)
    assert kinds == sorted(["ConfigMap", "NetworkPolicy", "Service", "Service", "StatefulSet"])
    policy = one(objects, "NetworkPolicy", f"x-{name}")  # deny by default, alone too
    assert policy["spec"]["egress"] == [] and policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert policy["spec"]["ingress"][0]["from"] == [
        {"podSelector": {"matchLabels": {f"x-{name}-client": "true"}}}]
    names = {o["metadata"]["name"] for o in objects}
    assert f"x-{name}" in names and f"x-{name}-headless" in names  # helm create's naming
    statefulset = one(objects, "StatefulSet", f"x-{name}")
    assert statefulset["metadata"]["labels"]["helm.sh/chart"].startswith(f"{name}-")
    for version in ("1.31", "1.35"):
        assert [p for o in objects for p in validate_strict(o, version)] == []
        assert _kubeconform(objects, tmp_path, version) == []
    pods = [pod for o in objects for pod in pod_specs(o)]
    assert len(pods) == 1
    for path, spec, pod_notes in pods:
        assert [str(v) for v in check_pod_spec(spec, pod_notes, prefix=path)] == []


@pytest.mark.parametrize("case", SWITCHED_OFF)
@pytest.mark.parametrize("helm", HELMS)
def test_external_database_and_no_redis_render_valid_restricted_objects(
    helm_runs: HelmRuns, helm: str, case: str
) -> None:
    flags, off = SWITCHED_OFF[case]
    objects = helm_runs.run(helm, template_args((), *flags)).objects()
    components = {(o["metadata"].get("labels") or {}).get("app.kubernetes.io/component")
                  for o in objects}
    assert components & {"postgresql", "redis"} == {"postgresql", "redis"} - off, (
        "a disabled server renders nothing, an enabled one renders")
    config = one(objects, "ConfigMap", "ai-native-config")["data"]
    external = "postgresql" in off
    assert config["DATABASE_HOST"] == (
        "db.example.org" if external else "ai-native-postgresql")
    assert ("REDIS_HOST" in config) == ("redis" not in off)
    schema_job = [o for o in objects if o["kind"] == "Job"]
    # the Job still gets the postgres image: postgresql.image serves an external database too
    assert schema_job[0]["spec"]["template"]["spec"]["containers"][0]["image"] == (
        "postgres:17.6-bookworm")
    problems = [p for o in objects if o["kind"] not in ("HTTPRoute", "ServiceMonitor")
                for p in validate_strict(o, "1.35")]
    assert problems == []
    if helm == "helm4":  # a client-side install dry run needs no cluster with Helm 4 only
        argv = [str(helm_binary(helm)), "install", "ai-native", str(CHART), "-n", "ai-native-test",
                "--dry-run=client", "--kubeconfig", "/dev/null", *flags]
        install = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        assert install.returncode == 0, install.stderr
        assert "STATUS: pending-install" in install.stdout
    for obj in objects:
        for path, spec, pod_notes in pod_specs(obj):
            assert [str(v) for v in check_pod_spec(spec, pod_notes, prefix=path)] == []


@pytest.mark.parametrize("helm", HELMS)
def test_the_app_points_at_the_subcharts_services_for_any_release_name(
    helm_runs: HelmRuns, helm: str
) -> None:
    """The umbrella computes the hosts, names PostgreSQL's Services, and the redis subchart names
    its own with the same rule."""
    result = helm_runs.run(helm, ("template", "shop", str(CHART), "-n", "shop"))
    objects = result.objects()
    config = one(objects, "ConfigMap", "shop-ai-native-config")["data"]
    one(objects, "Service", config["DATABASE_HOST"])
    one(objects, "Service", config["REDIS_HOST"])
    assert config["DATABASE_HOST"] == "shop-ai-native-postgresql"
    statefulset = one(objects, "StatefulSet", "shop-ai-native-postgresql")
    one(objects, "Secret", password_secret(statefulset))  # the app Secret the umbrella creates


@pytest.mark.parametrize("helm", HELMS)
def test_an_override_file_with_its_own_secret_keeps_working_with_the_bundled_postgresql(
    helm_runs: HelmRuns, helm: str
) -> None:
    """The values contract: secrets.existingSecret alone names the Secret of the app and of the
    bundled server (main's behaviour); no second key is needed."""
    args = template_args((), "--set", "secrets.existingSecret=mine")
    objects = helm_runs.run(helm, args).objects()
    assert password_secret(one(objects, "StatefulSet", "ai-native-postgresql")) == "mine"
    assert not [o for o in objects if o["kind"] == "Secret"], "yours: the chart creates none"
    backend = one(objects, "Deployment", "ai-native-backend")["spec"]["template"]["spec"]
    refs = {e["secretRef"]["name"] for c in backend["containers"] for e in c.get("envFrom", [])
            if "secretRef" in e}
    assert refs == {"mine"}
