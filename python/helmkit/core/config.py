"""helmkit.yaml: the chart, its target Kubernetes versions and the environments.

Validated against schemas/helmkit.schema.json (shipped as package data); every error names the
file, the line and the key path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from helmkit.core.lint.rules import RULES, RuleSetting, parse_setting
from helmkit.core.values import json_schema
from helmkit.core.values.yaml_source import SourcedYaml, format_key_path, load_yaml_file
from helmkit.errors import InputFileError, UsageError

CONFIG_FILE = "helmkit.yaml"
DEFAULT_KUBE_VERSIONS = ("1.31.0", "1.32.0", "1.33.0", "1.34.0", "1.35.0")


@dataclass(frozen=True)
class Environment:
    name: str
    release: str
    namespace: str
    values: tuple[Path, ...]
    kube_context: str
    timeout: str
    required_secrets: tuple[str, ...]
    verify: dict[str, Any]
    local: bool = False  # a developer's cluster: the posture rules do not apply
    ingress_nginx_configmap: str = ""  # NAMESPACE/NAME; "": found by preflight (its --configmap)


@dataclass(frozen=True)
class HelmkitConfig:
    path: Path
    chart: Path
    kube_versions: tuple[str, ...]
    snapshot_dir: Path
    environments: dict[str, Environment]
    waivers: tuple[dict[str, str], ...] = ()
    profile: str = "strict"
    rules: dict[str, RuleSetting] = field(default_factory=dict)
    # release and namespace every lint/snapshot scenario renders with ("" = the chart's name)
    scenario_release: str = ""
    scenario_namespace: str = ""
    # where `helmkit docs` reads the values schema sources (relative to helmkit.yaml)
    docs_schema_dir: str = "schemas/values"

    def environment(self, name: str) -> Environment:
        try:
            return self.environments[name]
        except KeyError:
            known = ", ".join(sorted(self.environments)) or "(none)"
            raise UsageError(
                f"unknown environment {name!r} (known in {self.path}: {known})",
                hint=f"add an `environments.{name}` entry to {self.path} or pick a known one",
            ) from None


def config_schema() -> dict[str, Any]:
    text = resources.files("helmkit").joinpath("data/helmkit.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def find_config(start: Path) -> Path:
    """helmkit.yaml in start or its nearest parent directory."""
    for directory in (start.resolve(), *start.resolve().parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
    raise UsageError(
        f"no {CONFIG_FILE} found in {start} or any parent directory",
        hint="run helmkit from the repository, or pass --config PATH",
    )


def load_config(path: Path, *, validate: bool = True) -> HelmkitConfig:
    """Load and validate helmkit.yaml against its schema, naming the key path and line of the
    first violation."""
    source = load_yaml_file(str(path), helm=False)  # helmkit's file: YAML 1.1
    _refuse_duplicates(path, source)
    if validate:
        _validate(path, source)
    return _build(path, source.data)


def _refuse_duplicates(path: Path, source: SourcedYaml) -> None:
    """Two `staging:` entries would silently keep the last: refused, naming both lines."""
    if source.duplicates:
        dup = source.duplicates[0]
        raise InputFileError(
            str(path),
            f"duplicate key {format_key_path(dup.key_path)} (first at line {dup.first_line})",
            line=dup.line,
            hint="keep one entry per key; YAML would silently use the last one",
        )


def _validate(path: Path, source: SourcedYaml) -> None:
    compiled = json_schema.validator(config_schema())
    if compiled.is_valid(source.data):
        return
    first = json_schema.violations(compiled, source.data)[0]
    key_path = list(first.path)
    raise InputFileError(
        str(path),
        f"{format_key_path(key_path)}: {first.message}",
        line=source.line_of(key_path),
        hint="see schemas/helmkit.schema.json for the expected shape",
    )


def _build(path: Path, data: dict[str, Any]) -> HelmkitConfig:
    base = path.parent
    environments = {
        name: Environment(
            name=name,
            release=entry["release"],
            namespace=entry["namespace"],
            values=tuple(base / value for value in entry.get("values", [])),
            kube_context=entry.get("kubeContext", ""),
            timeout=entry.get("timeout", "10m"),
            required_secrets=tuple(entry.get("requiredSecrets", [])),
            verify=dict(entry.get("verify", {})),
            local=bool(entry.get("local", name == "local")),
            ingress_nginx_configmap=entry.get("ingressNginxConfigMap", ""),
        )
        for name, entry in data["environments"].items()
    }
    scenario_defaults = data.get("scenarios", {})
    return HelmkitConfig(
        path=path,
        chart=base / data["chart"],
        kube_versions=tuple(data.get("kubeVersions", DEFAULT_KUBE_VERSIONS)),
        snapshot_dir=base / data.get("snapshotDir", "tests/snapshots"),
        environments=environments,
        waivers=tuple(dict(entry) for entry in data.get("waivers", [])),
        profile=data.get("profile", "strict"),
        rules=_rule_settings(path, data.get("rules", {}), data.get("waivers", [])),
        scenario_release=scenario_defaults.get("release", ""),
        scenario_namespace=scenario_defaults.get("namespace", ""),
        docs_schema_dir=data.get("docs", {}).get("schemaDir", "schemas/values"),
    )


def _rule_settings(
    path: Path, entries: dict[str, dict[str, str]], waivers: list[dict[str, str]]
) -> dict[str, RuleSetting]:
    """`rules:` of helmkit.yaml; a rule id that does not exist is refused (a typo would
    silently keep the rule at its default)."""
    named: list[tuple[list[str | int], str]] = [(["rules", r], r) for r in entries]
    named += [(["waivers", i, "rule"], w["rule"]) for i, w in enumerate(waivers)]
    for key_path, rule_id in named:
        if rule_id not in RULES:
            import difflib

            close = difflib.get_close_matches(rule_id, list(RULES), n=1)
            raise InputFileError(
                str(path),
                f"{format_key_path(key_path)}: unknown rule {rule_id!r}",
                hint=f"did you mean {close[0]!r}?" if close else "see the rule list in README.md",
            )
    return {
        rule_id: parse_setting(entry["severity"], entry["reason"])
        for rule_id, entry in entries.items()
    }


def default_config(chart: Path) -> HelmkitConfig:
    """The configuration `helmkit lint CHART` uses where no helmkit.yaml exists: the chart's
    own defaults and its ci/ values, the light profile (a chart written elsewhere), no
    environments. Its path (and with it the render cache) sits beside the chart, not in it: a
    cache inside the chart would change the chart's digest on every run."""
    return HelmkitConfig(
        path=chart.resolve().parent / CONFIG_FILE,
        chart=chart,
        kube_versions=DEFAULT_KUBE_VERSIONS,
        snapshot_dir=chart.resolve().parent / "snapshots" / chart.resolve().name,
        environments={},
        profile="light",
    )
