"""`helmkit adopt`: the seed's Secret against the chart's `secrets.existingSecret` contract.

Pure. The seed made its Secret with `kubectl create secret` (JWT_SECRET_KEY, DATABASE_URL,
POSTGRES_PASSWORD, OPENAI_API_KEY, GEMINI_API_KEY). The chart, given `existingSecret`, renders no
Secret of its own and reads that one: the backend takes every key as environment (`envFrom`),
PostgreSQL and the database Jobs take POSTGRES_PASSWORD by name. Inputs are key names and the
URLs' endpoints (scheme://host:port/path, the kube adapter strips the credentials): no value.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from helmkit.core.model import live_manifests as lm
from helmkit.core.model import workloads
from helmkit.core.model.live_manifests import KubeObject
from helmkit.core.release.adopt_plan import Problem, owner_release

# the app cannot start without these (app contract): refuse when missing
APP_REQUIRED = ("JWT_SECRET_KEY", "DATABASE_URL")
# the app runs without these: say what is lost
APP_OPTIONAL = {
    "REDIS_URL": "the backend runs without the chart's Redis (no shared cache, no rate limiting)",
    "OPENAI_API_KEY": "no OpenAI access (the app falls back to its mock provider)",
    "GEMINI_API_KEY": "no Gemini access (the app falls back to its mock provider)",
}


@dataclass(frozen=True)
class SecretCheck:
    problems: tuple[Problem, ...]
    warnings: tuple[str, ...]
    keys: tuple[str, ...]


def _env_sources(pod_spec: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for container in [*(pod_spec.get("initContainers") or ()), *(pod_spec.get("containers") or ())]:
        for item in container.get("env") or ():
            ref = (item.get("valueFrom") or {}).get("secretKeyRef")
            if ref:
                yield ref


def _pod_specs(objects: Iterable[KubeObject]) -> Iterator[Mapping[str, Any]]:
    for obj in objects:
        if obj.get("kind") == "CronJob":
            job = ((obj.get("spec") or {}).get("jobTemplate") or {}).get("spec") or {}
            yield (job.get("template") or {}).get("spec") or {}
        elif (obj.get("spec") or {}).get("template"):
            yield (workloads.pod_spec(obj) or {})
        elif obj.get("kind") == "Pod":
            yield obj.get("spec") or {}


def referenced_keys(desired: Sequence[KubeObject], secret: str) -> set[str]:
    """Keys of `secret` the rendered pods read by name without `optional: true` (a missing
    one keeps the pod from starting)."""
    return {
        str(ref.get("key"))
        for spec in _pod_specs(desired)
        for ref in _env_sources(spec)
        if ref.get("name") == secret and not ref.get("optional")
    }


def service_endpoints(desired: Sequence[KubeObject], namespace: str) -> dict[str, set[str]]:
    """Service name -> every "host:port" by which pods of the namespace reach it."""
    out: dict[str, set[str]] = {}
    for svc in lm.of_kind(desired, "Service"):
        name = lm.key_of(svc).name
        hosts = (
            name,
            f"{name}.{namespace}",
            f"{name}.{namespace}.svc",
            f"{name}.{namespace}.svc.cluster.local",
        )
        ports = [str(p.get("port")) for p in (svc.get("spec") or {}).get("ports") or ()]
        out[name] = {f"{host}:{port}" for host in hosts for port in ports}
    return out


def _where(url: str, default_port: int) -> tuple[str, str]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or default_port
    except ValueError:
        port = default_port
    return f"{host}:{port}", parts.path.lstrip("/")


def _database_url(
    name: str,
    endpoints: Mapping[str, str],
    reach: Mapping[str, set[str]],
    service: str,
    database: str,
) -> list[Problem]:
    """DATABASE_URL must lead to the chart's PostgreSQL: the seed's own server is retired."""
    url = endpoints.get("DATABASE_URL")
    if url is None or not service:
        return []
    where, path = _where(url, 5432)
    if where in reach.get(service, set()) and path == database:
        return []
    expected = sorted(reach.get(service, {service}), key=len)[0]
    return [
        Problem(
            f"DATABASE_URL of Secret {name} points at {where}/{path}; the chart's PostgreSQL "
            f"answers at {expected}/{database}",
            f"set DATABASE_URL to postgresql://USER:PASSWORD@{expected}/{database} (PASSWORD "
            "percent-encoded) in the Secret, then run adopt again",
        )
    ]


def check_secret(
    name: str,
    keys: Sequence[str],
    endpoints: Mapping[str, str],
    desired: Sequence[KubeObject],
    *,
    namespace: str,
    database_service: str,
    database: str,
    redis_service: str,
) -> SecretCheck:
    """Refuse what cannot work (a key a pod reads by name, a key the app needs, a DATABASE_URL
    pointing elsewhere than the chart's PostgreSQL); warn about what only degrades."""
    have = set(keys)
    reach = service_endpoints(desired, namespace)
    redis_at = sorted(reach.get(redis_service, {f"{redis_service}:6379"}), key=len)[0]
    # the one value adopt can name: the chart's Redis has no password
    known = {"REDIS_URL": f"redis://{redis_at}/0"} if redis_service else {}
    problems: list[Problem] = []
    needed = sorted((referenced_keys(desired, name) | set(APP_REQUIRED)) - have)
    if needed:
        pairs = ", ".join(f'"{key}": "{known.get(key, "...")}"' for key in needed)
        problems.append(
            Problem(
                f"Secret {name} lacks {', '.join(needed)}, which the chart needs",
                f"add them: kubectl -n {namespace} patch secret {name} --type merge -p "
                f"'{{\"stringData\": {{{pairs}}}}}'",
            )
        )
    problems += _database_url(name, endpoints, reach, database_service, database)
    warnings = [
        f"Secret {name} has no {key}: {loss}"
        + (f"; to use it: add {key}={known[key]}" if key in known else "")
        for key, loss in APP_OPTIONAL.items()
        if key not in have and key not in needed and (key != "REDIS_URL" or redis_service)
    ]
    redis_url = endpoints.get("REDIS_URL")
    if redis_url is not None and redis_service:
        where, _ = _where(redis_url, 6379)
        if where not in reach.get(redis_service, set()):
            warnings.append(
                f"REDIS_URL of Secret {name} points at {where}, not at the chart's Redis "
                f"({redis_service}): the backend keeps using that one"
            )
    return SecretCheck(tuple(problems), tuple(warnings), tuple(sorted(have)))


def secret_in_use(live_objects: Sequence[lm.KubeObject], release: str, ns: str) -> str:
    """The Secret the seed's workloads read most (by envFrom or secretKeyRef)."""
    counts: dict[str, int] = {}
    for workload in lm.of_kind(live_objects, "Deployment", "StatefulSet"):
        if owner_release(workload) == (release, ns):
            continue
        spec = (workloads.pod_spec(workload) or {})
        names = set()
        for container in [*(spec.get("initContainers") or ()), *(spec.get("containers") or ())]:
            names |= {
                s["secretRef"]["name"] for s in container.get("envFrom") or () if s.get("secretRef")
            }
            names |= {
                e["valueFrom"]["secretKeyRef"]["name"]
                for e in container.get("env") or ()
                if (e.get("valueFrom") or {}).get("secretKeyRef")
            }
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    return max(sorted(counts), key=lambda n: counts[n]) if counts else ""
