"""Which capabilities a plan render needs so `helm template` renders as the cluster would."""

from __future__ import annotations

from pathlib import Path

from helmkit.core.render import plan as render_plan


def chart_with(tmp_path: Path, template: str) -> Path:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "a.yaml").write_text(template)
    return tmp_path


def test_api_probes_are_read_from_the_templates(tmp_path: Path) -> None:
    chart = chart_with(
        tmp_path,
        '{{ if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}x{{ end }}\n'
        '{{- if (.Capabilities.APIVersions.Has  "cert-manager.io/v1") }}y{{ end }}',
    )
    assert render_plan.api_probes(chart) == {"monitoring.coreos.com/v1", "cert-manager.io/v1"}
    assert not render_plan.uses_kube_version(chart)


def test_helm_defaults_suffice_unless_a_probed_api_is_served_or_the_version_is_read() -> None:
    probes = {"monitoring.coreos.com/v1", "cert-manager.io/v1"}
    assert render_plan.cluster_render(probes, {"v1", "apps/v1"}, False, "v1.35.4") is None
    served = render_plan.cluster_render(probes, {"v1", "cert-manager.io/v1"}, False, "v1.35.4")
    assert served == render_plan.ClusterRender(("cert-manager.io/v1",), None)
    versioned = render_plan.cluster_render(set(), {"v1"}, True, "v1.35.4")
    assert versioned == render_plan.ClusterRender((), "1.35.4")
