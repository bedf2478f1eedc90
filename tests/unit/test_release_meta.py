"""Provenance labels, description, durations and URLs."""

from __future__ import annotations

import pytest

from helmkit.core.release import meta
from helmkit.core.release.revisions import (
    CHART_DIGEST_LABEL,
    CI_LABEL,
    DIGEST_LABEL,
    GIT_LABEL,
    REVISION_LABEL,
)
from helmkit.errors import UsageError


def test_values_digest_depends_on_content_and_set_but_hides_them() -> None:
    base = meta.values_digest([("local.yaml", b"a: 1\n")], ["secrets.jwtSecretKey=hunter2"])
    assert len(base) == 32
    assert "hunter2" not in base
    assert base != meta.values_digest([("local.yaml", b"a: 2\n")], ["secrets.jwtSecretKey=hunter2"])
    assert base != meta.values_digest([("local.yaml", b"a: 1\n")], [])
    assert base == meta.values_digest([("local.yaml", b"a: 1\n")], ["secrets.jwtSecretKey=hunter2"])


def test_ci_job_and_label_values() -> None:
    assert meta.ci_job({}) == ""
    assert meta.ci_job({"GITHUB_RUN_ID": "123", "CI_JOB_ID": "77"}) == "ci_job_id-77"
    assert meta.label_value("a/b c:" + "x" * 100) == ("a-b-c-" + "x" * 100)[:63]
    assert meta.label_value("-abc-") == "abc"


def test_release_labels_and_description() -> None:
    prov = meta.Provenance("f" * 40 + "-dirty", "0123456789abcdef" * 2, "")
    assert meta.release_labels(prov) == {
        GIT_LABEL: "f" * 40 + "-dirty",
        DIGEST_LABEL: "0123456789abcdef" * 2,
    }
    assert (
        meta.description("local", prov)
        == "helmkit release local, git ffffffffffff, values 0123456789ab"
    )
    with_ci = meta.Provenance("", "d" * 32, "ci_job_id-5")
    assert meta.release_labels(with_ci)[CI_LABEL] == "ci_job_id-5"
    assert (
        meta.description("prod", with_ci)
        == "helmkit release prod, values dddddddddddd, ci ci_job_id-5"
    )


@pytest.mark.parametrize(
    ("text", "seconds"), [("5m", 300), ("90s", 90), ("1h30m", 5400), ("500ms", 0.5)]
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert meta.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "five minutes", "5m3"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(UsageError, match="is not a duration"):
        meta.parse_duration(text)


def test_urls_from_ingress_and_routes() -> None:
    objects = [
        {
            "kind": "Ingress",
            "spec": {
                "tls": [{"hosts": ["api.example.edu"]}],
                "rules": [{"host": "api.example.edu"}, {"host": "app.example.edu"}],
            },
        },
        {"kind": "HTTPRoute", "spec": {"hostnames": ["gw.example.edu"]}},
        {"kind": "Service", "spec": {}},
    ]
    assert meta.urls(objects) == [
        "http://app.example.edu",
        "https://api.example.edu",
        "https://gw.example.edu",
    ]


def test_same_inputs_needs_both_digests_of_that_very_revision() -> None:
    prov = meta.Provenance("a" * 40, "d" * 32, "", chart_digest="c" * 32)
    labels = meta.release_labels(prov, 4)
    assert labels[REVISION_LABEL] == "4"
    assert meta.same_inputs(labels, 4, prov)
    assert not meta.same_inputs(labels, 5, prov), "helm copied revision 4's labels onto 5"
    assert not meta.same_inputs({**labels, DIGEST_LABEL: "e" * 32}, 4, prov)
    assert not meta.same_inputs({**labels, CHART_DIGEST_LABEL: "e" * 32}, 4, prov)
    assert not meta.same_inputs({GIT_LABEL: "a" * 40}, 4, prov), "plain helm never matches"
    no_chart = meta.Provenance("a" * 40, "d" * 32, "")
    assert not meta.same_inputs(meta.release_labels(no_chart, 4), 4, no_chart)
