"""pytest plugin (entry point `helmkit`): render the chart in a test and look at the objects.

    def test_backend_has_no_replicas_under_hpa(render_chart):
        manifests = render_chart({"backend": {"autoscaling": {"enabled": True}}})
        deployment = manifests.get("Deployment", "ai-native-backend")
        assert "replicas" not in deployment["spec"]

Failed assertions show the object as YAML (its repr), and `get` of a missing object lists the
objects of that kind that exist. `helmkit_snapshot(name, manifests)` compares with a snapshot
file; `--helmkit-update-snapshots` writes it instead. Heavy modules are imported lazily: the
plugin loads in every pytest run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from helmkit.core.config import HelmkitConfig
    from helmkit.core.model.manifests import K8sObject


class RenderedObject(dict[str, Any]):
    """A rendered object; its repr is the YAML, so assertion messages show the whole object."""

    def __init__(self, obj: K8sObject) -> None:
        super().__init__(obj.body)
        self.kind = obj.kind
        self.name = obj.name
        self.source = obj.source

    def __repr__(self) -> str:
        from helmkit.core.model.manifests import dump_yaml

        return f"\n# {self.kind}/{self.name} from {self.source}\n{dump_yaml(dict(self))}"

    def at(self, path: str) -> Any:
        """`obj.at("spec.template.spec.containers.0.image")`; a miss shows the object."""
        node: Any = self
        for part in path.split("."):
            try:
                node = node[int(part)] if isinstance(node, list) else node[part]
            except (KeyError, IndexError, ValueError, TypeError):
                raise AssertionError(f"{self.kind}/{self.name} has no {path!r}:{self!r}") from None
        return node


class Manifests:
    """The objects of one render."""

    def __init__(self, objects: Sequence[K8sObject]) -> None:
        self.objects = list(objects)

    def __iter__(self) -> Iterator[RenderedObject]:
        return (RenderedObject(o) for o in self.objects)

    def __len__(self) -> int:
        return len(self.objects)

    def all(self, kind: str) -> list[RenderedObject]:
        return [RenderedObject(o) for o in self.objects if o.kind == kind]

    def get(self, kind: str, name: str) -> RenderedObject:
        for obj in self.objects:
            if obj.kind == kind and obj.name == name:
                return RenderedObject(obj)
        names = sorted(o.name for o in self.objects if o.kind == kind) or ["(none)"]
        raise AssertionError(f"no {kind}/{name} rendered; {kind} objects: {', '.join(names)}")

    def has(self, kind: str, name: str) -> bool:
        return any(o.kind == kind and o.name == name for o in self.objects)

    def __repr__(self) -> str:
        return "Manifests(" + ", ".join(o.ref for o in self.objects) + ")"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("helmkit")
    group.addoption(
        "--helmkit-update-snapshots",
        action="store_true",
        help="write helmkit snapshot files instead of failing on differences",
    )
    group.addoption(
        "--helmkit-config",
        default=None,
        help="helmkit.yaml for the render fixtures (default: nearest to rootdir)",
    )


@pytest.fixture(scope="session")
def helmkit_config(pytestconfig: pytest.Config) -> HelmkitConfig:
    from helmkit.core.config import find_config, load_config

    explicit = pytestconfig.getoption("helmkit_config")
    path = Path(explicit) if explicit else find_config(Path(str(pytestconfig.rootpath)))
    return load_config(path)


RenderChart = Callable[..., Manifests]


@pytest.fixture
def render_chart(helmkit_config: HelmkitConfig, tmp_path: Path) -> RenderChart:
    """render_chart(values=None, *, env=None, files=(), set_values=(), kube_version=None)."""
    counter = iter(range(1_000_000))

    def render(
        values: dict[str, Any] | None = None,
        *,
        env: str | None = None,
        files: Sequence[Path] = (),
        set_values: Sequence[str] = (),
        kube_version: str | None = None,
    ) -> Manifests:
        import yaml

        from helmkit.ops.render import render_environment

        paths = list(files)
        if values is not None:
            path = tmp_path / f"values-{next(counter)}.yaml"
            path.write_text(yaml.safe_dump(values), encoding="utf-8")
            paths.append(path)
        objects = render_environment(
            helmkit_config,
            env,
            values_files=paths,
            set_values=set_values,
            kube_version=kube_version,
        )
        return Manifests(objects)

    return render


@pytest.fixture
def helmkit_snapshot(
    helmkit_config: HelmkitConfig, pytestconfig: pytest.Config
) -> Callable[[str, Manifests], None]:
    """helmkit_snapshot(name, manifests): compare with <snapshotDir>/<name>.yaml."""
    update = bool(pytestconfig.getoption("helmkit_update_snapshots"))

    def check(name: str, manifests: Manifests) -> None:
        from helmkit.core.render import snapshots

        path = snapshots.snapshot_path(helmkit_config.snapshot_dir, name)
        actual = snapshots.to_snapshot(manifests.objects)
        text = snapshots.render_file(name, actual)
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        if not path.is_file():
            raise AssertionError(f"no snapshot {path}: run pytest --helmkit-update-snapshots")
        expected = snapshots.parse_file(path.read_text("utf-8"))
        diffs = snapshots.diff(expected, actual, name)
        if diffs:
            shown = "\n".join(d.diff for d in diffs)
            raise AssertionError(
                f"snapshot {name} differs (update: --helmkit-update-snapshots)\n{shown}"
            )

    return check
