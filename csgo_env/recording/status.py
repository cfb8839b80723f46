"""The recorder's one-line status: rate, lateness, kills, deaths, files, and staleness warnings.

:class:`RecordStatus` is fed once per tick and renders a line such as::

    rec 1234 (file 2: 234/1000) | 16.0 Hz | late p99 0.41 ms | kills 3 deaths 1 | written 1

followed by warnings when a channel went stale: ``GSI STALE`` when the newest payload is
older than ``gsi_stale_s`` (or none came), ``MEMORY STALE`` when the pose could not be read
for ``memory_stale_s`` (with the reason) or stayed bit-for-bit the same that long while the
player was alive (a frozen reading: stale offsets or a paused game), and ``WRITER`` when
the writer reported an error or made the loop wait.
"""

from __future__ import annotations

import collections
import math
import time

from csgo_env.game.memory.pose import Pose


class RecordStatus:
    """Counters and the status line of a recording (times: ``time.monotonic()`` seconds)."""

    def __init__(self, *, frames_per_file: int, gsi_stale_s: float = 15.0,
                 memory_stale_s: float = 2.0, window_s: float = 2.0) -> None:
        self.frames_per_file = frames_per_file
        self.gsi_stale_s = gsi_stale_s
        self.memory_stale_s = memory_stale_s
        self.window_s = window_s
        self.ticks = 0
        self.late: collections.deque[float] = collections.deque(maxlen=160)
        self.stamps: collections.deque[float] = collections.deque(maxlen=256)
        self.kills = self.deaths = 0
        self.written = 0
        self.file_number: int | None = None
        self.frame_in_file = 0
        self.gsi_age: float | None = None
        self.memory_error: str | None = None
        self._pose: Pose | None = None
        self._pose_since: float | None = None
        self._memory_ok_t: float | None = None
        self.writer_problem: str | None = None
        self.warnings: list[str] = []
        self._started = time.monotonic()

    def update(self, *, lateness_s: float, gsi_age_s: float | None, pose: Pose | None,
               pose_error: str | None, alive: bool, kills: int, deaths: int,
               file_number: int, frame_in_file: int, written: int,
               writer_problem: str | None = None, now: float | None = None) -> None:
        """Record one tick."""
        now = time.monotonic() if now is None else now
        self.ticks += 1
        self.late.append(lateness_s)
        self.stamps.append(now)
        self.kills, self.deaths, self.written = kills, deaths, written
        self.file_number, self.frame_in_file = file_number, frame_in_file
        self.gsi_age = gsi_age_s
        self.writer_problem = writer_problem
        if pose is not None:
            self._memory_ok_t, self.memory_error = now, None
            if pose != self._pose or not alive:
                self._pose, self._pose_since = pose, now
        else:
            self.memory_error = pose_error or "no pose"
        self.warnings = self._warnings(now, alive)

    def _warnings(self, now: float, alive: bool) -> list[str]:
        out = []
        if self.gsi_age is None or self.gsi_age > self.gsi_stale_s:
            out.append("GSI STALE (" + ("no payload" if self.gsi_age is None
                                        else f"{self.gsi_age:.0f} s old") + ")")
        since_ok = now - (self._memory_ok_t if self._memory_ok_t is not None else self._started)
        if self.memory_error is not None and since_ok >= self.memory_stale_s:
            out.append(f"MEMORY STALE ({self.memory_error})")
        elif alive and self._pose_since is not None \
                and now - self._pose_since >= self.memory_stale_s:
            out.append(f"MEMORY STALE (unchanged for {now - self._pose_since:.0f} s)")
        if self.writer_problem:
            out.append(f"WRITER: {self.writer_problem}")
        return out

    @property
    def rate_hz(self) -> float:
        """Ticks per second over the last ``window_s``."""
        if len(self.stamps) < 2:
            return 0.0
        recent = [t for t in self.stamps if t >= self.stamps[-1] - self.window_s]
        span = recent[-1] - recent[0]
        return (len(recent) - 1) / span if span > 0 else 0.0

    @property
    def p99_late_ms(self) -> float:
        """99th percentile lateness of the last 160 ticks, ms (nearest rank)."""
        if not self.late:
            return 0.0
        ordered = sorted(self.late)
        return 1e3 * ordered[max(1, math.ceil(0.99 * len(ordered))) - 1]

    def line(self) -> str:
        """The status line (no newline)."""
        text = (f"rec {self.ticks} (file {self.file_number}: {self.frame_in_file}/"
                f"{self.frames_per_file}) | {self.rate_hz:4.1f} Hz | late p99 "
                f"{self.p99_late_ms:5.2f} ms | kills {self.kills} deaths {self.deaths} | "
                f"written {self.written}")
        return text + "".join(f" | {w}" for w in self.warnings)


__all__ = ["RecordStatus"]
