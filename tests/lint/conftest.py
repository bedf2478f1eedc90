"""A scratch copy of the repository's chart project (chart, values, schemas, helmkit.yaml), so
mutations never touch the real chart and caches land in a temporary directory."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("AI_NATIVE_CACHE", Path.home() / ".cache" / "ai-native")) / "bin"


@pytest.fixture
def use_helm(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """Makes helmkit run the cached build of this helm (helm4, helm3); a missing one fails."""

    def use(name: str) -> Path:
        helm = BIN / name
        if not helm.exists():
            pytest.fail(f"{helm} is missing: run `scripts/bootstrap.sh` (builds Helm 4 and Helm 3)")
        monkeypatch.setenv("HELMKIT_HELM", str(helm))
        return helm

    return use


@pytest.fixture
def chart_copy(tmp_path: Path, use_helm: Callable[[str], Path]) -> Path:
    use_helm("helm4")
    if not (REPO / "charts" / "ai-native" / "Chart.yaml").is_file():
        pytest.fail("charts/ai-native is missing: the mutation test needs the real chart")
    target = tmp_path / "repo"
    for name in ("charts", "values", "schemas"):
        shutil.copytree(REPO / name, target / name)
    text = (
        (REPO / "helmkit.yaml")
        .read_text()
        .replace("snapshotDir: tests/snapshots", "snapshotDir: snaps")
    )
    (target / "helmkit.yaml").write_text(text)
    return target
