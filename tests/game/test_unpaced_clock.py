"""The unpaced clock of the arena's unpaced mode: no waiting, and it says so."""

from __future__ import annotations

import time

from csgo_env.game.clock import UnpacedClock


def test_ticks_return_at_once_with_zero_lateness_and_report_unpaced() -> None:
    clock = UnpacedClock()
    assert not clock.started and clock.next_deadline is None
    clock.start()
    start = time.perf_counter()
    reports = [clock.tick() for _ in range(200)]
    assert time.perf_counter() - start < 0.5  # a paced 16 Hz clock would take 12.5 s
    assert [r.index for r in reports] == list(range(200))
    assert all(r.lateness_s == 0.0 and not r.overrun for r in reports)
    stats = clock.stats()
    assert (stats.ticks, stats.wait_mode, stats.p99_lateness_s) == (200, "unpaced", 0.0)
