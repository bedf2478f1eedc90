"""Verify what runs: collect facts (kube adapter reads, helm test pods), judge them (core)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from helmkit import __version__
from helmkit.core import helm_argv_live as hal
from helmkit.core import revisions as rv
from helmkit.core import verify_rules as vr
from helmkit.errors import HelmError, UsageError
from helmkit.ops.live import LiveEnv

LIVE_KINDS = (
    "ConfigMap",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Service",
    "EndpointSlice",
    "Ingress",
    "HorizontalPodAutoscaler",
    "Pod",
)
TEST_HOOK = "test"
MAX_TEST_ERROR_CHARS = 400


@dataclass(frozen=True)
class VerifyResult:
    revision: int
    findings: list[vr.Finding]

    @property
    def exit_code(self) -> int:
        return 1 if vr.worst(self.findings) >= vr.Severity.ERROR else 0

    def as_json(self) -> str:
        return json.dumps(
            {
                "revision": self.revision,
                "ok": self.exit_code == 0,
                "findings": [f.as_json() for f in self.findings],
            },
            indent=2,
        )


def _pick_revision(live: LiveEnv, revision: int | None) -> int:
    revisions = live.history()
    if not revisions:
        raise UsageError(
            f"release {live.env.release} does not exist in namespace {live.env.namespace}",
            hint=f"release it first: helmkit release {live.env.name}",
        )
    if revision is None:
        running = rv.current(revisions)
        assert running is not None  # revisions is not empty
        return running.number
    if revision not in {r.number for r in revisions}:
        known = ", ".join(str(r.number) for r in revisions)
        raise UsageError(
            f"revision {revision} does not exist (known: {known})",
            hint=f"see `helmkit history {live.env.name}`",
        )
    return revision


def _run_tests(live: LiveEnv) -> tuple[list[vr.TestPod], str]:
    """`helm test` (the API endpoint checks run inside those pods), then the pods' phases."""
    error = ""
    try:
        live.run(hal.test_argv(live.target, timeout=live.timeout))
    except HelmError as exc:
        error = exc.stderr.strip()[-MAX_TEST_ERROR_CHARS:]
    tests = [
        hook
        for hook in live.hooks()
        if hook.get("kind") == "Pod"
        and TEST_HOOK in str((hook["metadata"].get("annotations") or {}).get("helm.sh/hook", ""))
    ]
    pods = {p["metadata"]["name"]: p for p in live.kube.items("Pod", live.env.namespace)}
    found: list[vr.TestPod] = []
    for hook in tests:
        name = hook["metadata"]["name"]
        phase = pods.get(name, {}).get("status", {}).get("phase")
        # a hook-succeeded delete policy removes the pod: helm's exit status is then the answer
        found.append(vr.TestPod(name, str(phase or ("Failed" if error else "Succeeded"))))
    return found, error


def collect(live: LiveEnv, revision: int, *, run_tests: bool) -> vr.Facts:
    kube, ns = live.kube, live.env.namespace
    served = kube.served_api_versions()
    facts = vr.Facts(
        revision=revision,
        expected=live.manifest(revision),
        helm_version=str(live.version),
        namespace=kube.namespace(ns),
    )
    if facts.namespace is None:
        return facts
    with ThreadPoolExecutor(max_workers=4) as pool:  # independent GETs
        lists = dict(
            zip(LIVE_KINDS, pool.map(lambda kind: kube.items(kind, ns), LIVE_KINDS), strict=False)
        )
    facts.live = lists
    facts.live["Secret"] = kube.secrets(ns)
    if "gateway.networking.k8s.io/v1" in served:
        facts.live["HTTPRoute"] = kube.items("HTTPRoute", ns)
    if "cert-manager.io/v1" in served:
        facts.certificates = kube.items("Certificate", ns)
    if "metrics.k8s.io/v1beta1" in served:
        facts.metrics = kube.items("PodMetrics", ns)
    if run_tests:
        facts.tests, facts.tests_error = _run_tests(live)
    return facts


def verify(live: LiveEnv, *, revision: int | None = None, run_tests: bool = True) -> VerifyResult:
    number = _pick_revision(live, revision)
    facts = collect(live, number, run_tests=run_tests)
    findings = vr.judge(
        facts, namespace=live.env.namespace, required_secrets=live.env.required_secrets
    )
    return VerifyResult(number, vr.warn_only(findings, warn_only_reasons(live)))


def warn_only_reasons(live: LiveEnv) -> dict[str, str]:
    """helmkit.yaml `environments.ENV.verify.warnOnly`: check name -> why it only warns there."""
    raw = live.env.verify.get("warnOnly") or {}
    known = {
        "tools",
        "namespace",
        "config",
        "pods",
        "services",
        "routes",
        "tls",
        "hpa",
        "api",
        "resources",
        "revision",
    }
    if not isinstance(raw, dict) or not all(isinstance(v, str) and v for v in raw.values()):
        raise UsageError(
            f"{live.config.path}: environments.{live.env.name}.verify.warnOnly must map a check "
            "name to a non-empty reason",
            hint="e.g. warnOnly: {services: 'pod IPs of the local control plane are loopback'}",
        )
    unknown = sorted(set(raw) - known)
    if unknown:
        raise UsageError(
            f"{live.config.path}: environments.{live.env.name}.verify.warnOnly: unknown check(s) "
            f"{', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return {str(k): str(v) for k, v in raw.items()}


def print_result(live: LiveEnv, result: VerifyResult, *, fmt: str) -> None:
    if fmt == "json":
        live.echo(result.as_json())
        return
    live.echo(
        f"verify {live.env.name}: release {live.env.release} revision {result.revision} "
        f"(helmkit {__version__})"
    )
    for line in vr.format_findings(result.findings):
        live.echo(line)
