"""`helmkit cluster up/down` plans: idempotent up, recreate when half dead, down only if needed."""

from __future__ import annotations

from helmkit.adapters.cluster import ProcessState
from helmkit.ops import cluster as ops

ALL = {name: 100 + i for i, name in enumerate(sorted(ops.COMPONENTS))}


def status(
    recorded: dict[str, int], alive: dict[str, int], ready: bool, current: bool = True
) -> ops.ClusterStatus:
    return ops.classify(ProcessState(recorded, alive, ready), "/k", config_current=current)


def test_nothing_recorded_is_down_and_up_starts_it() -> None:
    st = status({}, {}, False)
    assert st.phase is ops.Phase.DOWN
    assert ops.plan_up(st) == [ops.Step.START, ops.Step.BOOTSTRAP]
    assert ops.plan_down(st) == []


def test_running_and_ready_is_up_and_up_does_nothing() -> None:
    st = status(ALL, ALL, True)
    assert st.phase is ops.Phase.UP
    assert ops.plan_up(st) == []
    assert ops.plan_down(st) == [ops.Step.STOP]


def test_one_dead_component_is_broken_and_up_recreates() -> None:
    alive = {k: v for k, v in ALL.items() if k != "kube-scheduler"}
    st = status(ALL, alive, True)
    assert st.phase is ops.Phase.BROKEN
    assert st.dead == ("kube-scheduler",)
    assert ops.plan_up(st) == [ops.Step.STOP, ops.Step.START, ops.Step.BOOTSTRAP]


def test_apiserver_not_answering_is_broken() -> None:
    assert status(ALL, ALL, False).phase is ops.Phase.BROKEN


def test_stale_pid_files_after_reboot_still_get_cleaned_by_down() -> None:
    st = status(ALL, {}, False)
    assert st.phase is ops.Phase.BROKEN
    assert ops.plan_down(st) == [ops.Step.STOP]


def test_running_from_an_old_config_is_stale_and_up_recreates() -> None:
    st = status(ALL, ALL, True, current=False)
    assert st.phase is ops.Phase.STALE
    assert ops.plan_up(st) == [ops.Step.STOP, ops.Step.START, ops.Step.BOOTSTRAP]
    assert ops.plan_down(st) == [ops.Step.STOP]
