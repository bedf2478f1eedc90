"""`helmkit uninstall ENV [--delete-data] [--yes]`: say what goes and what stays, ask, act.

PersistentVolumeClaims made from StatefulSet volumeClaimTemplates are not release objects, so
`helm uninstall` leaves them (and the data) in place; `--delete-data` deletes them afterwards.
The pods `helm test` left (hooks are not release objects either) are deleted after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from helmkit.core.helm import argv as hal
from helmkit.core.model import live_manifests as lm
from helmkit.errors import UsageError
from helmkit.ops.live import LiveEnv

Confirm = Callable[[str], bool]


@dataclass(frozen=True)
class UninstallOptions:
    delete_data: bool = False
    yes: bool = False
    dry_run: bool = False
    keep_history: bool = False


def uninstall(live: LiveEnv, opts: UninstallOptions, confirm: Confirm) -> int:
    if not live.history():
        raise UsageError(f"release {live.env.release} does not exist in {live.env.namespace}")
    ns = live.env.namespace
    objects = sorted(str(lm.key_of(obj)) for obj in live.manifest())
    selector = f"{lm.INSTANCE_LABEL}={live.env.release}"
    pvcs = sorted(
        p["metadata"]["name"] for p in live.kube.items("PersistentVolumeClaim", ns, selector)
    )
    argv = hal.uninstall_argv(
        live.version, live.target, keep_history=opts.keep_history, timeout=live.timeout
    )
    live.echo(
        f"plan: uninstall {live.env.release} from {ns} ({len(objects)} objects): "
        + ", ".join(objects)
    )
    # helm uninstall leaves the pods helm test made (hooks are not release objects)
    tests = [
        p["metadata"]["name"] for p in live.kube.items("Pod", ns, selector) if lm.is_test_hook(p)
    ]
    if tests:
        live.echo(f"  helm test pods left by helm test: delete {', '.join(tests)}")
    if pvcs:
        verb = "DELETE (--delete-data)" if opts.delete_data else "keep"
        live.echo(f"  volumes: {verb} {', '.join(pvcs)}")
    live.echo(f"  command: {hal.shown(argv)}")
    if opts.dry_run:
        live.echo("dry run: stopped after the plan")
        return 0
    question = (
        f"Uninstall {live.env.release} from {ns}"
        + (" AND DELETE ITS DATA" if opts.delete_data and pvcs else "")
        + "?"
    )
    if not opts.yes and not confirm(question):
        live.echo("aborted: nothing was changed")
        return 1
    live.run(argv)
    # helm deletes the release's objects, not the pods its tests left (kept to show results)
    for pod in tests:
        live.kube.delete_pod(ns, pod)
    if tests:
        live.echo(f"deleted helm test pods: {', '.join(tests)}")
    if opts.delete_data:
        deleted = live.kube.delete_pvcs(ns, selector)
        live.echo(f"deleted volumes: {', '.join(deleted) or '(none)'}")
    elif pvcs:
        live.echo(
            f"kept volumes: {', '.join(pvcs)} (to delete them later: "
            f"kubectl delete pvc -n {ns} -l {selector})"
        )
    live.echo(f"uninstalled {live.env.release}")
    return 0
