"""`helmkit adopt`: the seed's PostgreSQL, its volume, and the values that keep both working.

Pure. The seed ran PostgreSQL as its own StatefulSet (or Deployment) with a claim named after it;
the chart's StatefulSet looks for `<template>-<statefulset>-0`. A claim cannot be renamed, so the
volume itself moves (`carry_steps`): its reclaim policy is set to Retain first (deleting the old
claim then frees the volume instead of deleting it), the old claim is deleted once no pod uses
it, the volume is reserved for the chart's claim name (claimRef without uid), and that claim is
created bound to it (volumeName). The StatefulSet the release creates then finds its claim
already there. What was decided is recorded on the volume (annotations), so a run interrupted at
any step resumes from what the cluster shows, even after the seed's StatefulSet is gone.

The server keeps the seed's image (the files on the volume are of its major version) and user,
through a values overlay (`overlay_values`).
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from helmkit.core.model import live_manifests as lm
from helmkit.core.model import workloads
from helmkit.core.model.live_manifests import KubeObject
from helmkit.core.release.adopt_plan import Problem

PREFIX = "adopt.helmkit.dev/"
NOTE_CLAIM = PREFIX + "claim"  # "<namespace>/<the chart's claim>": the volume is being carried
NOTE_FROM = PREFIX + "from-claim"  # the seed's claim it was bound to
NOTE_POLICY = PREFIX + "reclaim-policy"  # its reclaim policy before adopt set Retain
NOTE_REQUEST = PREFIX + "request"  # the seed claim's storage request
NOTE_VALUES = PREFIX + "values"  # the values overlay (JSON; no secret value in it)
DEFAULT_PGDATA = "/var/lib/postgresql/data"  # the official image's
ALPINE_UID = 70  # the official image's postgres user: 70 on Alpine, 999 on Debian
DEBIAN_UID = 999


@dataclass(frozen=True)
class Database:
    """The seed's PostgreSQL as its workload shows it."""

    workload: lm.ObjectKey
    claim: str  # the claim its data directory lives on
    image: str
    run_as_user: int
    username: str
    database: str
    pgdata_in_volume: str  # PGDATA relative to the volume's root ("" = the root)


@dataclass(frozen=True)
class Target:
    """The chart's PostgreSQL: its StatefulSet, the claim it will look for, its data layout."""

    statefulset: str
    claim: str
    claim_labels: Mapping[str, str]
    pgdata_in_volume: str


def _is_postgres(container: Mapping[str, Any]) -> bool:
    image = str(container.get("image", ""))
    repo = image.split("@")[0].rsplit("/", 1)[-1].split(":")[0]
    return repo.startswith("postgres")


def _env(container: Mapping[str, Any], name: str, default: str) -> str:
    for item in container.get("env") or ():
        if item.get("name") == name and "value" in item:
            return str(item["value"])
    return default


def _pgdata_layout(container: Mapping[str, Any], volume: str) -> tuple[str, str] | None:
    """(mount path of `volume`, PGDATA relative to it) when PGDATA lies on that volume."""
    pgdata = posixpath.normpath(_env(container, "PGDATA", DEFAULT_PGDATA))
    for mount in container.get("volumeMounts") or ():
        path = posixpath.normpath(str(mount.get("mountPath", "")))
        if mount.get("name") == volume and (pgdata == path or pgdata.startswith(path + "/")):
            inside = posixpath.relpath(pgdata, path)
            sub = str(mount.get("subPath") or "")
            return path, posixpath.normpath(posixpath.join(sub, inside)).removeprefix(".")
    return None


def _user(workload: KubeObject, container: Mapping[str, Any]) -> int:
    """The uid the seed's server ran as: set explicitly, else the official image's default."""
    pod_context = (workloads.pod_spec(workload) or {}).get("securityContext")
    for context in (container.get("securityContext"), pod_context):
        if context and context.get("runAsUser") is not None:
            return int(context["runAsUser"])
    return ALPINE_UID if "alpine" in str(container.get("image", "")) else DEBIAN_UID


def _claims(workload: KubeObject) -> dict[str, str]:
    """Volume name -> claim name, for claim templates (replica 0) and claim volumes."""
    name = lm.key_of(workload).name
    out = {
        str(t["metadata"]["name"]): f"{t['metadata']['name']}-{name}-0"
        for t in (workload.get("spec") or {}).get("volumeClaimTemplates") or ()
    }
    for volume in (workloads.pod_spec(workload) or {}).get("volumes") or ():
        claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
        if claim:
            out[str(volume["name"])] = str(claim)
    return out


def find_database(live: Sequence[KubeObject]) -> tuple[Database | None, list[Problem]]:
    """The seed's PostgreSQL workload (any Deployment or StatefulSet running a postgres image;
    the caller leaves the release's own out), or None when there is none."""
    found: list[Database] = []
    problems: list[Problem] = []
    for workload in lm.of_kind(live, "StatefulSet", "Deployment"):
        for container in (workloads.pod_spec(workload) or {}).get("containers") or ():
            if not _is_postgres(container):
                continue
            db, problem = _database(workload, container)
            if problem:
                problems.append(problem)
            if db:
                found.append(db)
    if len(found) > 1:
        names = ", ".join(str(db.workload) for db in found)
        problems.append(
            Problem(
                f"more than one PostgreSQL workload ({names}): adopt carries one database",
                "keep the others out with --keep KIND/NAME and move their data yourself",
            )
        )
        return None, problems
    return (found[0] if found else None), problems


def _database(
    workload: KubeObject, container: Mapping[str, Any]
) -> tuple[Database | None, Problem | None]:
    key = lm.key_of(workload)
    replicas = (workload.get("spec") or {}).get("replicas", 1)
    if key.kind == "StatefulSet" and replicas not in (0, 1):
        return None, Problem(
            f"{key} runs {replicas} replicas; adopt carries the volume of one server",
            f"scale it to 1 first (kubectl scale statefulset {key.name} --replicas=1)",
        )
    for volume, claim in _claims(workload).items():
        layout = _pgdata_layout(container, volume)
        if layout is None:
            continue
        db = Database(
            workload=key,
            claim=claim,
            image=str(container.get("image", "")),
            run_as_user=_user(workload, container),
            username=_env(container, "POSTGRES_USER", "postgres"),
            database=_env(container, "POSTGRES_DB", _env(container, "POSTGRES_USER", "postgres")),
            pgdata_in_volume=layout[1],
        )
        return db, None
    return None, Problem(
        f"{key} keeps its PostgreSQL data directory on no volume claim: there is no data to carry",
        "give it a PersistentVolumeClaim first, or add --keep " f"{key} to adopt the rest only",
    )


def chart_target(desired: Sequence[KubeObject]) -> Target | None:
    """The chart's PostgreSQL StatefulSet and the claim of its first replica."""
    for sts in lm.of_kind(desired, "StatefulSet"):
        containers = (workloads.pod_spec(sts) or {}).get("containers") or ()
        postgres = [c for c in containers if _is_postgres(c)]
        templates = (sts.get("spec") or {}).get("volumeClaimTemplates") or ()
        if not postgres:
            continue
        name = lm.key_of(sts).name
        for template in templates:
            vct = str(template["metadata"]["name"])
            layout = _pgdata_layout(postgres[0], vct)
            if layout is not None:
                labels = dict(template["metadata"].get("labels") or {})
                return Target(name, f"{vct}-{name}-0", labels, layout[1])
        return Target(name, "", {}, "")
    return None


def image_values(image: str) -> dict[str, str]:
    """`postgresql.image` values that render exactly `image` (registry kept explicit, so a
    global.imageRegistry cannot redirect it)."""
    ref, _, digest = image.partition("@")
    name, tag = ref, ""
    if ":" in ref.rsplit("/", 1)[-1]:
        name, tag = ref.rsplit(":", 1)
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, repository = first, rest
    else:
        registry, repository = "docker.io", name
    return {
        "registry": registry,
        "repository": repository,
        "tag": tag or "latest",
        "digest": digest,
    }


def database_values(db: Database, size: str, storage_class: str) -> dict[str, Any]:
    """The overlay's `postgresql` values: the seed's server image and user (its files), its
    database and role names, and the carried volume's size and class."""
    return {
        "image": image_values(db.image),
        "runAsUser": db.run_as_user,
        "auth": {"username": db.username, "database": db.database},
        "persistence": {"size": size, "storageClass": storage_class or "-"},
    }


def overlay_values(existing_secret: str, postgresql: Mapping[str, Any] | None) -> dict[str, Any]:
    values: dict[str, Any] = {"secrets": {"existingSecret": existing_secret}}
    if postgresql:
        values["postgresql"] = dict(postgresql)
    return values


def layout_problem(db: Database, target: Target) -> Problem | None:
    """The chart's server looks for its files in `target.pgdata_in_volume` of the volume: a
    seed that kept them elsewhere would start an empty database next to the old one."""
    if db.pgdata_in_volume == target.pgdata_in_volume:
        return None
    where = db.pgdata_in_volume or "the root"
    return Problem(
        f"{db.workload} keeps PGDATA in {where} of its volume, the chart in "
        f"{target.pgdata_in_volume or 'the root'}/: the chart's server would not find the data",
        f"stop {db.workload}, move the files into {target.pgdata_in_volume}/ of the volume "
        "(a one-off pod mounting the claim: mkdir, mv, keeping owner and mode 0700), set "
        f"PGDATA accordingly, start it, check, then run adopt again",
    )


def volume_notes(
    namespace: str,
    target_claim: str,
    seed_claim: KubeObject,
    pv: KubeObject,
    overlay: Mapping[str, Any],
) -> dict[str, str]:
    """What adopt records on the volume before it changes anything."""
    request = ((seed_claim.get("spec") or {}).get("resources") or {}).get("requests") or {}
    return {
        NOTE_CLAIM: f"{namespace}/{target_claim}",
        NOTE_FROM: lm.key_of(seed_claim).name,
        NOTE_POLICY: str((pv.get("spec") or {}).get("persistentVolumeReclaimPolicy") or "Delete"),
        NOTE_REQUEST: str(request.get("storage") or capacity(pv)),
        NOTE_VALUES: json.dumps(dict(overlay), sort_keys=True),
    }


def capacity(pv: KubeObject) -> str:
    return str(((pv.get("spec") or {}).get("capacity") or {}).get("storage", ""))


def carried_to(pv: KubeObject, namespace: str) -> str:
    """The chart claim this volume is being carried to (recorded by adopt), or ""."""
    note = str(((pv.get("metadata") or {}).get("annotations") or {}).get(NOTE_CLAIM, ""))
    ns, _, claim = note.partition("/")
    return claim if ns == namespace else ""


def recorded_values(pv: KubeObject) -> dict[str, Any]:
    note = ((pv.get("metadata") or {}).get("annotations") or {}).get(NOTE_VALUES)
    try:
        parsed = json.loads(note) if note else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


# --- the carry, step by step ------------------------------------------------------------------


@dataclass(frozen=True)
class Volume:
    """The state of a carry as the cluster shows it (read again before every step)."""

    pv: KubeObject
    namespace: str
    target_claim: str
    seed_claim: KubeObject | None  # gone once deleted
    new_claim: KubeObject | None  # the chart's claim, once created
    users: tuple[str, ...] = ()  # pods that still mount the seed's claim


def claim_body(volume: Volume, labels: Mapping[str, str]) -> dict[str, Any]:
    """The chart's claim, bound to the carried volume from the start."""
    spec = volume.pv.get("spec") or {}
    notes = (volume.pv.get("metadata") or {}).get("annotations") or {}
    body: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": volume.target_claim,
            "namespace": volume.namespace,
            "labels": dict(labels),
            "annotations": {NOTE_FROM: str(notes.get(NOTE_FROM, ""))},
        },
        "spec": {
            "accessModes": list(spec.get("accessModes") or ["ReadWriteOnce"]),
            "resources": {
                "requests": {"storage": str(notes.get(NOTE_REQUEST) or capacity(volume.pv))}
            },
            "storageClassName": str(spec.get("storageClassName") or ""),
            "volumeName": lm.key_of(volume.pv).name,
        },
    }
    if spec.get("volumeMode"):
        body["spec"]["volumeMode"] = spec["volumeMode"]
    return body


@dataclass(frozen=True)
class Step:
    """One change to the volume or its claims; `kind` tells ops which request it is."""

    kind: (
        str  # retain, wait-unused, delete-seed-claim, wait-gone, reserve, create-claim, wait-bound
    )
    text: str
    body: dict[str, Any] | None = None


def next_step(volume: Volume, labels: Mapping[str, str]) -> Step | None:
    """The first step not yet done, judged from the cluster's state alone; None when the
    chart's claim is bound to the volume."""
    pv_name = lm.key_of(volume.pv).name
    if (volume.pv.get("spec") or {}).get("persistentVolumeReclaimPolicy") != "Retain":
        return Step("retain", f"set PersistentVolume {pv_name}'s reclaim policy to Retain")
    if volume.seed_claim is not None:
        return _release_seed_claim(volume, volume.seed_claim)
    return _bind_chart_claim(volume, labels)


def _release_seed_claim(volume: Volume, claim: KubeObject) -> Step:
    seed, pv_name = lm.key_of(claim).name, lm.key_of(volume.pv).name
    if (claim.get("metadata") or {}).get("deletionTimestamp"):
        return Step("wait-gone", f"wait until claim {seed} is deleted")
    if volume.users:
        users = ", ".join(volume.users)
        return Step("wait-unused", f"wait until no pod mounts claim {seed} ({users})")
    return Step("delete-seed-claim", f"delete claim {seed} (its volume {pv_name} is kept)")


def _bind_chart_claim(volume: Volume, labels: Mapping[str, str]) -> Step | None:
    pv_name, target = lm.key_of(volume.pv).name, volume.target_claim
    ref = (volume.pv.get("spec") or {}).get("claimRef") or {}
    new = volume.new_claim
    new_uid = str((new or {}).get("metadata", {}).get("uid", ""))
    reserved = ref.get("name") == target and ref.get("namespace") == volume.namespace
    if not reserved or (ref.get("uid") and ref.get("uid") != new_uid):
        # no uid: the volume waits for a claim of that name (a pre-bound volume)
        claim_ref = {"namespace": volume.namespace, "name": target, "uid": None}
        body = {"spec": {"claimRef": {**claim_ref, "resourceVersion": None}}}
        return Step("reserve", f"reserve volume {pv_name} for claim {target}", body)
    if new is None:
        body = claim_body(volume, labels)
        return Step("create-claim", f"create claim {target} bound to volume {pv_name}", body)
    if (new.get("spec") or {}).get("volumeName") not in ("", None, pv_name):
        return None  # bound elsewhere: reported by carry_problem, never changed here
    if (new.get("status") or {}).get("phase") != "Bound":
        return Step("wait-bound", f"wait until claim {target} is Bound")
    return None


def carry_problem(volume: Volume) -> Problem | None:
    """A chart claim that exists already bound to another volume: adopt cannot carry into it."""
    new = volume.new_claim
    pv_name = lm.key_of(volume.pv).name
    bound = (new or {}).get("spec", {}).get("volumeName")
    if new is not None and bound and bound != pv_name:
        return Problem(
            f"claim {volume.target_claim} exists, bound to volume {bound}, not to the carried "
            f"volume {pv_name}",
            f"check what {bound} holds; if it is an empty volume, delete claim "
            f"{volume.target_claim} and run adopt again",
        )
    return None


def carried_pv(
    pvs: Sequence[lm.KubeObject], ns: str, seed_claim: lm.KubeObject | None
) -> lm.KubeObject | None:
    """The volume being carried: the one adopt recorded for this namespace, else the seed
    claim's."""
    for pv in pvs:
        if carried_to(pv, ns):
            return pv
    bound = ((seed_claim or {}).get("spec") or {}).get("volumeName")
    return next((pv for pv in pvs if lm.key_of(pv).name == bound), None)


def claim_users(pods: Sequence[lm.KubeObject], claim: str) -> tuple[str, ...]:
    users = []
    for pod in pods:
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        for volume in (pod.get("spec") or {}).get("volumes") or ():
            if (volume.get("persistentVolumeClaim") or {}).get("claimName") == claim:
                users.append(lm.key_of(pod).name)
    return tuple(sorted(set(users)))
