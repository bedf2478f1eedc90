"""Pack a root filesystem and an image config into a docker-archive tarball (stdlib only).

The archive is what `ctr images import` (and `docker load`) accept: `manifest.json`, the image
config `<sha256>.json` whose `rootfs.diff_ids` holds the sha256 of the uncompressed layer, and
that one layer at `<sha256>/layer.tar`. No registry and no Docker are needed to make or load it.

Usage: pack_image.py --rootfs DIR|TAR --config image.json --tag REF [--tag REF] --output OUT.tar
The rootfs is a directory (packed in sorted order, mtimes clamped, numeric owners kept) or an
uncompressed tar (used as the layer byte for byte). The output appears only when complete.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

# Keys of the OCI/Docker image config ("config" object) a recipe may set, with their JSON types.
CONFIG_KEYS: dict[str, type] = {
    "Entrypoint": list,
    "Cmd": list,
    "Env": list,
    "User": str,
    "WorkingDir": str,
    "ExposedPorts": list,
    "Labels": dict,
    "StopSignal": str,
    "Volumes": list,
}
# Fixed timestamps keep equal inputs byte-identical (the image ID is the config's digest).
EPOCH = 0
CREATED = "1970-01-01T00:00:00Z"
CHUNK = 1 << 20


class PackError(Exception):
    """Bad input: the message names the file, the key and the fix."""


def load_config(path: Path) -> dict[str, Any]:
    """Reads and checks an image config file: a JSON object with only CONFIG_KEYS."""
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise PackError(f"{path}: cannot read the image config as JSON ({err})") from None
    if not isinstance(data, dict):
        raise PackError(f"{path}: expected a JSON object of image config keys")
    for key, value in data.items():
        want = CONFIG_KEYS.get(key)
        if want is None:
            raise PackError(f"{path}: unknown key {key!r}; expected one of {sorted(CONFIG_KEYS)}")
        if not isinstance(value, want):
            raise PackError(f"{path}: {key} must be a JSON {want.__name__}")
        if want is list and not all(isinstance(item, str) for item in value):
            raise PackError(f"{path}: {key} must be a list of strings")
    for entry in data.get("Env", []):
        if "=" not in entry:
            raise PackError(f"{path}: Env entry {entry!r} must look like NAME=value")
    return data


def image_config(settings: dict[str, Any], diff_id: str, arch: str = "amd64") -> dict[str, Any]:
    """The image config JSON: runtime settings plus the one layer's diff_id."""
    config = dict(settings)
    # The image spec stores port and volume sets as objects with empty values.
    for key in ("ExposedPorts", "Volumes"):
        if key in config:
            config[key] = {item: {} for item in config[key]}
    return {
        "architecture": arch,
        "os": "linux",
        "created": CREATED,
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": CREATED, "created_by": "tests/images/pack_image.py"}],
    }


def manifest(config_name: str, layer_name: str, tags: list[str]) -> list[dict[str, Any]]:
    """manifest.json of a docker-archive with one image."""
    return [{"Config": config_name, "RepoTags": tags, "Layers": [layer_name]}]


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _walk_sorted(root: Path) -> Iterator[Path]:
    """Every path under root, parents first, siblings by name."""
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        yield entry
        if entry.is_dir() and not entry.is_symlink():
            yield from _walk_sorted(entry)


def tar_directory(root: Path, out: Path) -> None:
    """Writes root's contents as a reproducible tar: sorted, mtime clamped, numeric owners."""
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        for path in _walk_sorted(root):
            info = tar.gettarinfo(str(path), arcname=str(path.relative_to(root)))
            info.mtime = EPOCH
            info.uname = info.gname = ""
            info.pax_headers = {}
            if info.isreg():
                with path.open("rb") as handle:
                    tar.addfile(info, handle)
            else:
                tar.addfile(info)


def _check_layer_tar(path: Path) -> None:
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic[:2] == b"\x1f\x8b" or magic == b"\x28\xb5\x2f\xfd":
        raise PackError(f"{path}: the rootfs tar is compressed; give an uncompressed tar")
    if not tarfile.is_tarfile(path):
        raise PackError(f"{path}: not a tar file; give a directory or an uncompressed tar")


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), EPOCH, 0o644
    tar.addfile(info, io.BytesIO(data))


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = path.stat().st_size, EPOCH, 0o644
    with path.open("rb") as handle:
        tar.addfile(info, handle)


def write_archive(layer: Path, settings: dict[str, Any], tags: list[str], out: BinaryIO) -> str:
    """Writes the docker-archive of one uncompressed layer tar; returns the image ID."""
    layer_hex = sha256_file(layer)
    config_bytes = canonical_json(image_config(settings, f"sha256:{layer_hex}"))
    config_hex = hashlib.sha256(config_bytes).hexdigest()
    config_name, layer_name = f"{config_hex}.json", f"{layer_hex}/layer.tar"
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        _add_bytes(tar, config_name, config_bytes)
        _add_file(tar, layer_name, layer)
        _add_bytes(tar, "manifest.json", canonical_json(manifest(config_name, layer_name, tags)))
    return f"sha256:{config_hex}"


def pack(rootfs: Path, config_path: Path, tags: list[str], output: Path) -> str:
    """Packs rootfs (directory or tar) into output atomically; returns the image ID."""
    if not tags:
        raise PackError("give at least one --tag (the image reference, e.g. localhost/x/y:tag)")
    settings = load_config(config_path)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".pack-") as work:
        if rootfs.is_dir():
            layer = Path(work) / "layer.tar"
            tar_directory(rootfs, layer)
        elif rootfs.is_file():
            _check_layer_tar(rootfs)
            layer = rootfs
        else:
            raise PackError(f"{rootfs}: no such directory or tar (the --rootfs to pack)")
        partial = Path(work) / "image.tar"
        with partial.open("wb") as handle:
            image_id = write_archive(layer, settings, tags, handle)
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(output)
    return image_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rootfs", type=Path, required=True)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--tag", action="append", default=[], dest="tags")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        print(pack(args.rootfs, args.config, args.tags, args.output))
    except PackError as err:
        print(f"pack_image: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
