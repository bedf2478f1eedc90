"""Values under secret keys are recognised and hidden; cached renders keep no Secret values."""

from __future__ import annotations

import yaml

from helmkit.core.model.findings import Finding, Severity
from helmkit.core.render.scenarios import Scenario
from helmkit.core.values import secret_keys, strvals
from helmkit.ops.lint_steps import without_secret_values


def test_secret_paths() -> None:
    assert secret_keys.is_secret_path(["secrets", "jwtSecretKey"])
    assert secret_keys.is_secret_path(["postgresql", "auth", "password"])
    assert secret_keys.is_secret_path(["api", "token"])
    assert not secret_keys.is_secret_path(["backend", "image", "tag"])


def test_values_assigned_under_secret_keys_are_found() -> None:
    argv = [
        "template", "r", "c",
        "--set", "db.password=hunter22,replicas=3",
        "--set-json", 'auth={"token":"abc123"}',
        "--set-string", "image.tag=1.10",
    ]  # fmt: skip
    found = secret_keys.secret_set_values(argv)
    assert "hunter22" in found and "abc123" in found
    assert "3" not in found and "1.10" not in found


def test_every_finding_loses_a_secret_set_value() -> None:
    scenario = Scenario("s", set_values=(strvals.encode(strvals.STRING, "secrets.key=s3cr3t!"),))
    finding = Finding(
        rule="kube-schema", severity=Severity.ERROR, message="'s3cr3t!' is invalid", hint="x"
    )
    (shown,) = without_secret_values([finding], [scenario])
    assert "s3cr3t!" not in shown.message and secret_keys.HIDDEN in shown.message


def test_cached_renders_mask_secret_values() -> None:
    manifests = (
        "---\n# Source: c/templates/secret.yaml\napiVersion: v1\nkind: Secret\n"
        "metadata: {name: s}\ndata: {A: c2VjcmV0}\nstringData: {B: plain-secret}\n"
        "---\n# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\n"
        "metadata: {name: c}\ndata: {A: kept}\n"
    )
    masked = secret_keys.mask_secrets(manifests)
    assert masked is not None
    assert "c2VjcmV0" not in masked and "plain-secret" not in masked
    docs = [d for d in yaml.safe_load_all(masked) if d]
    assert docs[0]["data"] == {"A": secret_keys.MASKED_DATA}
    assert docs[0]["stringData"] == {"B": secret_keys.MASKED_STRING}
    assert docs[1]["data"] == {"A": "kept"}
    assert "# Source: c/templates/secret.yaml" in masked
    assert secret_keys.has_masked_secrets(masked)
    assert secret_keys.mask_secrets("kind: Secret\ndata: [unclosed\n") is None


SECRET_DOC = "apiVersion: v1\nkind: Secret\nmetadata: {{name: {name}}}\ndata: {{K: {value}}}\n"
CONFIG_DOC = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {A: 'kind: Secret'}\n"


def test_every_secret_is_masked_and_every_other_document_kept_byte_for_byte() -> None:
    first = SECRET_DOC.format(name="first", value="Zmlyc3Q=")  # no `---` before it
    last = SECRET_DOC.format(name="last", value="bGFzdA==")
    block = "kind: ConfigMap\nmetadata: {name: b}\ndata:\n  script: |\n    ---\n    kind: Secret\n"
    manifests = f"{first}---  \n{CONFIG_DOC}---\n{block}---\n# Source: s.yaml\n{last}---\n"
    masked = secret_keys.mask_secrets(manifests)
    assert masked is not None
    assert "Zmlyc3Q=" not in masked and "bGFzdA==" not in masked
    docs = [d for d in yaml.safe_load_all(masked) if d]
    assert [d["metadata"]["name"] for d in docs] == ["first", "c", "b", "last"]
    assert docs[0]["data"] == docs[3]["data"] == {"K": secret_keys.MASKED_DATA}
    assert f"---  \n{CONFIG_DOC}---\n{block}---\n# Source: s.yaml\n" in masked
    assert masked.endswith("---\n")


def test_a_document_with_two_kind_lines_is_masked_once() -> None:
    # a duplicate `kind` key (helm never prints one; PyYAML keeps the last value)
    doc = "kind: Secret\n" + SECRET_DOC.format(name="twice", value="dHdpY2U=")
    masked = secret_keys.mask_secrets(f"---\n{doc}---\n{CONFIG_DOC}")
    assert masked is not None and "dHdpY2U=" not in masked
    assert masked.count("kind: Secret") == 1 + CONFIG_DOC.count("kind: Secret")
    assert [d["kind"] for d in yaml.safe_load_all(masked) if d] == ["Secret", "ConfigMap"]


def test_no_secret_leaves_the_render_unchanged() -> None:
    manifests = f"---\n{CONFIG_DOC}"
    assert secret_keys.mask_secrets(manifests) is manifests
