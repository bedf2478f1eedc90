"""The kube adapter hands adopt Secrets without any value: not in `data`, not in kubectl's
last-applied copy (a Secret applied with `kubectl apply` carries its values there too)."""

from __future__ import annotations

import json

from helmkit.adapters import kube


def test_a_listed_secret_keeps_its_keys_and_metadata_but_no_value() -> None:
    applied = json.dumps({"data": {"POSTGRES_PASSWORD": "c2VjcmV0LXZhbHVl"}})
    secret = {
        "type": "Opaque",
        "metadata": {
            "name": "ai-native-secrets",
            "uid": "u1",
            "annotations": {kube.LAST_APPLIED: applied, "team": "platform"},
            "managedFields": [{"manager": "kubectl-client-side-apply"}],
        },
        "data": {"POSTGRES_PASSWORD": "c2VjcmV0LXZhbHVl"},
        "stringData": {"X": "secret-value"},
    }
    blanked = kube._blank_secret(secret)
    assert blanked["data"] == {"POSTGRES_PASSWORD": ""}
    assert "stringData" not in blanked
    assert blanked["metadata"]["annotations"] == {"team": "platform"}
    assert blanked["metadata"]["uid"] == "u1"
    assert "c2VjcmV0LXZhbHVl" not in json.dumps(blanked)
    assert "secret-value" not in json.dumps(blanked)


def test_adopt_lists_the_kinds_a_release_may_own() -> None:
    assert {"Deployment", "StatefulSet", "Service", "ConfigMap", "Secret", "Ingress"} <= set(
        kube.ADOPT_KINDS
    )
    assert all(kind in kube.KINDS for kind in kube.ADOPT_KINDS)
