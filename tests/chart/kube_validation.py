"""Strict Kubernetes schema validation with the schemas the kubernetes-validate package bundles.

kubernetes_validate.validate() reloads the definitions file and builds a validator on every
call; here each (version, apiVersion, kind) validator is built once and cached, which keeps
validating every object of every scenario against five Kubernetes versions fast.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from referencing import Registry, Resource

SCHEMAS = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
# Custom resources: the bundled schemas cover built-in kinds only.
CRD_KINDS = ("HTTPRoute", "ServiceMonitor", "ClusterIssuer")


@functools.cache
def _registry(version: str) -> tuple[Path, Registry[Any]]:
    directory = SCHEMAS / f"v{version}.0-local-strict"
    if not directory.is_dir():
        pytest.fail(f"kubernetes-validate has no strict schemas for {version}: "
                    "run `.venv/bin/pip install -e .[dev]` (a newer kubernetes-validate)")
    definitions = json.loads((directory / "_definitions.json").read_text())
    return directory, Resource.from_contents(definitions) @ Registry()


@functools.cache
def _validator(version: str, api_version: str, kind: str) -> jsonschema.Validator:
    directory, registry = _registry(version)
    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    path = directory / f"{kind.lower()}-{group}.json"
    if not path.exists():
        pytest.fail(f"no bundled schema for {api_version} {kind} in Kubernetes {version}")
    schema = json.loads(path.read_text())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def validate_strict(obj: dict[str, Any], version: str) -> list[str]:
    """Messages (`Kind/name: path: problem`) for every violation; empty when valid."""
    validator = _validator(version, obj["apiVersion"], obj["kind"])
    name = f"{obj['kind']}/{obj.get('metadata', {}).get('name')}"
    return [
        f"{name}: {'.'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(obj)
    ]
