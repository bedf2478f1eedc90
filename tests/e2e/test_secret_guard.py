"""No data is lost to a regenerated password: after an uninstall (the database volume and the
app Secret are kept) somebody deletes the Secret; a new install must refuse to generate a new
POSTGRES_PASSWORD the kept volume would reject, and say how to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_kube import Helm, Kube

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "ai-native"
LOCAL_VALUES = REPO / "values" / "local.yaml"
VOLUME = "data-ai-native-postgresql-0"


def install(helm: Helm, namespace: str, check: bool = True) -> str:
    proc = helm.run(
        "upgrade", "--install", "ai-native", str(CHART), "-n", namespace,
        "-f", str(LOCAL_VALUES), *helm.wait, "--timeout", "3m", check=check,
    )  # fmt: skip
    return proc.stderr


def test_reinstall_without_the_secret_keeps_the_database_password(
    kube: Kube, helm: Helm, namespace: str
) -> None:
    install(helm, namespace)
    volume_uid = kube.json("get", "pvc", VOLUME, "-n", namespace)["metadata"]["uid"]
    helm.run("uninstall", "ai-native", "-n", namespace, "--wait")
    kube.run("delete", "secret", "ai-native-secrets", "-n", namespace)

    refused = install(helm, namespace, check=False)

    assert f"PersistentVolumeClaim {namespace}/{VOLUME}" in refused, refused
    assert "--set-string postgresql.auth.password=" in refused, refused
    assert kube.json("get", "pvc", VOLUME, "-n", namespace)["metadata"]["uid"] == volume_uid
    status = helm.run("status", "ai-native", "-n", namespace, check=False)
    assert status.returncode != 0 and "not found" in status.stderr, "no release may be recorded"
    assert not kube.items("secrets", namespace, "app.kubernetes.io/instance=ai-native")
