"""The release lock's RBAC on the control plane, under Helm 4 and Helm 3: an identity that may
not get, create and update Leases in the release namespace is refused before anything changes,
with the Role that grants them; once that Role (the command helmkit printed) is bound, the same
identity takes the lock."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml
from e2e_kube import Helm, Kube
from live_cli import LEASE, RELEASE, LiveCli

ACCOUNT = "releaser"
# everything a release touches in its namespace, but no Lease
NAMESPACED = """apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: releaser-no-leases}
rules:
  - apiGroups: ["", "apps", "batch", "networking.k8s.io", "policy", "autoscaling"]
    resources: ["*"]
    verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: releaser-no-leases}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: releaser-no-leases}
subjects: [{kind: ServiceAccount, name: releaser}]
"""


def see_the_namespace(namespace: str) -> str:
    """Reading its own Namespace (cluster-scoped) is the one right outside it a release job
    needs before the lock: a ClusterRole bound to the ServiceAccount, named after the test's
    namespace (deleted by the test)."""
    name = f"{namespace}-get-namespace"
    return f"""apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: {name}}}
rules: [{{apiGroups: [""], resources: [namespaces], resourceNames: [{namespace}], verbs: [get]}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: {name}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {name}}}
subjects: [{{kind: ServiceAccount, name: {ACCOUNT}, namespace: {namespace}}}]
"""


def account_kubeconfig(kube: Kube, namespace: str, target: Path) -> Path:
    """A kubeconfig that authenticates as the ServiceAccount (a token from the TokenRequest
    API), against the same server and CA as the admin's."""
    admin = yaml.safe_load(kube.kubeconfig.read_text())
    token = kube.run("create", "token", ACCOUNT, "-n", namespace, "--duration", "1h").stdout
    cluster = admin["clusters"][0]
    target.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [cluster],
                "users": [{"name": ACCOUNT, "user": {"token": token.strip()}}],
                "contexts": [
                    {"name": ACCOUNT, "context": {"cluster": cluster["name"], "user": ACCOUNT}}
                ],
                "current-context": ACCOUNT,
            }
        )
    )
    return target


def grant_as_printed(kube: Kube, namespace: str, fix: str) -> None:
    """Run the two kubectl commands of helmkit's hint, bound to the ServiceAccount."""
    fix = fix.replace("--serviceaccount=NAMESPACE:NAME", f"--serviceaccount={namespace}:{ACCOUNT}")
    for command in fix.split(" && "):
        argv = shlex.split(command.split(" (or --user")[0])
        assert argv[0] == "kubectl", command
        kube.run(*argv[1:])


@pytest.mark.e2e
def test_missing_lease_rbac_is_refused_up_front_and_the_printed_role_fixes_it(
    helm: Helm, kube: Kube, namespace: str, tmp_path: Path
) -> None:
    kube.run("create", "serviceaccount", ACCOUNT, "-n", namespace)
    kube.apply(NAMESPACED, namespace)
    cluster_scoped = see_the_namespace(namespace)
    kube.apply(cluster_scoped, namespace)
    try:
        _refused_then_allowed(helm, kube, namespace, tmp_path)
    finally:
        kube.run("delete", "-f", "-", "--ignore-not-found", stdin=cluster_scoped, check=False)


def _refused_then_allowed(helm: Helm, kube: Kube, namespace: str, tmp_path: Path) -> None:
    restricted = Kube(kube.kubectl_bin, account_kubeconfig(kube, namespace, tmp_path / "sa"))
    can_i = restricted.run("auth", "can-i", "create", "leases", "-n", namespace, check=False)
    assert can_i.stdout.strip() == "no", "the ServiceAccount must start without Lease rights"
    cli = LiveCli(helm, restricted, namespace, tmp_path)
    cli.write_config()

    refused = cli.run("release", "e2e", "--skip-tests")
    out = refused.stdout + refused.stderr
    assert refused.returncode == 2, out
    assert "Traceback" not in out
    assert (
        f"cannot take the release lock: this identity may not get, create, update "
        f"leases.coordination.k8s.io in namespace {namespace}" in out
    ), out
    fix = out.split("hint: ", 1)[1].strip()
    assert fix.startswith(f"kubectl create role helmkit-release-lock -n {namespace} "), fix
    assert kube.run("get", "lease", LEASE, "-n", namespace, check=False).returncode != 0
    assert (
        helm.run("status", RELEASE, "-n", namespace, check=False).returncode != 0
    ), "nothing was released"

    grant_as_printed(kube, namespace, fix)
    allowed = cli.run("release", "e2e", "--skip-tests")
    again = allowed.stdout + allowed.stderr
    assert "cannot take the release lock" not in again, again
    lease = kube.json("get", "lease", LEASE, "-n", namespace)
    assert lease["spec"].get("holderIdentity") in (None, ""), "taken, then given back"
    assert lease["metadata"]["resourceVersion"], lease
