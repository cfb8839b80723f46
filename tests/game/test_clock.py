"""The tick clock's schedule semantics on real time (margins sized for busy CI cores)."""

from __future__ import annotations

import math
import time

import pytest

from csgo_env.errors import ArgumentError
from csgo_env.game.clock import TickClock, TickReport, _percentile


def test_deadlines_are_absolute_and_never_early() -> None:
    clock = TickClock(hz=100.0)
    clock.start()
    t0 = time.perf_counter()
    reports = [clock.tick() for _ in range(20)]
    elapsed = time.perf_counter() - t0
    assert [r.index for r in reports] == list(range(20))
    first = reports[0].deadline
    for i, r in enumerate(reports):
        if not any(x.resynced for x in reports[:i]):  # a loaded CI core may force a resync
            assert r.deadline == pytest.approx(first + i * 0.01, abs=1e-9)
        assert r.lateness_s >= 0.0
    assert elapsed >= 0.19  # 20 ticks of 10 ms, none returned before its deadline
    stats = clock.stats()
    assert stats.ticks == 20 and stats.max_lateness_s >= stats.p99_lateness_s >= 0


def test_work_shorter_than_a_period_keeps_the_rate() -> None:
    """Absolute deadlines absorb the caller's work: 20 ticks take 20 periods, not more."""
    clock = TickClock(hz=50.0)
    clock.start()
    t0 = time.perf_counter()
    for _ in range(20):
        time.sleep(0.008)  # work: 8 ms of a 20 ms period
        report = clock.tick()
    elapsed = time.perf_counter() - t0
    if clock.stats().resyncs == 0:
        assert elapsed == pytest.approx(0.4, abs=0.03)
        assert report.deadline - t0 == pytest.approx(0.4, abs=0.005)


def test_overrun_under_one_period_catches_up_without_resync() -> None:
    clock = TickClock(hz=20.0)  # 50 ms period
    first = clock.tick()  # tick() starts the clock when start() was not called
    time.sleep(0.075)  # the deadline of tick 1 passes by ~25 ms
    late = clock.tick()
    assert late.overrun and late.lateness_s >= 0.02
    if not late.resynced:  # ~25 ms late < one period: the schedule is kept
        on_time = clock.tick()
        assert on_time.deadline == pytest.approx(first.deadline + 0.1, abs=1e-9)
        assert not on_time.overrun
        assert clock.stats().overruns == 1 and clock.stats().resyncs == 0


def test_overrun_over_one_period_resyncs_instead_of_bursting() -> None:
    clock = TickClock(hz=20.0)
    clock.start()
    clock.tick()
    time.sleep(0.2)  # four periods of work: three deadlines missed
    late = clock.tick()
    resumed_at = time.perf_counter()
    assert late.overrun and late.resynced and late.lateness_s > 0.05
    following = [clock.tick() for _ in range(3)]
    # no burst: the missed ticks are not replayed back to back
    assert time.perf_counter() - resumed_at >= 3 * 0.05 - 1e-3
    assert following[0].deadline > late.deadline + 0.05 + 0.05  # re-anchored after `late`
    stats = clock.stats()
    assert stats.resyncs >= 1 and stats.overruns >= 1 and stats.ticks == 5


def test_stats_match_the_reports() -> None:
    clock = TickClock(hz=200.0, spin_s=0.001)
    reports: list[TickReport] = [clock.tick() for _ in range(40)]
    stats = clock.stats()
    values = sorted(r.lateness_s for r in reports)
    assert stats.ticks == 40
    assert stats.max_lateness_s == values[-1]
    assert stats.p50_lateness_s == values[19] and stats.p99_lateness_s == values[39]
    assert stats.mean_lateness_s == pytest.approx(sum(values) / 40)
    assert stats.overruns == sum(r.overrun for r in reports)
    assert stats.resyncs == sum(r.resynced for r in reports)
    clock.start()  # restarting clears the statistics
    assert clock.stats().ticks == 0 and clock.stats().p99_lateness_s == 0.0


def test_percentile_nearest_rank() -> None:
    values = [float(i) for i in range(1, 101)]
    assert _percentile(values, 50) == 50.0 and _percentile(values, 99) == 99.0
    assert _percentile(values, 100) == 100.0 and _percentile([], 99) == 0.0


@pytest.mark.parametrize("kwargs", [{"hz": 0}, {"hz": -16}, {"hz": math.inf}, {"hz": "16"},
                                    {"spin_s": -0.001}, {"hz": 16, "spin_s": 0.1},
                                    {"hold_s": -0.001}, {"hz": 16, "hold_s": 0.07}])
def test_bad_arguments_are_refused(kwargs: dict) -> None:
    with pytest.raises(ArgumentError, match="expected"):
        TickClock(**kwargs)


def test_default_hold_fits_the_period() -> None:
    assert TickClock(16.0).hold_s == pytest.approx(0.004)
    assert TickClock(500.0, spin_s=0.0005).hold_s == pytest.approx(0.0005)  # a quarter period
    assert TickClock(16.0, hold_s=0).hold_s == 0.0
