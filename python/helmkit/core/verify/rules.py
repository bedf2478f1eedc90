"""Verify judgements: the seed verify.sh's 10 checks plus "live objects match revision N", decided
from facts the kube and helm adapters collected. Pure: facts in, findings out.

An API that is absent (metrics, cert-manager) gives an INFO "skipped: API not present", never an
OK, so a missing capability is not mistaken for a pass.

Verifying an older revision N: every check reads what runs now; `revision` is the one that compares
it with N. `helm test` can only run the running revision's test pods, so the `api` check says it
tested the running revision M (what runs), not N.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from helmkit.core.model import live_manifests as lm
from helmkit.core.model.findings import Finding, Severity
from helmkit.core.model.live_manifests import KubeObject, ObjectKey
from helmkit.core.model.workloads import LONG_RUNNING

USAGE_WARN_RATIO = 0.9
# a test pod helm test did not leave behind when it failed: deleted once it passed, or never run
# (helm stops at the first failed test pod); not counted as a failure of its own
SUCCEEDED = "Succeeded"
ABSENT_AFTER_FAILURE = "absent (passed and deleted, or not run after the failure)"


# a verify finding's `rule` is the check's name (pods, tls, ...)
_TAGS = {
    Severity.OK: "ok",
    Severity.INFO: "info",
    Severity.WARNING: "warn",
    Severity.ERROR: "ERROR",
}


def tag(severity: Severity) -> str:
    """The severity as `helmkit verify` prints it (an error stands out in capitals)."""
    return _TAGS[severity]


def as_json(finding: Finding) -> dict[str, str]:
    """One check's line of `helmkit verify --format json`."""
    severity = tag(finding.severity).lower()
    return {"check": finding.rule, "severity": severity, "message": finding.message}


@dataclass(frozen=True)
class TestPod:
    """One helm test check: `pod/container` and its outcome ("Succeeded", "Failed (exit 1,
    Error)", ABSENT_AFTER_FAILURE, or the phase it was left in)."""

    name: str
    phase: str


def test_checks(hook: KubeObject, live_pod: KubeObject | None, helm_failed: bool) -> list[TestPod]:
    """The checks of one test pod hook, one per container, from the pod helm test left. A chart's
    hook-succeeded delete policy removes a passed pod (ai-native keeps it): an absent pod passed,
    unless helm stopped at an earlier failure."""
    name = hook["metadata"]["name"]
    containers = [str(c.get("name", "")) for c in hook.get("spec", {}).get("containers", [])]
    if live_pod is None:
        outcome = ABSENT_AFTER_FAILURE if helm_failed else SUCCEEDED
        return [TestPod(f"{name}/{c}", outcome) for c in containers]
    status = live_pod.get("status", {})
    states = {
        str(s.get("name", "")): s.get("state", {}) for s in status.get("containerStatuses") or []
    }
    phase = str(status.get("phase") or "Unknown")
    return [
        TestPod(f"{name}/{c}", _container_outcome(states.get(c, {}), phase)) for c in containers
    ]


def _container_outcome(state: KubeObject, phase: str) -> str:
    done = state.get("terminated")
    if done is None:
        return phase if phase in ("Failed", "Succeeded") else f"not finished ({phase})"
    code = int(done.get("exitCode", 0))
    if code == 0:
        return SUCCEEDED
    # the exit code and reason only: a termination message may carry the script's output
    return f"Failed (exit {code}, {done.get('reason') or 'Error'})"


@dataclass
class Facts:
    revision: int
    expected: list[KubeObject]  # the revision's manifest
    helm_version: str | None
    namespace: KubeObject | None
    live: dict[str, list[KubeObject]] = field(default_factory=dict)  # kind -> objects
    certificates: list[KubeObject] | None = None  # None: cert-manager API absent
    tests: list[TestPod] | None = None  # None: helm test not run
    tests_error: str = ""
    metrics: list[KubeObject] | None = None  # PodMetrics; None: metrics API absent
    running: int | None = None  # the revision that runs, when it is not `revision`

    def live_of(self, kind: str) -> dict[str, KubeObject]:
        return {obj["metadata"]["name"]: obj for obj in self.live.get(kind, [])}


def _f(check: str, severity: Severity, message: str) -> Finding:
    return Finding(check, severity, message)


def check_tools(facts: Facts) -> list[Finding]:
    if not facts.helm_version:
        return [_f("tools", Severity.ERROR, "helm not found; run scripts/bootstrap.sh")]
    return [_f("tools", Severity.OK, f"helm {facts.helm_version}, kubernetes API reachable")]


def check_namespace(facts: Facts, name: str) -> list[Finding]:
    if facts.namespace is None:
        return [_f("namespace", Severity.ERROR, f"namespace {name} does not exist")]
    enforce = lm.labels(facts.namespace).get("pod-security.kubernetes.io/enforce", "")
    if enforce != "restricted":
        return [
            _f(
                "namespace",
                Severity.WARNING,
                f"namespace {name} exists but does not enforce Pod Security 'restricted' "
                f"(enforce={enforce or 'unset'})",
            )
        ]
    return [_f("namespace", Severity.OK, f"namespace {name} enforces restricted")]


def _data_keys(obj: KubeObject) -> set[str]:
    return {
        *(obj.get("data") or {}),
        *(obj.get("stringData") or {}),
        *(obj.get("binaryData") or {}),
    }


def check_config(facts: Facts, required_secrets: Sequence[str]) -> list[Finding]:
    findings: list[Finding] = []
    for kind in ("ConfigMap", "Secret"):
        live = facts.live_of(kind)
        for want in lm.of_kind(facts.expected, kind):
            name = want["metadata"]["name"]
            if name not in live:
                findings.append(_f("config", Severity.ERROR, f"{kind} {name} is missing"))
                continue
            absent = sorted(_data_keys(want) - _data_keys(live[name]))
            if absent:
                findings.append(
                    _f("config", Severity.ERROR, f"{kind} {name} lacks keys {', '.join(absent)}")
                )
            else:
                findings.append(
                    _f("config", Severity.OK, f"{kind} {name} has its {len(_data_keys(want))} keys")
                )
    secrets = facts.live_of("Secret")
    findings += [
        _f("config", Severity.ERROR, f"required Secret {name} is missing")
        for name in required_secrets
        if name not in secrets
    ]
    return findings


def _desired_replicas(workload: KubeObject) -> int:
    return int(workload.get("spec", {}).get("replicas", 1))


def check_pods(facts: Facts) -> list[Finding]:
    findings: list[Finding] = []
    for kind in LONG_RUNNING:
        live = facts.live_of(kind)
        for want in lm.of_kind(facts.expected, kind):
            name = want["metadata"]["name"]
            obj = live.get(name)
            if obj is None:
                findings.append(_f("pods", Severity.ERROR, f"{kind} {name} does not exist"))
                continue
            status = obj.get("status", {})
            desired = (
                int(status.get("desiredNumberScheduled", 0))
                if kind == "DaemonSet"
                else _desired_replicas(obj)
            )
            ready = int(status.get("numberReady" if kind == "DaemonSet" else "readyReplicas", 0))
            comp = lm.component_of(obj)
            if desired == 0:
                findings.append(
                    _f("pods", Severity.WARNING, f"{comp}: {kind} {name} has 0 replicas")
                )
            elif ready < desired:
                findings.append(
                    _f(
                        "pods",
                        Severity.ERROR,
                        f"{comp}: {ready}/{desired} pods Ready ({kind} {name})",
                    )
                )
            else:
                findings.append(_f("pods", Severity.OK, f"{comp}: {ready}/{desired} pods Ready"))
    return findings


def _ready_endpoints(slices: Iterable[KubeObject], service: str) -> int:
    count = 0
    for eps in slices:
        if lm.labels(eps).get("kubernetes.io/service-name") != service:
            continue
        for endpoint in eps.get("endpoints") or []:
            if (endpoint.get("conditions") or {}).get("ready", True):
                count += 1
    return count


def check_services(facts: Facts) -> list[Finding]:
    findings: list[Finding] = []
    live = facts.live_of("Service")
    slices = facts.live.get("EndpointSlice", [])
    for want in lm.of_kind(facts.expected, "Service"):
        name = want["metadata"]["name"]
        if name not in live:
            findings.append(_f("services", Severity.ERROR, f"Service {name} does not exist"))
            continue
        if not want.get("spec", {}).get("selector"):
            findings.append(_f("services", Severity.INFO, f"Service {name} has no selector"))
            continue
        ready = _ready_endpoints(slices, name)
        severity = Severity.OK if ready else Severity.ERROR
        findings.append(_f("services", severity, f"Service {name}: {ready} ready endpoint(s)"))
    return findings


def _ingress_address(obj: KubeObject) -> str:
    entries = obj.get("status", {}).get("loadBalancer", {}).get("ingress") or []
    return ", ".join(str(e.get("ip") or e.get("hostname") or "") for e in entries)


def _route_accepted(obj: KubeObject) -> bool:
    for parent in obj.get("status", {}).get("parents") or []:
        for cond in parent.get("conditions") or []:
            if cond.get("type") == "Accepted" and cond.get("status") == "True":
                return True
    return False


def check_routes(facts: Facts) -> list[Finding]:
    ingresses = lm.of_kind(facts.expected, "Ingress")
    routes = lm.of_kind(facts.expected, "HTTPRoute")
    if not ingresses and not routes:
        return [_f("routes", Severity.INFO, "no Ingress or HTTPRoute in this release")]
    findings: list[Finding] = []
    live_ing = facts.live_of("Ingress")
    for want in ingresses:
        name = want["metadata"]["name"]
        address = _ingress_address(live_ing[name]) if name in live_ing else ""
        if name not in live_ing:
            findings.append(_f("routes", Severity.ERROR, f"Ingress {name} does not exist"))
        elif address:
            findings.append(_f("routes", Severity.OK, f"Ingress {name} at {address}"))
        else:
            findings.append(
                _f(
                    "routes",
                    Severity.WARNING,
                    f"Ingress {name} has no address yet (is the ingress controller running?)",
                )
            )
    live_routes = facts.live_of("HTTPRoute")
    for want in routes:
        name = want["metadata"]["name"]
        if name not in live_routes:
            findings.append(_f("routes", Severity.ERROR, f"HTTPRoute {name} does not exist"))
        elif _route_accepted(live_routes[name]):
            findings.append(_f("routes", Severity.OK, f"HTTPRoute {name} accepted by its Gateway"))
        else:
            findings.append(_f("routes", Severity.WARNING, f"HTTPRoute {name} not accepted yet"))
    return findings


def _condition(obj: KubeObject, kind: str) -> str:
    for cond in obj.get("status", {}).get("conditions") or []:
        if cond.get("type") == kind:
            return str(cond.get("status", ""))
    return ""


def check_tls(facts: Facts) -> list[Finding]:
    tls_secrets = sorted(
        {
            str(tls["secretName"])
            for ing in lm.of_kind(facts.expected, "Ingress")
            for tls in ing.get("spec", {}).get("tls") or []
            if tls.get("secretName")
        }
    )
    if not tls_secrets:
        return [_f("tls", Severity.INFO, "no TLS in this release")]
    if facts.certificates is None:
        return [_f("tls", Severity.INFO, "skipped: API not present (cert-manager.io/v1)")]
    by_secret = {str(c.get("spec", {}).get("secretName")): c for c in facts.certificates}
    findings: list[Finding] = []
    for secret in tls_secrets:
        cert = by_secret.get(secret)
        if cert is None:
            findings.append(_f("tls", Severity.ERROR, f"no Certificate issues Secret {secret}"))
        elif _condition(cert, "Ready") == "True":
            findings.append(_f("tls", Severity.OK, f"Certificate {cert['metadata']['name']} Ready"))
        else:
            findings.append(
                _f("tls", Severity.ERROR, f"Certificate {cert['metadata']['name']} is not Ready")
            )
    return findings


def _hpa_replicas(facts: Facts, hpa: KubeObject) -> int:
    """status.currentReplicas; an HPA that never got metrics has none, so the target's own
    replica count is what runs."""
    current = hpa.get("status", {}).get("currentReplicas")
    if current is not None:
        return int(current)
    ref = hpa.get("spec", {}).get("scaleTargetRef", {})
    target = facts.live_of(str(ref.get("kind", ""))).get(str(ref.get("name", "")), {})
    return int(target.get("status", {}).get("replicas", 0))


def check_hpa(facts: Facts) -> list[Finding]:
    wanted = lm.of_kind(facts.expected, "HorizontalPodAutoscaler")
    if not wanted:
        return [_f("hpa", Severity.INFO, "no HorizontalPodAutoscaler in this release")]
    live = facts.live_of("HorizontalPodAutoscaler")
    findings: list[Finding] = []
    for want in wanted:
        name = want["metadata"]["name"]
        hpa = live.get(name)
        if hpa is None:
            findings.append(_f("hpa", Severity.ERROR, f"HPA {name} does not exist"))
            continue
        spec = hpa.get("spec", {})
        low, high = int(spec.get("minReplicas", 1)), int(spec.get("maxReplicas", 1))
        replicas = _hpa_replicas(facts, hpa)
        if not low <= replicas <= high:
            findings.append(
                _f(
                    "hpa",
                    Severity.WARNING,
                    f"HPA {name}: {replicas} replicas outside {low}..{high}",
                )
            )
        elif _condition(hpa, "ScalingActive") == "False":
            findings.append(
                _f(
                    "hpa",
                    Severity.WARNING,
                    f"HPA {name}: {replicas} in {low}..{high} but not scaling "
                    "(no metrics for it yet)",
                )
            )
        else:
            findings.append(_f("hpa", Severity.OK, f"HPA {name}: {replicas} in {low}..{high}"))
    return findings


def tests_scope(facts: Facts) -> str:
    """Whose test pods `helm test` ran: always the running revision's (helm has no other), so
    when an older revision is verified the api findings say they are about what runs now."""
    if facts.running is None or facts.running == facts.revision:
        return ""
    return f" (running revision {facts.running})"


def _api_scope_note(facts: Facts) -> list[Finding]:
    if not tests_scope(facts):
        return []
    return [
        _f(
            "api",
            Severity.INFO,
            f"helm test runs the test pods of the running revision {facts.running}, not of "
            f"revision {facts.revision}: it tests what runs now (the revision check compares "
            f"what runs with revision {facts.revision})",
        )
    ]


_TEST_PHASE_SEVERITY = {SUCCEEDED: Severity.OK, ABSENT_AFTER_FAILURE: Severity.WARNING}


def check_api(facts: Facts) -> list[Finding]:
    if facts.tests is None:
        return [_f("api", Severity.INFO, "helm test not run (--skip-tests)")]
    scope = tests_scope(facts)
    findings = _api_scope_note(facts)
    if facts.tests_error and not facts.tests:
        return [
            *findings,
            _f("api", Severity.ERROR, f"helm test failed{scope}: {facts.tests_error}"),
        ]
    if not facts.tests:
        return [*findings, _f("api", Severity.WARNING, f"the chart has no helm test pods{scope}")]
    findings += [
        _f(
            "api",
            _TEST_PHASE_SEVERITY.get(pod.phase, Severity.ERROR),
            f"test {pod.name}{scope}: {pod.phase}",
        )
        for pod in facts.tests
    ]
    if facts.tests_error:
        findings.append(_f("api", Severity.ERROR, f"helm test failed{scope}: {facts.tests_error}"))
    return findings


_UNITS = {
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "n": 1e-9,
    "u": 1e-6,
    "m": 1e-3,
}


def quantity(text: str) -> float:
    for suffix in sorted(_UNITS, key=len, reverse=True):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * _UNITS[suffix]
    return float(text)


def _limits(pods: Iterable[KubeObject]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (pod["metadata"]["name"], c["name"]): (c.get("resources") or {}).get("limits") or {}
        for pod in pods
        for c in pod.get("spec", {}).get("containers") or []
    }


def check_resources(facts: Facts) -> list[Finding]:
    if facts.metrics is None:
        return [_f("resources", Severity.INFO, "skipped: API not present (metrics.k8s.io)")]
    limits = _limits(facts.live.get("Pod", []))
    findings: list[Finding] = []
    for usage in facts.metrics:
        pod = usage["metadata"]["name"]
        for container in usage.get("containers") or []:
            limit = limits.get((pod, container["name"]), {})
            for resource in ("cpu", "memory"):
                used = container.get("usage", {}).get(resource)
                if used and limit.get(resource):
                    ratio = quantity(str(used)) / quantity(str(limit[resource]))
                    if ratio >= USAGE_WARN_RATIO:
                        findings.append(
                            _f(
                                "resources",
                                Severity.WARNING,
                                f"{pod}/{container['name']} uses {ratio:.0%} of its "
                                f"{resource} limit",
                            )
                        )
    return findings or [_f("resources", Severity.OK, "every container below 90% of its limits")]


def _replica_finding(
    facts: Facts, want: KubeObject, obj: KubeObject, hpas: dict[ObjectKey, KubeObject]
) -> Finding | None:
    key = lm.key_of(want)
    n = facts.revision
    if key in hpas:
        want_hpa = hpas[key]
        live_hpa = facts.live_of("HorizontalPodAutoscaler").get(want_hpa["metadata"]["name"])
        bounds = ("minReplicas", "maxReplicas")
        if live_hpa is None or any(
            live_hpa["spec"].get(b) != want_hpa["spec"].get(b) for b in bounds
        ):
            return _f("revision", Severity.ERROR, f"{key}: HPA bounds differ from revision {n}")
        return None
    if _desired_replicas(obj) != _desired_replicas(want):
        return _f(
            "revision",
            Severity.ERROR,
            f"{key}: {_desired_replicas(obj)} replicas, revision {n} has "
            f"{_desired_replicas(want)}",
        )
    return None


def check_revision(facts: Facts) -> list[Finding]:
    """Live workloads carry revision N's images, config checksums and replicas (or HPA)."""
    n = facts.revision
    hpas = lm.hpa_targets(facts.expected)
    findings: list[Finding] = []
    for want in lm.of_kind(facts.expected, *LONG_RUNNING):
        key = lm.key_of(want)
        obj = facts.live_of(key.kind).get(key.name)
        if obj is None:
            findings.append(_f("revision", Severity.ERROR, f"{key} from revision {n} is missing"))
            continue
        if lm.container_images(obj) != lm.container_images(want):
            findings.append(
                _f(
                    "revision",
                    Severity.ERROR,
                    f"{key}: runs {', '.join(lm.container_images(obj))}, revision {n} "
                    f"has {', '.join(lm.container_images(want))}",
                )
            )
        if lm.checksum_annotations(obj) != lm.checksum_annotations(want):
            findings.append(
                _f("revision", Severity.ERROR, f"{key}: config checksums differ from revision {n}")
            )
        replica = _replica_finding(facts, want, obj, hpas)
        if replica:
            findings.append(replica)
    if not findings:
        findings.append(
            _f(
                "revision",
                Severity.OK,
                f"live workloads match revision {n} (images, checksums, replicas)",
            )
        )
    return findings


def judge(facts: Facts, *, namespace: str, required_secrets: Sequence[str] = ()) -> list[Finding]:
    """All checks in the seed's order, then the revision match."""
    return [
        *check_tools(facts),
        *check_namespace(facts, namespace),
        *check_config(facts, required_secrets),
        *check_pods(facts),
        *check_services(facts),
        *check_routes(facts),
        *check_tls(facts),
        *check_hpa(facts),
        *check_api(facts),
        *check_resources(facts),
        *check_revision(facts),
    ]


def warn_only(findings: Iterable[Finding], reasons: Mapping[str, str]) -> list[Finding]:
    """An environment may declare, with a reason, that a check's errors are only warnings there
    (helmkit.yaml `verify.warnOnly: {CHECK: REASON}`); the reason is printed with each one."""
    return [
        Finding(f.rule, Severity.WARNING, f"{f.message} (warn only here: {reasons[f.rule]})")
        if f.severity == Severity.ERROR and f.rule in reasons
        else f
        for f in findings
    ]


def worst(findings: Iterable[Finding]) -> Severity:
    return max((f.severity for f in findings), default=Severity.OK)


def format_findings(findings: Sequence[Finding]) -> list[str]:
    lines = [f"[{tag(f.severity):>5}] {f.rule:<9} {f.message}" for f in findings]
    counts = {s: sum(1 for f in findings if f.severity == s) for s in Severity}
    lines.append(
        f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), "
        f"{counts[Severity.OK]} ok, {counts[Severity.INFO]} info"
    )
    return lines
