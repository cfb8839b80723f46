"""A steady tick clock: absolute deadlines, sleep then spin, resync instead of bursting.

Deadline ``i`` is ``anchor + i * period`` (computed, never accumulated, so there is no
drift). :meth:`TickClock.tick` sleeps until ``spin_s`` before the deadline, then spins on
``time.perf_counter()`` until it passes, which removes the OS timer's wake-up jitter.

With both cores busy, a woken loop can still wait for a CPU-bound task's time slice (up to
a 4 ms scheduler tick). On Linux the clock therefore prepares the thread that ticks
(:mod:`csgo_env.game.sched_wait`): where permitted it waits at real-time priority;
otherwise it asks for a short scheduler slice (``slice_s``, 0.1 ms) and keeps its spin
inside that slice. Where neither is available the clock works the same with the system's
defaults. :meth:`TickClock.stats` says which mode was used.

Lateness is measured where :meth:`TickClock.tick` returns to its caller, not inside the
wait. Dropping real-time priority makes the kernel reschedule, and with busy cores the
thread then loses several milliseconds; so after a real-time wait ``tick()`` returns with
the priority still raised, for the caller's short critical section (send the input, grab
the frame). It drops at :meth:`TickClock.release`, at the next ``tick()``'s wait, or
``hold_s`` after the deadline at the latest (a helper thread drops it then), so the
caller's own work runs at real-time priority for at most ``hold_s`` per tick.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from dataclasses import dataclass

from csgo_env.errors import ArgumentError, explain
from csgo_env.game.sched_wait import WaitScheduling, prepare_waits


@dataclass(frozen=True)
class TickReport:
    """One tick. ``index``: 0-based count of ticks returned. ``deadline``: when this tick
    was due (perf_counter seconds). ``lateness_s``: return time minus deadline (>= 0).
    ``overrun``: :meth:`TickClock.tick` was entered after the deadline. ``resynced``: the
    schedule was re-anchored after this tick because it was over one period late."""

    index: int
    deadline: float
    lateness_s: float
    overrun: bool
    resynced: bool


@dataclass(frozen=True)
class ClockStats:
    """Lateness over the recorded ticks (seconds) and event counts since start/reset."""

    ticks: int
    mean_lateness_s: float
    p50_lateness_s: float
    p99_lateness_s: float
    max_lateness_s: float
    overruns: int
    resyncs: int
    wait_mode: str = "default"
    """How the ticking thread waited: ``"realtime"``, ``"short-slice"`` or ``"default"``."""


def _percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (0.0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


class TickClock:
    """Paces a loop at ``hz`` ticks per second; keeps the last ``history`` latenesses."""

    def __init__(self, hz: float = 16.0, *, spin_s: float = 0.002, history: int = 65536,
                 slice_s: float | None = 0.0001, realtime_wait: bool = True,
                 hold_s: float | None = None) -> None:
        if not (isinstance(hz, (int, float)) and math.isfinite(hz) and hz > 0):
            raise ArgumentError(explain("invalid clock rate", expected="a finite rate > 0 Hz",
                                        got=repr(hz)))
        if not (isinstance(spin_s, (int, float)) and 0 <= spin_s < 1.0 / hz):
            raise ArgumentError(explain("invalid spin_s",
                                        expected=f"0 <= spin_s < one period ({1.0 / hz:g} s)",
                                        got=repr(spin_s)))
        if hold_s is None:
            hold_s = min(0.004, 0.25 / hz)
        if not (isinstance(hold_s, (int, float)) and 0 <= hold_s < 1.0 / hz):
            raise ArgumentError(explain("invalid hold_s",
                                        expected=f"0 <= hold_s < one period ({1.0 / hz:g} s)",
                                        got=repr(hold_s)))
        self.hz = float(hz)
        self.period_s = 1.0 / self.hz
        self.spin_s = float(spin_s)
        self.slice_s = slice_s
        """Requested scheduler slice of the ticking thread (None: do not ask)."""
        self.realtime_wait = realtime_wait
        """Wait for deadlines at real-time priority where permitted."""
        self.hold_s = float(hold_s)
        """How long after a deadline a real-time wait's priority is kept at most (0: dropped
        before :meth:`tick` returns; default 4 ms, at most a quarter period)."""
        self._sched: dict[int, WaitScheduling] = {}
        self._lateness: collections.deque[float] = collections.deque(maxlen=int(history))
        self._anchor: float | None = None
        self._n = 0
        self._index = 0
        self._overruns = 0
        self._resyncs = 0

    @property
    def started(self) -> bool:
        """Whether :meth:`start` (or a first :meth:`tick`) has set the schedule."""
        return self._anchor is not None

    @property
    def next_deadline(self) -> float | None:
        """The deadline the next :meth:`tick` waits for (perf_counter seconds)."""
        return None if self._anchor is None else self._anchor + self._n * self.period_s

    def start(self) -> None:
        """Set the first deadline one period from now; clears the statistics."""
        self._restart()

    def _thread_sched(self) -> WaitScheduling:
        """The calling thread's wait scheduling, prepared on its first use."""
        ident = threading.get_ident()
        sched = self._sched.get(ident)
        if sched is None:
            sched = self._sched[ident] = prepare_waits(realtime=self.realtime_wait,
                                                       slice_s=self.slice_s)
        return sched

    def _spin(self, sched: WaitScheduling) -> float:
        """Spin length: short at real-time priority, inside the granted slice otherwise."""
        if sched.mode == "realtime":
            return min(self.spin_s, 0.0005)
        if sched.slice_s is not None:
            return min(self.spin_s, 0.75 * sched.slice_s)
        return self.spin_s

    def _restart(self) -> float:
        self._thread_sched()
        self._anchor = anchor = time.perf_counter()
        self._n = 1
        self._index = 0
        self._overruns = self._resyncs = 0
        self._lateness.clear()
        return anchor

    def tick(self) -> TickReport:
        """Wait for the next deadline and report how it went (starts the clock if needed).

        After a real-time wait the thread is still at real-time priority when this returns
        (see the module docstring): call :meth:`release` once the critical section after
        the deadline is done; otherwise the priority drops ``hold_s`` after the deadline.
        ``lateness_s`` is measured at the return.
        """
        anchor = self._anchor if self._anchor is not None else self._restart()
        deadline = anchor + self._n * self.period_s
        overrun = time.perf_counter() > deadline
        if not overrun:
            sched = self._thread_sched()
            spin = self._spin(sched)
            # hold: the priority stays raised after the return (dropped later, see above)
            hold = sched.enter_wait(deadline + self.hold_s if self.hold_s > 0 else None)
            try:
                # Measured after entering the wait mode: a preemption before this point
                # must shorten the sleep, not be added to it.
                pause = deadline - time.perf_counter() - spin
                if pause > 0:
                    time.sleep(pause)
                while time.perf_counter() < deadline:
                    pass
            except BaseException:
                sched.leave_wait()
                raise
            if not hold:
                sched.leave_wait()
        else:
            self.release()  # a hold left over from the previous tick ends here
        now = time.perf_counter()
        lateness = now - deadline
        resynced = lateness > self.period_s
        if resynced:
            self._anchor, self._n = now, 1
            self._resyncs += 1
        else:
            self._n += 1
        self._overruns += overrun
        self._lateness.append(lateness)
        report = TickReport(self._index, deadline, lateness, overrun, resynced)
        self._index += 1
        return report

    def release(self) -> None:
        """End the critical section after a tick: back to normal priority now (a no-op when
        the calling thread is not raised)."""
        sched = self._sched.get(threading.get_ident())
        if sched is not None and sched.raised:
            sched.leave_wait()

    def stats(self) -> ClockStats:
        """Statistics over the recorded ticks (lateness of the last ``history`` ticks)."""
        values = sorted(self._lateness)
        mean = sum(values) / len(values) if values else 0.0
        return ClockStats(ticks=self._index, mean_lateness_s=mean,
                          p50_lateness_s=_percentile(values, 50),
                          p99_lateness_s=_percentile(values, 99),
                          max_lateness_s=values[-1] if values else 0.0,
                          overruns=self._overruns, resyncs=self._resyncs,
                          wait_mode=self._thread_sched().mode)


class UnpacedClock:
    """The clock of an unpaced loop: :meth:`tick` returns at once, every step runs as soon
    as the previous one is done (only for a game that waits for each step, the stand-in
    game's arena mode). Same interface as :class:`TickClock`; lateness is always 0 and
    :meth:`stats` reports ``wait_mode="unpaced"``."""

    hz = math.inf
    period_s = 0.0

    def __init__(self) -> None:
        self._index = 0
        self._started = False

    @property
    def started(self) -> bool:
        return self._started

    @property
    def next_deadline(self) -> float | None:
        return time.perf_counter() if self._started else None

    def start(self) -> None:
        self._started = True
        self._index = 0

    def tick(self) -> TickReport:
        """Return at once: a report with lateness 0 (starts the clock if needed)."""
        self._started = True
        report = TickReport(self._index, time.perf_counter(), 0.0, False, False)
        self._index += 1
        return report

    def release(self) -> None:
        """Nothing to end: an unpaced tick never raises the thread's priority."""

    def stats(self) -> ClockStats:
        return ClockStats(ticks=self._index, mean_lateness_s=0.0, p50_lateness_s=0.0,
                          p99_lateness_s=0.0, max_lateness_s=0.0, overruns=0, resyncs=0,
                          wait_mode="unpaced")
