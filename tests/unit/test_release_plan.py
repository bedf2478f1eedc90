"""The release plan: manifest diff, no-change detection, Secret values never shown."""

from __future__ import annotations

import copy

from helmkit.core.model.live_manifests import ObjectKey, parse_manifests
from helmkit.core.release import plan as rp

MANIFEST = """
---
# Source: ai-native/templates/backend/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: ai-native-backend, labels: {app.kubernetes.io/component: backend}}
spec:
  replicas: 2
  template:
    metadata: {annotations: {checksum/config: aaa}}
    spec:
      containers: [{name: api, image: "ai-native-backend:1.0.0"}]
---
apiVersion: v1
kind: Secret
metadata: {name: ai-native-secrets}
data: {JWT_SECRET_KEY: c2VjcmV0LXZhbHVlLTE=}
"""


def objects() -> list[dict]:
    return parse_manifests(MANIFEST)


def plan(
    live: list[dict] | None,
    desired: list[dict],
    *,
    status: str = "deployed",
    chart: str = "ai-native-0.1.0",
) -> rp.ReleasePlan:
    current = rp.ReleaseState("ai-native-0.1.0", "1.0.0", tuple(live)) if live is not None else None
    return rp.build_plan(
        environment="local",
        release="ai-native",
        namespace="ns",
        current_revision=3 if live is not None else None,
        current_status=status if live else "",
        current=current,
        desired=rp.ReleaseState(chart, "1.0.0", tuple(desired)),
    )


def test_same_render_is_no_change_and_no_revision() -> None:
    result = plan(objects(), objects())
    assert result.no_change
    assert rp.describe_plan(result) == [
        "plan: no change for release ai-native in namespace ns (local); revision 3 stays"
    ]


def test_failed_live_revision_is_never_no_change() -> None:
    result = plan(objects(), objects(), status="failed")
    assert not result.no_change
    assert "a new revision is made" in "\n".join(rp.describe_plan(result))


def test_chart_bump_alone_is_a_change() -> None:
    assert not plan(objects(), objects(), chart="ai-native-0.2.0").no_change


def test_image_change_shows_old_and_new() -> None:
    desired = objects()
    desired[0]["spec"]["template"]["spec"]["containers"][0]["image"] = "ai-native-backend:1.1.0"
    result = plan(objects(), desired)
    assert result.changes == (
        rp.ObjectChange(
            ObjectKey("Deployment", "ai-native-backend"),
            "update",
            (
                "spec.template.spec.containers[0].image: ai-native-backend:1.0.0 -> "
                "ai-native-backend:1.1.0",
            ),
        ),
    )


def test_secret_change_hides_values() -> None:
    desired = copy.deepcopy(objects())
    desired[1]["data"]["JWT_SECRET_KEY"] = "bmV3LXNlY3JldA=="
    desired[1]["data"]["NEW_KEY"] = "dG9wLXNlY3JldA=="
    text = "\n".join(rp.describe_plan(plan(objects(), desired)))
    assert "data.JWT_SECRET_KEY changed (value hidden)" in text
    assert "data.NEW_KEY changed (value hidden)" in text
    for secret in ("c2VjcmV0LXZhbHVlLTE=", "bmV3LXNlY3JldA==", "dG9wLXNlY3JldA=="):
        assert secret not in text


def test_create_and_delete_and_first_install() -> None:
    deployment, secret = objects()
    result = plan([deployment], [secret])
    assert [(c.action, str(c.key)) for c in result.changes] == [
        ("delete", "Deployment/ai-native-backend"),
        ("create", "Secret/ai-native-secrets"),
    ]
    first = plan(None, objects())
    assert first.first_install and not first.no_change
    assert rp.describe_plan(first)[0] == (
        "plan: install release ai-native in namespace ns (local), chart ai-native-0.1.0"
    )


def test_long_values_are_truncated() -> None:
    old = {"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "x" * 200}}
    new = {"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "y"}}
    (line,) = rp.changed_paths(old, new)
    assert line.startswith("data.k: xxx") and line.endswith("... -> y")
    assert len(line) < 100


def test_a_client_render_compares_secrets_by_their_keys_only() -> None:
    live, desired = objects(), objects()
    desired[1]["data"] = {"JWT_SECRET_KEY": "cmFuZG9tLWFnYWlu"}  # a fresh random value
    assert rp.diff_objects(live, desired, secret_values=False) == []
    assert rp.diff_objects(live, desired)[0].action == "update"
    desired[1]["data"]["NEW_KEY"] = "eA=="
    (change,) = rp.diff_objects(live, desired, secret_values=False)
    assert change.key.kind == "Secret"
    assert change.paths == ("data.NEW_KEY changed (value hidden)",)
    assert "eA==" not in str(change)


def test_an_upgrade_planned_from_a_client_render_says_secret_values_were_not_compared() -> None:
    live, desired = objects(), objects()
    desired[0]["spec"]["replicas"] = 3
    current = rp.ReleaseState("ai-native-0.1.0", "1.0.0", tuple(live))
    client = rp.build_plan(
        environment="local",
        release="ai-native",
        namespace="ns",
        current_revision=2,
        current_status="deployed",
        current=current,
        desired=rp.ReleaseState("ai-native-0.1.0", "1.0.0", tuple(desired)),
        secret_values=False,
    )
    assert client.unsettled_secrets == ("Secret/ai-native-secrets",)
    note = [line for line in rp.describe_plan(client) if "values not compared" in line]
    assert note and note[0].endswith("Secret/ai-native-secrets")
    assert not plan(live, desired).unsettled_secrets, "a server render compares them"
