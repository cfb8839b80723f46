"""Deadline-wait scheduling on Linux: real-time while waiting and for the short critical
section after the deadline, a short slice otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from csgo_env.game.clock import TickClock
from csgo_env.game.sched_wait import prepare_waits

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux scheduler")


def _in_thread(fn):  # run in a fresh thread so this test's settings never leak
    out: dict = {}
    thread = threading.Thread(target=lambda: out.setdefault("v", fn()))
    thread.start()
    thread.join()
    return out["v"]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs CAP_SYS_NICE (root in CI)")
def test_realtime_only_while_waiting() -> None:
    def body() -> tuple[str, int, int, int]:
        sched = prepare_waits(realtime=True)
        before = os.sched_getscheduler(0)
        sched.enter_wait()
        during = os.sched_getscheduler(0)
        sched.leave_wait()
        return sched.mode, before, during, os.sched_getscheduler(0)

    mode, before, during, after = _in_thread(body)
    assert mode == "realtime"
    assert (before, during, after) == (os.SCHED_OTHER, os.SCHED_FIFO, os.SCHED_OTHER)


def test_clock_returns_at_normal_priority_when_not_holding_and_reports_its_mode() -> None:
    def body() -> tuple[list[int], str]:
        clock = TickClock(200.0, hold_s=0.0)
        clock.start()
        policies = []
        for _ in range(5):
            clock.tick()
            policies.append(os.sched_getscheduler(0))
        return policies, clock.stats().wait_mode

    policies, mode = _in_thread(body)
    assert policies == [os.SCHED_OTHER] * 5
    assert mode in {"realtime", "short-slice", "default"}
    if os.geteuid() == 0:
        assert mode == "realtime"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs CAP_SYS_NICE (root in CI)")
def test_clock_holds_realtime_for_the_critical_section_only() -> None:
    """tick() returns still raised; release() drops at once; without it the helper thread
    drops the priority hold_s after the deadline; the caller's later work runs normal."""

    def body() -> tuple[int, int, int, int]:
        clock = TickClock(50.0, hold_s=0.004)
        clock.tick()
        after_tick = os.sched_getscheduler(0)
        clock.release()
        after_release = os.sched_getscheduler(0)
        clock.release()  # idempotent
        report = clock.tick()
        held = os.sched_getscheduler(0)
        time.sleep(0.05)  # well past deadline + hold_s; sleeping lets the helper run
        assert time.perf_counter() > report.deadline + clock.hold_s
        return after_tick, after_release, held, os.sched_getscheduler(0)

    after_tick, after_release, held, later = _in_thread(body)
    assert (after_tick, after_release) == (os.SCHED_FIFO, os.SCHED_OTHER)
    assert (held, later) == (os.SCHED_FIFO, os.SCHED_OTHER)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs CAP_SYS_NICE (root in CI)")
def test_a_scheduled_drop_never_hits_a_later_wait() -> None:
    def body() -> tuple[int, int]:
        sched = prepare_waits(realtime=True)
        sched.enter_wait(drop_by=time.perf_counter() + 0.01)
        sched.enter_wait()  # the next wait began before the drop was due: it is cancelled
        time.sleep(0.05)
        during = os.sched_getscheduler(0)
        sched.leave_wait()
        return during, os.sched_getscheduler(0)

    assert _in_thread(body) == (os.SCHED_FIFO, os.SCHED_OTHER)


@pytest.mark.skipif(os.geteuid() != 0, reason="drops to an unprivileged user")
def test_unprivileged_thread_falls_back_to_a_short_slice() -> None:
    code = (
        "import os, json\n"
        "from csgo_env.game.sched_wait import prepare_waits\n"  # import, then drop root
        "os.setgroups([]); os.setgid(65534); os.setuid(65534)\n"
        "s = prepare_waits(realtime=True, slice_s=0.0001); s.enter_wait()\n"
        "print(json.dumps([s.mode, s.slice_s, os.sched_getscheduler(0)]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    mode, slice_s, policy = json.loads(out)
    assert policy == os.SCHED_OTHER  # real-time was refused, nothing changed
    release = tuple(int(x) for x in os.uname().release.split(".")[:2])
    if release >= (6, 12):
        assert (mode, slice_s) == ("short-slice", pytest.approx(0.0001))
    else:
        assert mode == "default"
