"""Fixtures for the live-game layer: real windows (the window program) under Xvfb."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from csgo_env.standin.window_process import WindowProcess

_counter = itertools.count()


@pytest.fixture
def start_window(xvfb_display: str, tmp_path: Path) -> Iterator[Callable[..., WindowProcess]]:
    """Start window programs (each with a unique title unless given); all stop at teardown.

    ``start_window(title=None, **kw)`` passes ``kw`` to :class:`WindowProcess` and waits
    until the window is mapped, drawn and has the mouse grabbed.
    """
    started: list[WindowProcess] = []

    def start(title: str | None = None, **kw: Any) -> WindowProcess:
        n = next(_counter)
        title = title or f"csgo_env test window {n}"
        proc = WindowProcess(title, tmp_path / f"window{n}.jsonl", display=xvfb_display, **kw)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()
