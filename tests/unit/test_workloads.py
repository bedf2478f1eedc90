"""The one workload table: pod specs and pod templates of every kind, for parsed objects and for
plain bodies (as the API server returns them, list items without `kind` included)."""

from __future__ import annotations

from typing import Any

import yaml

from helmkit.core.model import live_manifests as lm
from helmkit.core.model import workloads
from helmkit.core.model.manifests import parse_manifests

POD = {"containers": [{"name": "app", "image": "app:1"}], "initContainers": [{"image": "init:1"}]}
TEMPLATE = {"metadata": {"labels": {"app": "a"}, "annotations": {"checksum/config": "c1"}}}


def _body(kind: str) -> dict[str, Any]:
    template = {**TEMPLATE, "spec": POD}
    spec: dict[str, Any] = {"template": template}
    if kind == "CronJob":
        spec = {"schedule": "@daily", "jobTemplate": {"spec": spec}}
    if kind == "Pod":
        return {
            "apiVersion": "v1",
            "kind": kind,
            "metadata": {"name": "p", **TEMPLATE["metadata"]},
            "spec": POD,
        }
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w"}, "spec": spec}


def test_every_workload_kind_gives_its_pod_spec_and_template() -> None:
    for kind in workloads.WORKLOAD_KINDS:
        body = _body(kind)
        assert workloads.pod_spec(body) == POD, kind
        assert workloads.pod_template_metadata(body)["labels"] == {"app": "a"}, kind
    assert workloads.pod_spec_path("CronJob") == "spec.jobTemplate.spec.template.spec"
    assert workloads.pod_spec_path("Pod") == "spec"
    assert workloads.pod_spec_path("Deployment") == "spec.template.spec"


def test_a_parsed_object_and_its_body_agree() -> None:
    text = "\n---\n".join(yaml.safe_dump(_body(k)) for k in ("CronJob", "Service"))
    cron, service = parse_manifests(text)
    assert workloads.pod_spec(cron) == workloads.pod_spec(cron.body) == POD
    assert workloads.pod_spec(service) is None
    assert workloads.pod_template_metadata(service) == {}


def test_a_list_item_without_kind_is_read_as_a_controller() -> None:
    item = _body("Deployment")
    del item["kind"]
    assert workloads.pod_spec(item) == POD
    assert lm.container_images(item) == ["init:1", "app:1"]
    assert lm.checksum_annotations(item) == {"checksum/config": "c1"}


def test_live_view_reads_cronjobs_too() -> None:
    cron = _body("CronJob")
    assert lm.container_images(cron) == ["init:1", "app:1"]
    assert lm.checksum_annotations(cron) == {"checksum/config": "c1"}


def test_long_running_kinds_are_workload_kinds() -> None:
    assert set(workloads.LONG_RUNNING) <= set(workloads.WORKLOAD_KINDS)
    assert "CronJob" in workloads.WORKLOAD_KINDS and "CronJob" not in workloads.LONG_RUNNING
