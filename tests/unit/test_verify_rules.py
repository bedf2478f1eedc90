"""Verify judgements from collected facts."""

from __future__ import annotations

import copy
from typing import Any

from helmkit.core.model.findings import Finding, Severity
from helmkit.core.verify import rules as vr

DEPLOY: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "ai-native-backend", "labels": {"app.kubernetes.io/component": "backend"}},
    "spec": {
        "template": {
            "metadata": {"annotations": {"checksum/config": "c1"}},
            "spec": {"containers": [{"name": "api", "image": "backend:1.0.0"}]},
        }
    },
}
HPA = {
    "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "ai-native-backend"},
    "spec": {
        "scaleTargetRef": {"kind": "Deployment", "name": "ai-native-backend"},
        "minReplicas": 2,
        "maxReplicas": 5,
    },
}
SVC = {
    "kind": "Service",
    "metadata": {"name": "ai-native-backend"},
    "spec": {"selector": {"a": "b"}},
}
CM = {"kind": "ConfigMap", "metadata": {"name": "ai-native-config"}, "data": {"A": "1", "B": "2"}}
SECRET = {
    "kind": "Secret",
    "metadata": {"name": "ai-native-secrets"},
    "data": {"JWT_SECRET_KEY": ""},
}
NS = {"metadata": {"name": "ns", "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}


def live_deploy(ready: int = 2, image: str = "backend:1.0.0", replicas: int = 2) -> dict[str, Any]:
    obj = copy.deepcopy(DEPLOY)
    obj["spec"]["replicas"] = replicas
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = image
    obj["status"] = {"readyReplicas": ready}
    return obj


def healthy() -> vr.Facts:
    slice_ = {
        "metadata": {"name": "x", "labels": {"kubernetes.io/service-name": "ai-native-backend"}},
        "endpoints": [{"conditions": {"ready": True}}, {"conditions": {"ready": True}}],
    }
    live_hpa = copy.deepcopy(HPA)
    live_hpa["status"] = {"currentReplicas": 2}
    return vr.Facts(
        revision=3,
        expected=[DEPLOY, HPA, SVC, CM, SECRET],
        helm_version="v4.3.1",
        namespace=NS,
        live={
            "Deployment": [live_deploy()],
            "HorizontalPodAutoscaler": [live_hpa],
            "Service": [SVC],
            "EndpointSlice": [slice_],
            "ConfigMap": [CM],
            "Secret": [SECRET],
        },
        tests=[vr.TestPod("ai-native-test/api", "Succeeded")],
    )


def by_check(findings: list[Finding], check: str) -> list[tuple[Severity, str]]:
    return [(f.severity, f.message) for f in findings if f.rule == check]


def test_healthy_release_passes_with_absent_apis_as_info() -> None:
    findings = vr.judge(healthy(), namespace="ns")
    assert vr.worst(findings) == Severity.INFO
    assert by_check(findings, "tls") == [(Severity.INFO, "no TLS in this release")]
    assert by_check(findings, "resources") == [
        (Severity.INFO, "skipped: API not present (metrics.k8s.io)")
    ]
    assert by_check(findings, "revision") == [
        (Severity.OK, "live workloads match revision 3 (images, checksums, replicas)")
    ]
    assert by_check(findings, "pods") == [(Severity.OK, "backend: 2/2 pods Ready")]
    assert by_check(findings, "services") == [
        (Severity.OK, "Service ai-native-backend: 2 ready endpoint(s)")
    ]
    assert vr.format_findings(findings)[-1].startswith("0 error(s), 0 warning(s)")


def test_not_ready_pods_and_missing_endpoints_are_errors() -> None:
    facts = healthy()
    facts.live["Deployment"] = [live_deploy(ready=1)]
    facts.live["EndpointSlice"] = []
    findings = vr.judge(facts, namespace="ns")
    assert (Severity.ERROR, "backend: 1/2 pods Ready (Deployment ai-native-backend)") in by_check(
        findings, "pods"
    )
    assert by_check(findings, "services") == [
        (Severity.ERROR, "Service ai-native-backend: 0 ready endpoint(s)")
    ]
    assert vr.worst(findings) == Severity.ERROR


def test_live_not_matching_revision() -> None:
    facts = healthy()
    facts.live["Deployment"] = [live_deploy(image="backend:2.0.0")]
    facts.live["HorizontalPodAutoscaler"][0]["spec"]["maxReplicas"] = 9
    messages = [m for _, m in by_check(vr.judge(facts, namespace="ns"), "revision")]
    assert messages == [
        "Deployment/ai-native-backend: runs backend:2.0.0, revision 3 has backend:1.0.0",
        "Deployment/ai-native-backend: HPA bounds differ from revision 3",
    ]


def test_replicas_without_hpa_and_missing_config_keys() -> None:
    facts = healthy()
    facts.expected = [live_deploy(replicas=3), CM]
    facts.live["Deployment"] = [live_deploy(replicas=2)]
    facts.live["ConfigMap"] = [
        {"kind": "ConfigMap", "metadata": {"name": "ai-native-config"}, "data": {"A": "1"}}
    ]
    findings = vr.judge(facts, namespace="ns", required_secrets=["external"])
    assert (
        Severity.ERROR,
        "Deployment/ai-native-backend: 2 replicas, revision 3 has 3",
    ) in by_check(findings, "revision")
    assert by_check(findings, "config") == [
        (Severity.ERROR, "ConfigMap ai-native-config lacks keys B"),
        (Severity.ERROR, "required Secret external is missing"),
    ]


def test_tests_tls_hpa_namespace_metrics() -> None:
    facts = healthy()
    facts.tests = [vr.TestPod("t", "Failed")]
    facts.tests_error = "pod t failed"
    facts.namespace = {"metadata": {"name": "ns", "labels": {}}}
    facts.expected.append(
        {
            "kind": "Ingress",
            "metadata": {"name": "web"},
            "spec": {"tls": [{"secretName": "web-tls"}]},
        }
    )
    facts.live["Ingress"] = [{"metadata": {"name": "web"}, "status": {}}]
    facts.certificates = [
        {
            "metadata": {"name": "web"},
            "spec": {"secretName": "web-tls"},
            "status": {"conditions": [{"type": "Ready", "status": "False"}]},
        }
    ]
    facts.live["HorizontalPodAutoscaler"][0]["status"]["currentReplicas"] = 7
    facts.live["Pod"] = [
        {
            "metadata": {"name": "p"},
            "spec": {
                "containers": [
                    {"name": "api", "resources": {"limits": {"memory": "1Gi", "cpu": "1"}}}
                ]
            },
        }
    ]
    facts.metrics = [
        {
            "metadata": {"name": "p"},
            "containers": [{"name": "api", "usage": {"memory": "1000Mi", "cpu": "100m"}}],
        }
    ]
    findings = vr.judge(facts, namespace="ns")
    assert by_check(findings, "api") == [
        (Severity.ERROR, "test t: Failed"),
        (Severity.ERROR, "helm test failed: pod t failed"),
    ]
    assert by_check(findings, "tls") == [(Severity.ERROR, "Certificate web is not Ready")]
    assert by_check(findings, "routes")[0][0] == Severity.WARNING
    assert by_check(findings, "hpa") == [
        (Severity.WARNING, "HPA ai-native-backend: 7 replicas outside 2..5")
    ]
    assert by_check(findings, "namespace")[0][0] == Severity.WARNING
    assert by_check(findings, "resources") == [
        (Severity.WARNING, "p/api uses 98% of its memory limit")
    ]


def test_missing_tools_namespace_and_tests_not_run() -> None:
    facts = vr.Facts(revision=1, expected=[], helm_version=None, namespace=None)
    findings = vr.judge(facts, namespace="gone")
    assert by_check(findings, "tools")[0][0] == Severity.ERROR
    assert by_check(findings, "namespace") == [(Severity.ERROR, "namespace gone does not exist")]
    assert by_check(findings, "api") == [(Severity.INFO, "helm test not run (--skip-tests)")]


def test_quantities() -> None:
    assert vr.quantity("1Gi") == 2**30
    assert vr.quantity("250m") == 0.25
    assert vr.quantity("2") == 2.0


def test_warn_only_downgrades_errors_of_one_check_with_the_reason() -> None:
    facts = healthy()
    facts.live["EndpointSlice"] = []
    facts.live["Deployment"] = [live_deploy(ready=1)]
    findings = vr.warn_only(vr.judge(facts, namespace="ns"), {"services": "loopback pod IPs"})
    assert by_check(findings, "services") == [
        (
            Severity.WARNING,
            "Service ai-native-backend: 0 ready endpoint(s) (warn only here: loopback pod IPs)",
        )
    ]
    assert vr.worst(findings) == Severity.ERROR, "other checks keep their errors"


def test_hpa_without_status_uses_the_target_replicas() -> None:
    facts = healthy()
    del facts.live["HorizontalPodAutoscaler"][0]["status"]
    facts.live["Deployment"][0]["status"]["replicas"] = 2
    assert by_check(vr.judge(facts, namespace="ns"), "hpa") == [
        (Severity.OK, "HPA ai-native-backend: 2 in 2..5")
    ]


def test_api_of_the_running_revision_says_so_when_an_older_one_is_verified() -> None:
    facts = healthy()
    facts.revision, facts.running = 1, 3
    findings = vr.check_api(facts)
    assert findings[0].severity == Severity.INFO
    assert "test pods of the running revision 3, not of revision 1" in findings[0].message
    assert "revision check compares what runs with revision 1" in findings[0].message
    assert by_check(findings, "api")[1:] == [
        (Severity.OK, "test ai-native-test/api (running revision 3): Succeeded")
    ]


def test_a_failed_test_pod_of_the_running_revision_is_an_error_for_any_revision_verified() -> None:
    facts = healthy()
    facts.revision, facts.running = 1, 3
    facts.tests = [vr.TestPod("ai-native-test/api", "Failed")]
    facts.tests_error = "pod ai-native-test failed"
    api = by_check(vr.check_api(facts), "api")
    assert (Severity.ERROR, "test ai-native-test/api (running revision 3): Failed") in api
    assert (
        Severity.ERROR,
        "helm test failed (running revision 3): pod ai-native-test failed",
    ) in api
    assert vr.worst(vr.judge(facts, namespace="ns")) == Severity.ERROR


def test_api_of_the_running_revision_has_no_scope_note() -> None:
    for running in (None, 3):
        facts = healthy()
        facts.running = running
        assert vr.tests_scope(facts) == ""
        assert by_check(vr.check_api(facts), "api") == [
            (Severity.OK, "test ai-native-test/api: Succeeded")
        ]


def test_skipped_tests_need_no_scope_note_for_an_older_revision() -> None:
    facts = healthy()
    facts.revision, facts.running, facts.tests = 1, 3, None
    assert by_check(vr.check_api(facts), "api") == [
        (Severity.INFO, "helm test not run (--skip-tests)")
    ]


def test_a_test_pod_absent_after_a_failure_is_not_reported_as_failed() -> None:
    facts = healthy()
    facts.tests = [
        vr.TestPod("ai-native-test/api", "Failed"),
        vr.TestPod("ai-native-test/redis", vr.ABSENT_AFTER_FAILURE),
    ]
    facts.tests_error = "pod ai-native-test failed"
    api = by_check(vr.check_api(facts), "api")
    assert (Severity.ERROR, "test ai-native-test/api: Failed") in api
    assert (
        Severity.WARNING,
        f"test ai-native-test/redis: {vr.ABSENT_AFTER_FAILURE}",
    ) in api


TEST_HOOK = {
    "kind": "Pod",
    "metadata": {"name": "ai-native-test"},
    "spec": {"containers": [{"name": "api"}, {"name": "postgresql"}, {"name": "redis"}]},
}


def test_an_absent_test_pod_passed_every_check_unless_helm_failed() -> None:
    assert vr.test_checks(TEST_HOOK, None, helm_failed=False) == [
        vr.TestPod("ai-native-test/api", "Succeeded"),
        vr.TestPod("ai-native-test/postgresql", "Succeeded"),
        vr.TestPod("ai-native-test/redis", "Succeeded"),
    ]
    assert {t.phase for t in vr.test_checks(TEST_HOOK, None, helm_failed=True)} == {
        vr.ABSENT_AFTER_FAILURE
    }


def test_a_failed_test_pod_names_each_failed_check_without_its_message() -> None:
    def terminated(name: str, code: int) -> dict[str, object]:
        state = {"exitCode": code, "reason": "Error" if code else "Completed", "message": "pw=x"}
        return {"name": name, "state": {"terminated": state}}

    live = {
        "metadata": {"name": "ai-native-test"},
        "status": {
            "phase": "Failed",
            "containerStatuses": [terminated("api", 7), terminated("postgresql", 0)],
        },
    }
    checks = vr.test_checks(TEST_HOOK, live, helm_failed=True)
    assert checks == [
        vr.TestPod("ai-native-test/api", "Failed (exit 7, Error)"),
        vr.TestPod("ai-native-test/postgresql", "Succeeded"),
        vr.TestPod("ai-native-test/redis", "Failed"),
    ]
    facts = healthy()
    facts.tests, facts.tests_error = checks, "pod ai-native-test failed"
    api = by_check(vr.check_api(facts), "api")
    assert (Severity.ERROR, "test ai-native-test/api: Failed (exit 7, Error)") in api
    assert (Severity.OK, "test ai-native-test/postgresql: Succeeded") in api
    assert not any("pw=x" in message for _, message in api)


def test_a_test_pod_still_running_after_helm_gave_up_is_not_finished() -> None:
    live = {"metadata": {"name": "ai-native-test"}, "status": {"phase": "Running"}}
    assert vr.test_checks(TEST_HOOK, live, helm_failed=True)[0].phase == "not finished (Running)"


def test_verify_reports_the_one_finding_type_in_its_own_words() -> None:
    """Verify and lint share Finding and Severity; verify's text and JSON keep their spelling."""
    finding = vr.warn_only([Finding("pods", Severity.ERROR, "0/2 Ready")], {"pods": "shared"})[0]
    assert finding == Finding("pods", Severity.WARNING, "0/2 Ready (warn only here: shared)")
    assert vr.as_json(finding) == {
        "check": "pods",
        "severity": "warn",
        "message": "0/2 Ready (warn only here: shared)",
    }
    line = vr.format_findings([finding])[0]
    assert line == "[ warn] pods      0/2 Ready (warn only here: shared)"
    assert Severity.OK < Severity.INFO < Severity.WARNING < Severity.ERROR
    assert vr.worst([]) is Severity.OK
    assert vr.worst([finding, Finding("tls", Severity.INFO, "no TLS")]) is Severity.WARNING
