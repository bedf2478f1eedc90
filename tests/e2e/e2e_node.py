"""The real node in the e2e tests: the probe image, pods steered to the node, host firewall state.

The probe image (tests/e2e/images/probe) is one static Go program, built and packed into a
docker-archive once per content hash of its sources (cached beside the other images), then
imported into the node's containerd. Pods reach the node with its label and a toleration.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from helmkit.adapters import real_node as node_adapter
from helmkit.core.cluster import config as cc
from helmkit.core.cluster import real_node as rn

REPO = Path(__file__).resolve().parents[2]
PROBE_SRC = REPO / "tests" / "e2e" / "images" / "probe"
PACKER = REPO / "tests" / "images" / "pack_image.py"
PROBE_REPOSITORY = "localhost/ai-native/e2e-probe"


def probe_image(paths: cc.ClusterPaths) -> str:
    """Build (once per source hash) and import the probe image; returns its reference."""
    digest = hashlib.sha256()
    for path in sorted(PROBE_SRC.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    tag = digest.hexdigest()[:16]
    ref = f"{PROBE_REPOSITORY}:{tag}"
    archive = paths.cache_dir / "images" / f"e2e-probe-{tag}.tar"
    if not archive.exists():
        _build(archive, ref)
    node_adapter.import_images(rn.node_paths(paths), {ref: str(archive)})
    return ref


def _build(archive: Path, ref: str) -> None:
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=archive.parent) as work:
        rootfs = Path(work) / "rootfs"
        rootfs.mkdir()
        env = {**os.environ, "CGO_ENABLED": "0", "GOWORK": "off"}
        for argv, cwd in (
            (["go", "build", "-trimpath", "-ldflags", "-s -w", "-o", str(rootfs / "probe"), "."],
             PROBE_SRC),
            ([sys.executable, str(PACKER), "--rootfs", str(rootfs), "--config",
              str(PROBE_SRC / "image.json"), "--tag", ref, "--output", str(archive)], REPO),
        ):  # fmt: skip
            proc = subprocess.run(
                argv, cwd=cwd, env=env, capture_output=True, text=True, check=False
            )
            if proc.returncode != 0:
                raise AssertionError(f"{' '.join(argv)} failed:\n{proc.stderr}")


def on_real_node(spec_body: str) -> str:
    """A pod spec's node placement: the node's label and a toleration of its taint."""
    key, value = rn.NODE_LABEL
    taint = rn.NODE_TAINT
    return (
        f"  nodeSelector: {{{key}: {value}}}\n"
        f"  tolerations: [{{key: {taint['key']}, operator: Equal, value: '{taint['value']}', "
        f"effect: {taint['effect']}}}]\n"
        f"{spec_body}"
    )


def restricted_probe_pod(name: str, image: str, args: str, labels: str = "") -> str:
    """A pod under Pod Security "restricted": uid 999, read-only root, no capabilities."""
    meta = f"  labels: {{{labels}}}\n" if labels else ""
    return f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n{meta}spec:\n" + on_real_node(
        "  terminationGracePeriodSeconds: 2\n"
        "  securityContext:\n"
        "    runAsNonRoot: true\n    runAsUser: 999\n    runAsGroup: 999\n"
        "    seccompProfile: {type: RuntimeDefault}\n"
        "  containers:\n"
        f"  - name: probe\n    image: {image}\n    imagePullPolicy: Never\n"
        f"    args: {args}\n"
        "    securityContext:\n"
        "      allowPrivilegeEscalation: false\n      readOnlyRootFilesystem: true\n"
        "      capabilities: {drop: [ALL]}\n"
        "    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}\n"
    )


def host_firewall() -> str:
    """The host namespace's iptables (both backends) and nftables rulesets, as text."""
    parts = []
    for argv in (["iptables-save"], ["iptables-legacy-save"], ["nft", "list", "ruleset"]):
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        # iptables-save prints a timestamp comment; it is not part of the ruleset.
        lines = [ln for ln in proc.stdout.splitlines() if not ln.startswith("#")]
        parts.append(f"$ {' '.join(argv)} (exit {proc.returncode})\n" + "\n".join(lines))
    return "\n".join(parts)


def netns_firewall(net: rn.NodeNetwork) -> str:
    argv = rn.in_netns(net, ["iptables-save"])
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout
