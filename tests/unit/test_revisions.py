"""History parsing, revision rows and their commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from helmkit.core.helm import argv as hal
from helmkit.core.helm.argv import HelmVersion
from helmkit.core.release import revisions as rv
from helmkit.errors import HelmkitError

HISTORY = json.dumps(
    [
        {
            "revision": 2,
            "updated": "2025-03-01T10:00:05.123456789+01:00",
            "status": "deployed",
            "chart": "ai-native-0.2.0",
            "app_version": "1.1.0",
            "description": "Upgrade complete",
        },
        {
            "revision": 1,
            "updated": "2025-03-01T09:00:00Z",
            "status": "superseded",
            "chart": "ai-native-0.1.0",
            "app_version": "1.0.0",
            "description": "Install complete",
        },
    ]
)


def test_parse_history_sorted_with_times() -> None:
    revs = rv.parse_history(HISTORY)
    assert [r.number for r in revs] == [1, 2]
    assert revs[1].updated == datetime(2025, 3, 1, 9, 0, 5, 123456, tzinfo=UTC)
    assert revs[0].updated == datetime(2025, 3, 1, 9, 0, 0, tzinfo=UTC)
    assert revs[1].chart_version == "0.2.0"
    assert rv.current(revs) == revs[1]
    assert rv.previous_good(revs, 2) == revs[0]
    assert rv.previous_good(revs, 1) is None


def test_parse_history_empty_and_bad_time() -> None:
    assert rv.parse_history("") == []
    assert rv.parse_helm_time("yesterday") is None


def test_rows_carry_exact_commands_and_provenance() -> None:
    revs = rv.parse_history(HISTORY)
    rows = rv.build_rows(
        revs,
        environment="local",
        version=HelmVersion(4, 3, 1),
        target=hal.Target("ai-native", "ai-native-local"),
        timeout="5m",
        images={2: {"backend": ["ai-native-backend:1.1.0"]}},
        labels={2: {rv.GIT_LABEL: "0123456789abcdef0123", rv.CI_LABEL: "ci_job_id-9"}},
    )
    assert rows[1].rollback_command == (
        "helm rollback ai-native 2 --namespace ai-native-local --wait=watcher --wait-for-jobs "
        "--timeout 5m"
    )
    assert rows[1].verify_command == "helmkit verify local --revision 2"
    as_json = rows[1].as_json()
    assert as_json["gitCommit"] == "0123456789abcdef0123"
    assert as_json["images"] == {"backend": ["ai-native-backend:1.1.0"]}
    text = rv.format_rows(rows)
    assert text[0].startswith("revision 1  superseded")
    assert "    backend: ai-native-backend:1.1.0" in text
    assert any("git 0123456789ab" in line for line in text)
    assert "    ci job: ci_job_id-9" in text


def test_parse_release_of_helm_upgrade_output_keeps_no_values() -> None:
    release = {
        "name": "ai-native",
        "version": 4,
        "info": {
            "status": "deployed",
            "last_deployed": "2025-01-02T03:04:05.123456789Z",
            "description": "Upgrade complete",
        },
        "chart": {"metadata": {"name": "ai-native", "version": "0.2.0", "appVersion": "1.0.0"}},
        "config": {"secrets": {"jwtSecretKey": "do-not-keep-me"}},
        "manifest": "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# empty\n",
        "hooks": [
            {"manifest": "apiVersion: v1\nkind: Pod\nmetadata: {name: t}\n"},
            {"manifest": ""},
        ],
    }
    record = rv.parse_release(json.dumps(release))
    assert record.revision == rv.Revision(
        4,
        "deployed",
        datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
        "ai-native-0.2.0",
        "1.0.0",
        "Upgrade complete",
    )
    assert [o["metadata"]["name"] for o in record.manifest] == ["a"]
    assert [o["metadata"]["name"] for o in record.objects] == ["a", "t"]
    assert "do-not-keep-me" not in repr(record)


@pytest.mark.parametrize("text", ["not json", "[1]"])
def test_parse_release_rejects_what_is_not_a_release(text: str) -> None:
    with pytest.raises(HelmkitError, match="helm printed a release that is not"):
        rv.parse_release(text)


def test_short_commit_keeps_the_dirty_mark() -> None:
    assert rv.short_commit("0123456789abcdef0123456789abcdef01234567") == "0123456789ab"
    assert rv.short_commit("0123456789abcdef0123456789abcdef01234567-dirty") == "0123456789ab-dirty"
    assert rv.short_commit("") == "-"


def test_markdown_rows_for_a_ci_job_summary() -> None:
    revs = rv.parse_history(HISTORY)
    rows = rv.build_rows(
        revs,
        environment="staging",
        version=HelmVersion(4, 3, 1),
        target=hal.Target("ai-native", "ai-native-staging"),
        timeout="10m",
        images={},
        labels={2: {rv.GIT_LABEL: "0123456789abcdef0123", rv.CI_LABEL: "github_run_id-7"}},
    )
    lines = rv.format_markdown(rows)
    table = [line for line in lines if line.startswith("| ")]
    assert table[0].startswith("| revision | status |")
    # newest first, one row per revision, cells escaped
    assert table[2].startswith("| 2 | deployed |")
    assert "| 0123456789ab | github_run_id-7 |" in table[2]
    assert table[3].startswith("| 1 | superseded |")
    assert (
        "helm rollback ai-native 1 --namespace ai-native-staging --wait=watcher --wait-for-jobs "
        "--timeout 10m  # roll back to this revision"
    ) in lines
    assert "helmkit verify staging --revision 2  # verify this revision" in lines
    assert rv.format_markdown([]) == ["No revisions."]
    assert rv._markdown_cell("a|b\nc") == "a\\|b c"
