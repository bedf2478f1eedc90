"""tests/images/pack_image.py and image_index.py: the docker-archive that `ctr images import` reads.

The layer's diff_id must be the sha256 of the uncompressed layer tar (containerd refuses the
import otherwise), the config's digest names it, and manifest.json ties tags to both.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
IMAGES = REPO / "tests" / "images"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, IMAGES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


pack_image = _load("pack_image")
image_index = _load("image_index")


def _rootfs(tmp_path: Path) -> Path:
    root = tmp_path / "rootfs"
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "app").write_bytes(b"#!/bin/sh\necho hi\n")
    (root / "bin" / "app").chmod(0o755)
    (root / "etc").mkdir()
    (root / "etc" / "hostname").write_text("stand-in\n")
    os.symlink("bin/app", root / "app")
    return root


def _config(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "image.json"
    path.write_text(json.dumps(data))
    return path


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


SETTINGS = {
    "Entrypoint": ["/bin/app"],
    "Cmd": ["serve"],
    "Env": ["PATH=/bin"],
    "User": "999:999",
    "WorkingDir": "/",
    "ExposedPorts": ["8080/tcp"],
}


def test_archive_layout_and_digests(tmp_path: Path) -> None:
    out = tmp_path / "out" / "image.tar"
    tags = ["localhost/x/app:1", "localhost/x/app:t"]
    image_id = pack_image.pack(_rootfs(tmp_path), _config(tmp_path, SETTINGS), tags, out)
    files = _members(out)
    [entry] = json.loads(files["manifest.json"])
    assert entry["RepoTags"] == ["localhost/x/app:1", "localhost/x/app:t"]
    config_bytes = files[entry["Config"]]
    assert entry["Config"] == hashlib.sha256(config_bytes).hexdigest() + ".json"
    assert image_id == "sha256:" + hashlib.sha256(config_bytes).hexdigest()
    [layer_name] = entry["Layers"]
    layer = files[layer_name]
    layer_hex = hashlib.sha256(layer).hexdigest()
    assert layer_name == f"{layer_hex}/layer.tar"
    config = json.loads(config_bytes)
    assert config["rootfs"] == {"type": "layers", "diff_ids": [f"sha256:{layer_hex}"]}
    assert config["os"] == "linux" and config["architecture"] == "amd64"
    assert config["config"]["ExposedPorts"] == {"8080/tcp": {}}
    assert config["config"]["User"] == "999:999"
    assert config["config"]["Entrypoint"] == ["/bin/app"]


def test_directory_layer_keeps_modes_links_and_order(tmp_path: Path) -> None:
    out = tmp_path / "image.tar"
    pack_image.pack(_rootfs(tmp_path), _config(tmp_path, {}), ["localhost/x/app:1"], out)
    files = _members(out)
    [entry] = json.loads(files["manifest.json"])
    with tarfile.open(fileobj=io.BytesIO(files[entry["Layers"][0]])) as layer:
        members = layer.getmembers()
    names = [m.name for m in members]
    assert names == ["app", "bin", "bin/app", "etc", "etc/hostname"]
    by_name = {m.name: m for m in members}
    assert by_name["app"].issym() and by_name["app"].linkname == "bin/app"
    assert by_name["bin/app"].mode & 0o777 == 0o755
    assert {m.mtime for m in members} == {0}


def test_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    root, config = _rootfs(tmp_path), _config(tmp_path, SETTINGS)
    first, second = tmp_path / "a.tar", tmp_path / "b.tar"
    pack_image.pack(root, config, ["localhost/x/app:1"], first)
    (root / "etc" / "hostname").touch()  # a newer mtime must not change the image
    pack_image.pack(root, config, ["localhost/x/app:1"], second)
    assert first.read_bytes() == second.read_bytes()


def test_tar_rootfs_is_the_layer_byte_for_byte(tmp_path: Path) -> None:
    rootfs_tar = tmp_path / "rootfs.tar"
    pack_image.tar_directory(_rootfs(tmp_path), rootfs_tar)
    out = tmp_path / "image.tar"
    pack_image.pack(rootfs_tar, _config(tmp_path, SETTINGS), ["localhost/x/app:1"], out)
    files = _members(out)
    [entry] = json.loads(files["manifest.json"])
    assert files[entry["Layers"][0]] == rootfs_tar.read_bytes()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"Entrypoint": "/bin/app"}, "Entrypoint must be a JSON list"),
        ({"Cmd": [1]}, "Cmd must be a list of strings"),
        ({"Env": ["NOVALUE"]}, "must look like NAME=value"),
        ({"Healthcheck": {}}, "unknown key 'Healthcheck'"),
        (["not", "an", "object"], "expected a JSON object"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, data: object, message: str) -> None:
    config = _config(tmp_path, data)
    with pytest.raises(pack_image.PackError, match=message) as err:
        pack_image.pack(_rootfs(tmp_path), config, ["localhost/x/app:1"], tmp_path / "o.tar")
    assert str(config) in str(err.value)
    assert not (tmp_path / "o.tar").exists()


def test_compressed_rootfs_is_refused_and_nothing_written(tmp_path: Path) -> None:
    gz = tmp_path / "rootfs.tar.gz"
    with tarfile.open(gz, "w:gz") as tar:
        tar.add(_rootfs(tmp_path), arcname=".")
    out = tmp_path / "o.tar"
    with pytest.raises(pack_image.PackError, match="compressed"):
        pack_image.pack(gz, _config(tmp_path, {}), ["localhost/x/app:1"], out)
    assert not out.exists()
    assert list(tmp_path.glob(".pack-*")) == []


def test_cli_reports_bad_input_without_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(IMAGES / "pack_image.py"), "--rootfs", str(tmp_path / "missing"),
         "--config", str(_config(tmp_path, {})), "--tag", "localhost/x/app:1",
         "--output", str(tmp_path / "o.tar")],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 1
    assert "no such directory or tar" in result.stderr
    assert "Traceback" not in result.stderr


def test_index_replaces_older_references_of_the_same_image(tmp_path: Path) -> None:
    index = {
        "localhost/ai-native/pause:old": "/c/pause-old.tar",
        "localhost/ai-native/pause:stand-in": "/c/pause-old.tar",
        "localhost/ai-native/redis:abc": "/c/redis-abc.tar",
    }
    refs = ["localhost/ai-native/pause:new", "localhost/ai-native/pause:stand-in"]
    new = image_index.updated(index, "/c/pause-new.tar", refs)
    assert new == {
        "localhost/ai-native/pause:new": "/c/pause-new.tar",
        "localhost/ai-native/pause:stand-in": "/c/pause-new.tar",
        "localhost/ai-native/redis:abc": "/c/redis-abc.tar",
    }


def test_index_repository_keeps_a_registry_port() -> None:
    assert image_index.repository("localhost:5000/a/b:tag") == "localhost:5000/a/b"
    assert image_index.repository("localhost:5000/a/b") == "localhost:5000/a/b"


def test_index_ignores_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "index.json"
    path.write_text("{not json")
    assert image_index.main([str(path), "/c/x.tar", "localhost/ai-native/x:1"]) == 0
    assert json.loads(path.read_text()) == {"localhost/ai-native/x:1": "/c/x.tar"}
