"""Verify what runs: collect facts (kube adapter reads, helm test pods), judge them (core)."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from helmkit import __version__
from helmkit.core.helm import argv as hal
from helmkit.core.model import live_manifests as lm
from helmkit.core.model.findings import Finding, Severity
from helmkit.core.release import revisions as rv
from helmkit.core.verify import rules as vr
from helmkit.errors import HelmError, UsageError
from helmkit.ops.live import LiveEnv

READ_WORKERS = 8  # below the kubernetes client's connection pool (5 per CPU), so none is dropped
OPTIONAL_KINDS = ("HTTPRoute", "Certificate", "PodMetrics")
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
MAX_TEST_ERROR_CHARS = 400


@dataclass(frozen=True)
class VerifyResult:
    revision: int
    findings: list[Finding]
    running: int | None = None  # the revision that runs, when it is not `revision`

    @property
    def exit_code(self) -> int:
        return 1 if vr.worst(self.findings) >= Severity.ERROR else 0

    def as_json(self) -> str:
        return json.dumps(
            {
                "revision": self.revision,
                "runningRevision": self.running or self.revision,
                "ok": self.exit_code == 0,
                "findings": [vr.as_json(f) for f in self.findings],
            },
            indent=2,
        )


def _pick_revision(live: LiveEnv, revision: int | None) -> tuple[int, int]:
    """The revision to verify, and the one that runs."""
    revisions = live.history()
    if not revisions:
        raise UsageError(
            f"release {live.env.release} does not exist in namespace {live.env.namespace}",
            hint=f"release it first: helmkit release {live.env.name}",
        )
    running = rv.current(revisions)
    assert running is not None  # revisions is not empty
    if revision is None:
        return running.number, running.number
    if revision not in {r.number for r in revisions}:
        known = ", ".join(str(r.number) for r in revisions)
        raise UsageError(
            f"revision {revision} does not exist (known: {known})",
            hint=f"see `helmkit history {live.env.name}`",
        )
    return revision, running.number


@dataclass(frozen=True)
class Known:
    """A revision whose manifest and hooks the caller already has (the release just made it)."""

    revision: int
    manifest: list[lm.KubeObject]
    hooks: list[lm.KubeObject]  # the running revision's: the only test pods helm test runs
    running: int | None = None  # the revision that runs, when it is not `revision`


def _helm_test(live: LiveEnv) -> str:
    """`helm test` (the API endpoint checks run inside those pods); its error, or ""."""
    try:
        live.run(hal.test_argv(live.target, timeout=live.timeout))
    except HelmError as exc:
        # one line for the finding, Secret values masked like every helm error shown
        brief = " ".join(line.strip() for line in live.brief_error(exc.stderr).splitlines())
        return brief.strip()[-MAX_TEST_ERROR_CHARS:]
    return ""


def _test_pods(live: LiveEnv, hooks: list[lm.KubeObject], error: str) -> list[vr.TestPod]:
    tests = [hook for hook in hooks if hook.get("kind") == "Pod" and lm.is_test_hook(hook)]
    pods = {p["metadata"]["name"]: p for p in live.kube.items("Pod", live.env.namespace)}
    found: list[vr.TestPod] = []
    for hook in tests:
        found += vr.test_checks(hook, pods.get(hook["metadata"]["name"]), bool(error))
    return found


def collect(live: LiveEnv, known: Known | Callable[[], Known], *, run_tests: bool) -> vr.Facts:
    """Every read at once: helm test runs while the API is read (its pods are read after it),
    and a kind the cluster does not serve (cert-manager, metrics) comes back as None."""
    kube, ns = live.kube, live.env.namespace
    kube.ready()  # connect once, before the threads share the client
    with ThreadPoolExecutor(max_workers=READ_WORKERS) as pool:
        tested = pool.submit(_helm_test, live) if run_tests else None
        namespace = pool.submit(kube.namespace, ns)
        lists = {kind: pool.submit(kube.items, kind, ns) for kind in LIVE_KINDS}
        optional = {kind: pool.submit(kube.list_kind, kind, ns) for kind in OPTIONAL_KINDS}
        secrets = pool.submit(kube.secrets, ns)
        revision = known if isinstance(known, Known) else known()
        facts = vr.Facts(
            revision=revision.revision,
            expected=revision.manifest,
            helm_version=str(live.version),
            namespace=namespace.result(),
            running=revision.running,
        )
        facts.live = {kind: future.result() for kind, future in lists.items()}
        facts.live["Secret"] = secrets.result()
        facts.live["HTTPRoute"] = optional["HTTPRoute"].result() or []
        facts.certificates = optional["Certificate"].result()
        facts.metrics = optional["PodMetrics"].result()
        if tested is not None:
            facts.tests_error = tested.result()
            facts.tests = _test_pods(live, revision.hooks, facts.tests_error)
    return facts


def verify(
    live: LiveEnv,
    *,
    revision: int | None = None,
    run_tests: bool = True,
    known: Known | None = None,
) -> VerifyResult:
    """Verify revision N (default: the running one), or the `known` one without asking helm."""

    def read() -> Known:
        number, running = _pick_revision(live, revision)
        if number == running:
            return Known(number, *live.manifest_and_hooks(number))
        # helm test runs the running revision's test hooks, so those are the pods to read
        hooks = live.hooks() if run_tests else []
        return Known(number, live.manifest(number), hooks, running)

    facts = collect(live, known or read, run_tests=run_tests)
    findings = vr.judge(
        facts, namespace=live.env.namespace, required_secrets=live.env.required_secrets
    )
    return VerifyResult(
        facts.revision, vr.warn_only(findings, warn_only_reasons(live)), facts.running
    )


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
    running = f", running revision {result.running}" if result.running else ""
    live.echo(
        f"verify {live.env.name}: release {live.env.release} revision {result.revision}{running} "
        f"(helmkit {__version__})"
    )
    for line in vr.format_findings(result.findings):
        live.echo(line)
