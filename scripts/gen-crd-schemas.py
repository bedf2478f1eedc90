"""Generate python/helmkit/data/crd-schemas.json: the openAPIV3Schema of the CRDs the chart
targets (ServiceMonitor, PrometheusRule, ClusterIssuer, Certificate, HTTPRoute, Gateway), from
the CRD YAML the projects ship in their Go modules, at the versions pinned in
scripts/versions.env (PROMETHEUS_OPERATOR_VERSION, CERT_MANAGER_VERSION, GATEWAY_API_VERSION).

Usage: .venv/bin/python scripts/gen-crd-schemas.py [--check]

`go mod download -json MODULE@VERSION` fetches each module into a module cache under
~/.cache/ai-native (outside the repository) and names its directory. The output keeps only
what `helmkit.core.lint.kube_schema` validates (types, properties, items, required, enum, patterns,
lengths, bounds, anyOf/allOf/oneOf, nullable, int-or-string, preserve-unknown-fields; no
descriptions, no CEL rules), and marks every object schema with properties and no
preserve-unknown-fields as closed: the API server prunes (or, with strict field validation,
refuses) a field its structural schema does not name. The result is committed: lint stays
offline and fast; a unit test fails when versions.env and the file's stamp disagree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "python" / "helmkit" / "data" / "crd-schemas.json"
CACHE = Path(os.environ.get("AI_NATIVE_CACHE", Path.home() / ".cache" / "ai-native"))

# (versions.env key, Go module, directory of its CRD files, {file: kinds wanted})
SOURCES = (
    (
        "PROMETHEUS_OPERATOR_VERSION",
        "github.com/prometheus-operator/prometheus-operator",
        "example/prometheus-operator-crd",
        (
            "monitoring.coreos.com_servicemonitors.yaml",
            "monitoring.coreos.com_prometheusrules.yaml",
        ),
    ),
    (
        "CERT_MANAGER_VERSION",
        "github.com/cert-manager/cert-manager",
        "deploy/crds",
        ("cert-manager.io_clusterissuers.yaml", "cert-manager.io_certificates.yaml"),
    ),
    (
        "GATEWAY_API_VERSION",
        "sigs.k8s.io/gateway-api",
        "config/crd/standard",
        ("gateway.networking.k8s.io_httproutes.yaml", "gateway.networking.k8s.io_gateways.yaml"),
    ),
)
KEEP = {
    "type", "properties", "additionalProperties", "items", "required", "enum", "pattern",
    "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "anyOf", "allOf",
    "oneOf", "nullable", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string",
}  # fmt: skip


def pinned() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in (REPO / "scripts" / "versions.env").read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            values[key.strip()] = value.strip().strip('"')
    return values


def module_dir(module: str, version: str) -> Path:
    env = {**os.environ, "GOMODCACHE": str(CACHE / "tools" / "gomodcache"), "GOFLAGS": "-mod=mod"}
    proc = subprocess.run(
        ["go", "mod", "download", "-json", f"{module}@v{version}"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=CACHE,
    )
    info = json.loads(proc.stdout or "{}")
    if proc.returncode != 0 or "Dir" not in info:
        sys.exit(f"go mod download {module}@v{version} failed: {info.get('Error') or proc.stderr}")
    return Path(info["Dir"])


def trim(schema: Any) -> Any:
    """Only the keywords the validator implements; object schemas closed unless they keep
    unknown fields (CRD structural-schema semantics)."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key not in KEEP:
            continue
        if key == "properties":
            out[key] = {name: trim(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = trim(value)
        elif key in ("anyOf", "allOf", "oneOf"):
            out[key] = [trim(sub) for sub in value]
        else:
            out[key] = value
    closed = "properties" in out and not out.get("x-kubernetes-preserve-unknown-fields")
    if closed and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def generate() -> dict[str, Any]:
    versions = pinned()
    stamp: dict[str, str] = {}
    schemas: dict[str, Any] = {}
    for key, module, directory, files in SOURCES:
        version = versions[key]
        stamp[module] = version
        root = module_dir(module, version) / directory
        for name in files:
            crd = yaml.safe_load((root / name).read_text())
            spec = crd["spec"]
            for served in spec["versions"]:
                if not served.get("served", True):
                    continue
                api = f"{spec['group']}/{served['name']}"
                schema = served["schema"]["openAPIV3Schema"]
                schemas[f"{api}/{spec['names']['kind']}"] = trim(schema)
    return {"generatedFrom": stamp, "schemas": dict(sorted(schemas.items()))}


def main() -> int:
    text = json.dumps(generate(), sort_keys=True, separators=(",", ":")) + "\n"
    if "--check" in sys.argv:
        if not OUT.is_file() or OUT.read_text() != text:
            print(f"{OUT.relative_to(REPO)} is stale: run scripts/gen-crd-schemas.py")
            return 1
        print(f"{OUT.relative_to(REPO)} is up to date")
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(REPO)} ({len(text) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
