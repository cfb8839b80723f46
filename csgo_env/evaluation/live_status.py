"""The one-line live status (``play``, ``evaluate --live``), rewritten in place on stderr.

:class:`StatusLine` is a :data:`~csgo_env.evaluation.live_loop.StepHook`: after every step
it writes ``\\rstep N | R steps/s | late p99 L ms | kills K | deaths D | return G`` (the
rate over the last 16 steps, the lateness over the last 160) and keeps the run's totals.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from typing import Any, TextIO

import numpy as np

from csgo_env.evaluation.live_trace import RunTrace


class StatusLine:
    """Status hook with totals (module docstring); ``every`` writes every n-th step."""

    def __init__(self, stream: TextIO | None = None, *, every: int = 1,
                 prefix: str = "") -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.every = max(1, int(every))
        self.prefix = prefix
        self.steps = self.kills = self.deaths = 0
        self.ret = 0.0
        self._late: deque[float] = deque(maxlen=160)
        self._stamps: deque[float] = deque(maxlen=17)

    def __call__(self, trace: RunTrace, info: dict[str, Any], reward: float) -> None:
        if trace.steps == 1:  # a new run: the totals start again
            self.steps = self.kills = self.deaths = 0
            self.ret = 0.0
        self.steps += 1
        self.kills += int(info.get("step_kills", 0))
        self.deaths += int(info.get("step_deaths", 0))
        self.ret += float(reward)
        self._late.append(float(info.get("tick_lateness_s", 0.0)))
        self._stamps.append(time.monotonic())
        if self.steps % self.every == 0:
            self.stream.write(self.line())
            self.stream.flush()

    def rate(self) -> float:
        """Steps per second over the last 16 steps."""
        stamps = self._stamps
        return (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 \
            and stamps[-1] > stamps[0] else 0.0

    def line(self) -> str:
        late = 1e3 * float(np.percentile(self._late, 99)) if self._late else 0.0
        return (f"\r{self.prefix}step {self.steps:6d} | {self.rate():5.1f} steps/s | "
                f"late p99 {late:5.2f} ms | kills {self.kills:3d} | deaths {self.deaths:3d} | "
                f"return {self.ret:+8.2f}")

    def end(self) -> None:
        """Finish the line (a newline after the last rewrite)."""
        self.stream.write("\n")
        self.stream.flush()


__all__ = ["StatusLine"]
