"""Requests through the real node's ingress controller (Traefik in the node's network namespace),
sent from the host over the node's veth to its address: our own namespace, never further."""

from __future__ import annotations

import http.client
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from helmkit.core.cluster import real_node as rn


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: str


def get(address: str, host: str, path: str, port: int = rn.INGRESS_HTTP_PORT) -> Answer:
    """GET path from the controller at address with the given Host header (one bounded try)."""
    conn = http.client.HTTPConnection(address, port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": host})
        resp = conn.getresponse()
        body = resp.read().decode("utf-8", "replace")
        return Answer(resp.status, {k: v for k, v in resp.getheaders()}, body)
    finally:
        conn.close()


def answered(address: str, host: str, path: str, status: int = 200) -> Answer | None:
    """get(), for wait_for: the answer when it has that status, else None (a refused or reset
    connection too, while the controller picks up a new route)."""
    try:
        answer = get(address, host, path)
    except OSError:
        return None
    return answer if answer.status == status else None


def controller_view(address: str) -> str:
    """Traefik's own view of its HTTP services (its read-only API beside /ping), for failure
    messages."""
    try:
        return get(address, "traefik", "/api/http/services", port=rn.INGRESS_PING_PORT).body
    except OSError as exc:
        return f"(Traefik's API did not answer: {exc})"


def missing_headers(answer: Answer, promised: dict[str, str]) -> dict[str, str | None]:
    """The promised headers that are absent or different: name -> what came back. Header names
    are case-insensitive (Traefik, in Go, sends `X-Xss-Protection`)."""
    got = {k.lower(): v for k, v in answer.headers.items()}
    return {k: got.get(k.lower()) for k, v in promised.items() if got.get(k.lower()) != v}


def helm_template(
    helm: Path, chart: Path, values: list[Path], template: str, *sets: str, namespace: str = "x"
) -> str:
    argv = [str(helm), "template", "ai-native", str(chart), "--show-only", template,
            "--namespace", namespace]  # fmt: skip
    for v in values:
        argv += ["-f", str(v)]
    for s in sets:
        argv += ["--set", s]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed:\n{proc.stderr}")
    return proc.stdout


def promised_headers(helm: Path, chart: Path, values: list[Path]) -> dict[str, str]:
    """The security headers the chart renders for these values (its custom-headers ConfigMap;
    the HTTPRoutes' filters set the same), so the test follows the chart, not a copy of it."""
    doc = yaml.safe_load(
        helm_template(helm, chart, values, "templates/routes/security-headers.yaml")
    )
    headers = {str(k): str(v) for k, v in (doc.get("data") or {}).items()}
    assert "X-Frame-Options" in headers, headers
    return headers


def render_routes(
    helm: Path, chart: Path, values: list[Path], namespace: str, hosts: dict[str, str]
) -> str:
    """The chart's own HTTPRoutes (gateway.enabled) attached to the local cluster's Gateway, for
    the given api and app host names."""
    return helm_template(
        helm, chart, values, "templates/routes/httproutes.yaml",
        "gateway.enabled=true",
        f"gateway.parentRefs[0].name={rn.GATEWAY_NAME}",
        f"gateway.parentRefs[0].namespace={rn.GATEWAY_NAMESPACE}",
        f"gateway.parentRefs[0].sectionName={rn.GATEWAY_LISTENER}",
        f"ingress.hosts.api={hosts['api']}",
        f"ingress.hosts.app={hosts['app']}",
        namespace=namespace,
    )  # fmt: skip
