"""Reading the few fields the live verbs need from manifests."""

from __future__ import annotations

from helmkit.core.model import live_manifests as lm

TEXT = """
# Source: x
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ai-native-postgresql, labels: {app.kubernetes.io/name: postgresql}}
spec:
  template:
    metadata: {annotations: {checksum/secret: s1, prometheus.io/scrape: "true"}}
    spec:
      initContainers: [{name: init, image: "busybox:1.36"}]
      containers: [{name: db, image: "postgres:16"}, {name: exporter, image: "busybox:1.36"}]
---
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: hpa}
spec: {scaleTargetRef: {kind: StatefulSet, name: ai-native-postgresql}}
"""


def test_parse_and_read() -> None:
    objects = lm.parse_manifests(TEXT)
    assert [str(lm.key_of(o)) for o in objects] == [
        "StatefulSet/ai-native-postgresql",
        "HorizontalPodAutoscaler/hpa",
    ]
    sts = objects[0]
    assert lm.component_of(sts) == "postgresql"
    assert lm.container_images(sts) == ["busybox:1.36", "postgres:16", "busybox:1.36"]
    assert lm.images_by_component(objects) == {"postgresql": ["busybox:1.36", "postgres:16"]}
    assert lm.checksum_annotations(sts) == {"checksum/secret": "s1"}
    assert list(lm.hpa_targets(objects)) == [lm.ObjectKey("StatefulSet", "ai-native-postgresql")]


def test_test_hooks_are_objects_whose_hooks_include_test() -> None:
    def pod(hook: str) -> dict[str, object]:
        # as a list response returns it: no `kind` on the item
        return {"metadata": {"name": "p", "annotations": {"helm.sh/hook": hook}}}

    assert lm.is_test_hook(pod("test"))
    assert lm.is_test_hook(pod("pre-install, test-success"))
    assert not lm.is_test_hook(pod("post-install"))
    assert not lm.is_test_hook(pod("post-test-cleanup"))
    assert not lm.is_test_hook({"metadata": {"name": "p"}})
