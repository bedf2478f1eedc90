"""The offline verbs through click's runner: output formats, exit codes, files written."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from click.testing import CliRunner

from helmkit.cli.main import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_lint_clean_chart_exits_0(project: Path, helm_binary: str) -> None:
    code, out, _ = run("lint")
    assert code == 0, out
    assert "lint ok: 0 error(s)" in out
    assert "3 scenario(s) (default, env-staging, ci-ha)" in out


def test_lint_json_and_junit(project: Path, helm_binary: str) -> None:
    code, out, _ = run("lint", "--format", "json")
    payload = json.loads(out)
    assert (code, payload["ok"], payload["scenarios"]) == (
        0,
        True,
        ["default", "env-staging", "ci-ha"],
    )
    code, _, _ = run("lint", "--format", "junit", "--output", "report.xml")
    suites = ET.parse(project / "report.xml").getroot().findall("testsuite")
    assert code == 0
    assert {s.get("name") for s in suites} >= {"lint default", "lint env-staging", "lint ci-ha"}


def test_lint_finding_exits_1_with_file_and_line(project: Path, helm_binary: str) -> None:
    (project / "values" / "staging.yaml").write_text("web:\n  replicaCount: 0\n")
    code, out, _ = run("lint", "--env", "staging")
    assert code == 1
    assert "ERROR [values-schema] env-staging Values web.replicaCount" in out
    assert "values/staging.yaml:2" in out


def test_lint_set_value_is_checked(project: Path, helm_binary: str) -> None:
    code, out, _ = run("lint", "--env", "staging", "--set", "web.image.tag=latest")
    assert code == 1
    assert "[image-pinned] env-staging Deployment/ai-native-web" in out


def test_waiver_annotation_silences_one_finding(project: Path, helm_binary: str) -> None:
    template = project / "chart" / "templates" / "web-deployment.yaml"
    text = template.read_text().replace(
        "          livenessProbe: {httpGet: {path: /healthz, port: http}}\n", ""
    )
    text = text.replace(
        "  name: {{ .Release.Name }}-web\n",
        "  name: {{ .Release.Name }}-web\n  annotations:\n"
        '    helmkit.dev/waive: "probes: readiness is enough here"\n',
        1,
    )
    template.write_text(text)
    code, out, _ = run("lint", "--scenario", "default")
    assert code == 0, out
    assert "WAIVED [probes] default Deployment/ai-native-web" in out
    assert "waived: readiness is enough here" in out


def test_render_environment_to_stdout_and_out_dir(project: Path, helm_binary: str) -> None:
    code, out, _ = run("render", "staging")
    docs = [d for d in yaml.safe_load_all(out) if d]
    assert code == 0
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    assert deployment["metadata"]["name"] == "demo-web"  # the environment's release name
    assert deployment["spec"]["replicas"] == 2
    code, _, err = run("render", "staging", "--set", "web.replicaCount=4", "--out", "out")
    written = sorted(p.name for p in (project / "out").iterdir())
    assert code == 0 and "wrote" in err
    assert "deployment-demo-web.yaml" in written
    assert (
        yaml.safe_load((project / "out" / "deployment-demo-web.yaml").read_text())["spec"][
            "replicas"
        ]
        == 4
    )


def test_render_custom_values(project: Path, helm_binary: str) -> None:
    (project / "mine.yaml").write_text("web:\n  autoscaling: {enabled: false}\n  replicaCount: 5\n")
    code, out, _ = run("render", "--values", "mine.yaml")
    assert code == 0
    assert "replicas: 5" in out


def test_snapshot_missing_fails_then_update_creates(project: Path, helm_binary: str) -> None:
    (project / "snapshots" / "ci-ha.yaml").unlink()
    code, out, _ = run("snapshot")
    assert code == 1
    assert "MISSING  ci-ha" in out
    code, out, _ = run("snapshot", "--update", "--scenario", "ci-ha")
    assert code == 0 and "CREATED  ci-ha" in out
    assert run("snapshot")[0] == 0


def test_snapshot_diff_per_object_and_stale_files(project: Path, helm_binary: str) -> None:
    values = project / "chart" / "values.yaml"
    values.write_text(values.read_text().replace("logLevel: info", "logLevel: debug"))
    # a snapshot helmkit wrote for a scenario that is gone (only such files are removed)
    gone = project / "snapshots" / "env-gone.yaml"
    gone.write_text("# helmkit snapshot of scenario env-gone\n")
    code, out, _ = run("snapshot")
    assert code == 1
    assert "CHANGED  default" in out
    assert "--- snapshot/default/ConfigMap/ai-native-config" in out
    assert "-  LOG_LEVEL: info\n+  LOG_LEVEL: debug" in out
    assert "STALE" in out and "env-gone.yaml" in out
    code, out, _ = run("snapshot", "--update")
    assert code == 0
    assert not (project / "snapshots" / "env-gone.yaml").exists()


def test_test_verb_combines_lint_and_snapshot(project: Path, helm_binary: str) -> None:
    code, out, _ = run("test")
    assert code == 0
    assert "lint ok" in out and "snapshot ok" in out and out.rstrip().endswith("test ok")
    code, out, _ = run("test", "--format", "json")
    payload = json.loads(out)
    assert payload["ok"] and payload["lint"]["ok"] and payload["snapshot"]["ok"]
    code, out, _ = run("test", "--format", "junit")
    names = {s.get("name") for s in ET.fromstring(out).findall("testsuite")}
    assert "snapshot" in names and "lint default" in names


def test_no_change_rerun_uses_the_cache(project: Path, helm_binary: str) -> None:
    assert run("test")[0] == 0
    renders = list((project / ".helmkit-cache" / "renders").glob("*.yaml"))
    assert len(renders) == 3  # one render per scenario, reused by lint and snapshot
    # a rewrite replaces the file (a new inode); a hit only touches it (its mtime marks it used)
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in renders}
    assert run("test")[0] == 0
    after = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in renders}
    assert {p: ino for p, (ino, _) in after.items()} == {p: ino for p, (ino, _) in before.items()}
    assert all(after[p][1] >= before[p][1] for p in renders)


def test_snapshot_json_and_junit_name_the_changed_object(project: Path, helm_binary: str) -> None:
    values = project / "chart" / "values.yaml"
    values.write_text(values.read_text().replace("logLevel: info", "logLevel: debug"))
    code, out, _ = run("snapshot", "--format", "json")
    assert code == 1
    payload = json.loads(out)
    changed = [r for r in payload["results"] if r["status"] == "changed"]
    assert changed and any("ConfigMap/ai-native-config" in d for r in changed for d in r["diffs"])
    code, out, _ = run("snapshot", "--format", "junit")
    assert code == 1
    failures = ET.fromstring(out).findall(".//failure")
    assert any("changed" in (f.get("message") or "") for f in failures)


def test_render_error_is_a_finding_at_the_template_line(project: Path, helm_binary: str) -> None:
    broken = project / "chart" / "templates" / "broken.yaml"
    broken.write_text("# a template that dereferences a missing value\n{{ .Values.nope.deeper }}\n")
    code, out, _ = run("lint", "--format", "json")
    assert code == 1
    renders = [f for f in json.loads(out)["findings"] if f["rule"] == "render"]
    assert renders, out
    assert {f["file"] for f in renders} == {"demo/templates/broken.yaml"}
    assert {f["line"] for f in renders} == {2}
    assert all(f["object"] == "Chart/demo" and f["field"] and f["hint"] for f in renders)


def test_verbs_pause_the_cyclic_collector_only_while_they_run(project: Path) -> None:
    import gc

    assert gc.isenabled()
    code, _, _ = run("render", "--help")
    assert code == 0
    run("snapshot", "--scenario", "default")
    assert gc.isenabled()
