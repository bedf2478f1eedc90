"""`helmkit adopt`: what happens to each object of a namespace deployed without Helm.

Pure: the live objects (Secret values blanked) and the chart's render in, a plan out. Each live
object gets one fate:

- owned:   already carries this release's ownership: nothing to do;
- adopt:   the chart renders the same kind and name and every immutable field agrees: label and
           annotate it so Helm takes it over on the next release (Helm then patches it);
- replace: the chart renders the same kind and name but an immutable field differs (a selector,
           a StatefulSet's volume templates): delete it, the release creates the chart's;
- retire:  the chart has no such object (the seed's Redis Deployment, replaced by the chart's
           StatefulSet): delete it, so nothing outside the release keeps running;
- keep:    never touched: the Secret the chart reads as `secrets.existingSecret`, volumes, and
           what the user names with --keep;
- carry:   the PostgreSQL volume claim whose data moves to the chart's claim
           (`helmkit.core.release.adopt_data`).

Nothing is deleted that the plan does not list; a problem (an object of another release, a
volume adopt cannot carry) refuses the whole plan before anything changes.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from helmkit.core.model import live_manifests as lm
from helmkit.core.model.live_manifests import KubeObject, ObjectKey
from helmkit.core.values.strvals import merge_maps

MANAGED_BY = "app.kubernetes.io/managed-by"
RELEASE_NAME = "meta.helm.sh/release-name"
RELEASE_NAMESPACE = "meta.helm.sh/release-namespace"
HOOK = "helm.sh/hook"

# never candidates: made by Kubernetes or Helm for every namespace, or by helmkit itself
_SYSTEM = {
    ObjectKey("ConfigMap", "kube-root-ca.crt"),
    ObjectKey("ServiceAccount", "default"),
}
_SYSTEM_SECRET_TYPES = {"kubernetes.io/service-account-token", "helm.sh/release.v1"}
# workloads are compared with each other when naming what replaces a retired object
_WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet"}
_NAME_NOISE = re.compile(r"-(hpa|svc|service|ingress|deployment|deploy|sts|statefulset|cm)$")


class Fate(enum.Enum):
    OWNED = "owned"
    ADOPT = "adopt"
    REPLACE = "replace"
    RETIRE = "retire"
    KEEP = "keep"
    CARRY = "carry"


@dataclass(frozen=True)
class Decision:
    key: ObjectKey
    fate: Fate
    reason: str
    uid: str = ""  # deletes are preconditioned on it: an object re-created since is not touched

    def line(self) -> str:
        return f"  {self.fate.value:<8} {self.key}: {self.reason}"


@dataclass(frozen=True)
class Problem:
    """Why adopt refuses (nothing changed): what is wrong and the fix."""

    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.message} (fix: {self.fix})"


@dataclass(frozen=True)
class Inputs:
    release: str
    namespace: str
    live: tuple[KubeObject, ...]  # the namespace's objects, Secret values blanked
    desired: tuple[KubeObject, ...]  # the chart's render with the adoption overlay
    existing_secret: str = ""  # kept as secrets.existingSecret
    carried_claims: frozenset[str] = frozenset()  # seed claims whose data moves
    keep: frozenset[str] = frozenset()  # "Kind/name" the user keeps as they are


@dataclass(frozen=True)
class ObjectPlan:
    decisions: tuple[Decision, ...]
    problems: tuple[Problem, ...] = ()
    new: tuple[ObjectKey, ...] = field(default=())  # rendered objects nothing live has yet

    def of(self, fate: Fate) -> list[Decision]:
        return [d for d in self.decisions if d.fate is fate]


# --- which objects count --------------------------------------------------------------------


def annotations_of(obj: KubeObject) -> dict[str, str]:
    return dict((obj.get("metadata") or {}).get("annotations") or {})


def is_candidate(obj: KubeObject) -> bool:
    """An object someone created directly (not a controller's child, not Kubernetes' or Helm's
    bookkeeping, not a Helm hook): the ones a release could own."""
    meta = obj.get("metadata") or {}
    if meta.get("ownerReferences") or lm.key_of(obj) in _SYSTEM:
        return False
    if obj.get("kind") == "Secret" and obj.get("type") in _SYSTEM_SECRET_TYPES:
        return False
    if obj.get("kind") == "Lease" or HOOK in annotations_of(obj):
        return False
    return (meta.get("labels") or {}).get(MANAGED_BY) != "helmkit"


def owner_release(obj: KubeObject) -> tuple[str, str] | None:
    """(release, namespace) Helm's annotations name, when the object carries them."""
    notes = annotations_of(obj)
    if RELEASE_NAME not in notes:
        return None
    return notes[RELEASE_NAME], notes.get(RELEASE_NAMESPACE, "")


def rendered(desired: Iterable[KubeObject]) -> list[KubeObject]:
    """The objects a release owns (hooks are created and deleted by Helm on their own)."""
    return [obj for obj in desired if HOOK not in annotations_of(obj)]


# --- immutable fields -----------------------------------------------------------------------


def _spec(obj: KubeObject) -> dict[str, Any]:
    return dict(obj.get("spec") or {})


def _selector(obj: KubeObject) -> tuple[Any, Any]:
    selector = _spec(obj).get("selector") or {}
    expressions = sorted(
        (str(e.get("key")), str(e.get("operator")), tuple(sorted(e.get("values") or ())))
        for e in selector.get("matchExpressions") or ()
    )
    return dict(selector.get("matchLabels") or {}), expressions


def _claim_templates(obj: KubeObject) -> list[tuple[str, tuple[str, ...], str]]:
    out = []
    for vct in _spec(obj).get("volumeClaimTemplates") or ():
        spec = vct.get("spec") or {}
        size = str(((spec.get("resources") or {}).get("requests") or {}).get("storage", ""))
        name = str((vct.get("metadata") or {}).get("name", ""))
        out.append((name, tuple(spec.get("accessModes") or ()), size))
    return sorted(out)


def immutable_differences(live: KubeObject, desired: KubeObject) -> list[str]:
    """The immutable fields whose live value differs from the chart's: Helm's patch would be
    refused, so the object must be deleted and created anew."""
    kind = live.get("kind")
    diffs: list[str] = []
    selected = kind in ("Deployment", "DaemonSet", "ReplicaSet", "StatefulSet", "Job")
    if selected and _selector(live) != _selector(desired):
        diffs.append("spec.selector")
    if kind == "StatefulSet":
        live_spec, want = _spec(live), _spec(desired)
        if live_spec.get("serviceName") != want.get("serviceName"):
            diffs.append("spec.serviceName")
        policy = want.get("podManagementPolicy") or "OrderedReady"
        if (live_spec.get("podManagementPolicy") or "OrderedReady") != policy:
            diffs.append("spec.podManagementPolicy")
        if _claim_templates(live) != _claim_templates(desired):
            diffs.append("spec.volumeClaimTemplates")
    if kind == "Job":
        diffs.append("spec.template")  # a Job's pod template never changes
    if kind == "Service":
        headless = _spec(desired).get("clusterIP") == "None"
        if headless != (_spec(live).get("clusterIP") == "None"):
            diffs.append("spec.clusterIP (headless or not)")
    if kind in ("ConfigMap", "Secret") and live.get("immutable"):
        diffs.append("immutable: true")
    return sorted(set(diffs))


def stale_keys(live: KubeObject, desired: KubeObject) -> list[str]:
    """Keys of a ConfigMap or Secret the chart does not render. Neither Helm 3's patch of an
    adopted object nor Helm 4's server-side apply removes them, and the backend reads its
    ConfigMap whole (envFrom): a stale REDIS_URL would keep pointing at the seed's Redis."""
    if live.get("kind") not in ("ConfigMap", "Secret"):
        return []
    have = set(live.get("data") or {}) | set(live.get("binaryData") or {})
    want = set(desired.get("data") or {}) | set(desired.get("stringData") or {})
    want |= set(desired.get("binaryData") or {})
    return sorted(have - want)


def claim_differences(live: KubeObject, desired: KubeObject) -> list[str]:
    """A rendered PVC (the backup volume) that exists already: fields a patch cannot change."""
    have, want = _spec(live), _spec(desired)
    diffs = []
    if tuple(have.get("accessModes") or ()) != tuple(want.get("accessModes") or ()):
        diffs.append("spec.accessModes")
    wanted_class = want.get("storageClassName")
    if wanted_class is not None and have.get("storageClassName") != wanted_class:
        diffs.append("spec.storageClassName")
    return diffs


# --- the plan ---------------------------------------------------------------------------------


def successor(obj: KubeObject, desired: Sequence[KubeObject], release: str) -> str:
    """The rendered object that takes over a retired one's job, by name (for the reader)."""
    stem = _NAME_NOISE.sub("", lm.key_of(obj).name)
    stem = stem.removeprefix(f"{release}-") or stem
    kind = str(obj.get("kind"))
    family = _WORKLOADS if kind in _WORKLOADS else {kind}
    for want in desired:
        name = lm.key_of(want).name
        if want.get("kind") in family and (name == stem or name.endswith(f"-{stem}")):
            return str(lm.key_of(want))
    return ""


def _kept(key: ObjectKey, inputs: Inputs, want: KubeObject | None) -> str:
    """Why adopt leaves this object as it is, or "" when it does not."""
    if str(key) in inputs.keep:
        return "kept as it is (--keep); not part of the release"
    if key.kind == "Secret" and key.name == inputs.existing_secret and want is None:
        return "kept, the chart reads it as secrets.existingSecret"
    if key.kind == "PersistentVolumeClaim" and want is None:
        return "a volume not in the chart: adopt never deletes volumes"
    if key.kind == "Secret" and want is None:
        return "a Secret not in the chart: adopt never deletes Secrets"
    return ""


def _decide(obj: KubeObject, inputs: Inputs, wanted: Mapping[ObjectKey, KubeObject]) -> Decision:
    key = lm.key_of(obj)
    uid = str((obj.get("metadata") or {}).get("uid", ""))
    want = wanted.get(key)
    if key.kind == "PersistentVolumeClaim" and key.name in inputs.carried_claims:
        return Decision(key, Fate.CARRY, "its volume moves to the chart's claim", uid)
    kept = _kept(key, inputs, want)
    if kept:
        return Decision(key, Fate.KEEP, kept)
    if want is None:
        after = successor(obj, list(wanted.values()), inputs.release)
        instead = f"replaced by the chart's {after}" if after else "not part of the chart"
        return Decision(key, Fate.RETIRE, f"deleted: {instead}", uid)
    diffs = immutable_differences(obj, want)
    stale = stale_keys(obj, want)
    if stale:
        diffs.append(f"keys the chart does not render: {', '.join(stale)}")
    if diffs:
        return Decision(
            key, Fate.REPLACE, f"deleted and created by the release ({', '.join(diffs)})", uid
        )
    return Decision(key, Fate.ADOPT, "labelled and annotated; the release then patches it", uid)


def _problem(
    obj: KubeObject, inputs: Inputs, wanted: Mapping[ObjectKey, KubeObject]
) -> Problem | None:
    key = lm.key_of(obj)
    owner = owner_release(obj)
    if owner is not None and owner != (inputs.release, inputs.namespace):
        return Problem(
            f"{key} belongs to Helm release {owner[0]} (namespace {owner[1] or '?'})",
            f"uninstall that release first, or keep the object out with --keep {key}",
        )
    want = wanted.get(key)
    if key.kind == "PersistentVolumeClaim" and want is not None:
        diffs = claim_differences(obj, want)
        if diffs and key.name not in inputs.carried_claims:
            return Problem(
                f"{key} exists with other {', '.join(diffs)} than the chart's, and adopt never "
                "deletes a volume",
                "set the chart's values for that volume to match the claim, or move its data "
                "and delete it yourself",
            )
    return None


def plan_objects(inputs: Inputs) -> ObjectPlan:
    wanted = lm.by_key(rendered(inputs.desired))
    decisions: list[Decision] = []
    problems: list[Problem] = []
    live_keys: set[ObjectKey] = set()
    for obj in sorted(inputs.live, key=lm.key_of):
        if not is_candidate(obj):
            continue
        live_keys.add(lm.key_of(obj))
        problem = _problem(obj, inputs, wanted)
        if problem is not None:
            problems.append(problem)
            continue
        if owner_release(obj) == (inputs.release, inputs.namespace) and is_labelled(obj):
            decisions.append(Decision(lm.key_of(obj), Fate.OWNED, "already the release's"))
            continue
        decisions.append(_decide(obj, inputs, wanted))
    new = tuple(sorted(key for key in wanted if key not in live_keys))
    return ObjectPlan(tuple(decisions), tuple(problems), new)


def is_labelled(obj: KubeObject) -> bool:
    return ((obj.get("metadata") or {}).get("labels") or {}).get(MANAGED_BY) == "Helm"


# maps Helm's patch merges into instead of replacing: a key only the live object has would stay
# (a Service still selecting the seed's `app: postgresql` would select none of the chart's pods)
_SELECTOR_MAPS: dict[str, tuple[str, ...]] = {
    "Service": ("spec", "selector"),
    "PodDisruptionBudget": ("spec", "selector", "matchLabels"),
    "NetworkPolicy": ("spec", "podSelector", "matchLabels"),
}


def _at(obj: KubeObject, path: Sequence[str]) -> dict[str, Any]:
    node: Any = obj
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return dict(node) if isinstance(node, dict) else {}


def _nested(path: Sequence[str], leaf: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = leaf
    for part in reversed(path):
        out = {part: out}
    return out


# what a rendered object says beyond its metadata: adopt writes the chart's values there
_CONTENT = ("spec", "data", "binaryData")


def adoption_patch(
    live: KubeObject, desired: KubeObject, release: str, namespace: str
) -> dict[str, Any]:
    """The merge patch that hands an object to Helm: Helm's label and annotations, and the
    chart's content (spec, data) already in place. Helm 4 applies server-side: a field whose
    value differs from the one `kubectl apply` (or, without field records, "before-first-apply")
    set is a conflict that fails the release, while a field already at the chart's value is
    not. Helm 3's three-way merge then has nothing left to change either. A JSON merge patch
    replaces lists and merges maps, so the seed's keys of a merged selector are set to null
    (Helm's own patch would keep them: a Service still selecting `app: postgresql` selects none
    of the chart's pods)."""
    patch = ownership_patch(release, namespace)
    for key in _CONTENT:
        if key in desired:
            patch[key] = desired[key]
    path = _SELECTOR_MAPS.get(str(live.get("kind")))
    if path is not None:
        have, want = _at(live, path), _at(desired, path)
        if have != want:
            stale: dict[str, Any] = dict.fromkeys(set(have) - set(want))
            patch = merge_maps(patch, _nested(path, stale))
    return patch


def ownership_patch(release: str, namespace: str) -> dict[str, Any]:
    """What Helm checks before it takes an existing object over."""
    return {
        "metadata": {
            "labels": {MANAGED_BY: "Helm"},
            "annotations": {RELEASE_NAME: release, RELEASE_NAMESPACE: namespace},
        }
    }
