"""The release plan on the local control plane, under Helm 4 and Helm 3: the gate's client-side
render decides it, a Secret value changed alone is still released (the plan falls back to a
server-side dry run, where `lookup` sees the live Secret), and a revision plain helm made with the
same inputs is a no-op."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_kube import Helm, Kube
from live_cli import CHART, LOCAL_VALUES, RELEASE, LiveCli, require_ingress_class

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

API_KEY = "sk-e2e-plan-0123456789"


def test_plan_from_the_client_render_with_secret_values_settled_on_the_server(
    helm: Helm, kube: Kube, namespace: str, tmp_path: Path
) -> None:
    require_ingress_class(kube)
    cli = LiveCli(helm, kube, namespace, tmp_path)
    cli.write_config()
    installed = helm.run(
        "upgrade", "--install", RELEASE, str(CHART), "--namespace", namespace,
        "--values", str(LOCAL_VALUES), *helm.wait, "--timeout", "3m",
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr

    # plain helm recorded no input digests: the server-side dry run settles it, no revision
    out = cli.ok("release", "e2e", "--skip-tests")
    assert "no change: no new revision" in out, out
    assert len(cli.helm_history()) == 1

    # only a Secret value differs: the client render cannot see it, the server dry run does
    out = cli.ok("release", "e2e", "--set", f"secrets.openaiApiKey={API_KEY}", "--skip-tests")
    assert "update Secret/ai-native-secrets" in out, out
    assert "data.OPENAI_API_KEY changed (value hidden)" in out, out
    assert len(cli.helm_history()) == 2
    assert API_KEY in cli.secret_values(), "the new value reached the Secret"

    # the same inputs again: the recorded digests match, no dry run and no revision
    out = cli.ok("release", "e2e", "--set", f"secrets.openaiApiKey={API_KEY}", "--skip-tests")
    assert "no change: no new revision" in out, out
    assert len(cli.helm_history()) == 2

    # plain helm changes the value; helm copies helmkit's labels onto its revision, which must
    # not pass for helmkit's: the same helmkit inputs as revision 2 bring the value back
    other = "sk-e2e-plain-helm-9876543210"
    changed = helm.run(
        "upgrade", RELEASE, str(CHART), "--namespace", namespace, "--reuse-values",
        "--set", f"secrets.openaiApiKey={other}", *helm.wait, "--timeout", "3m",
    )  # fmt: skip
    assert changed.returncode == 0, changed.stderr
    assert other in cli.secret_values()
    out = cli.ok("release", "e2e", "--set", f"secrets.openaiApiKey={API_KEY}", "--skip-tests")
    assert "update Secret/ai-native-secrets" in out, out
    assert len(cli.helm_history()) == 4
    assert API_KEY in cli.secret_values() and other not in cli.secret_values()

    assert not any(v in text for v in (API_KEY, other) for text in cli.outputs), "value printed"
