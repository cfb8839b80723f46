"""The arena process's control loop: commands on stdin, ``shown`` replies on stdout.

The protocol is described in :mod:`csgo_env.standin.arena_game`; this module reads the
commands (``reset [seed=S] [events=N]``, ``next [events=N]``, ``quit``), runs free at
``fps`` with ``control="free"``, and ends on ``quit``, end of input or SIGTERM. After end
of input without ``quit``, or a reply pipe with nobody reading (the controlling process
vanished), it keeps taking input for
:data:`~csgo_env.standin.game.ORPHAN_DRAIN_S`, as the replay mode does, so the key-ups of
the agent's release guardian are logged.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import IO, Any

from csgo_env.standin.arena_game import ArenaGame, ArenaOptions
from csgo_env.standin.game import ORPHAN_DRAIN_S, _Lines


def run_arena(options: ArenaOptions, *, reply: IO[str], commands_fd: int = 0) -> int:
    """Run the arena until ``quit``, end of input or SIGTERM (see the module docstring)."""
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__("now", True))
    game = ArenaGame(options)
    lines: _Lines | None = None

    def send(record: dict[str, Any]) -> None:
        reply.write(json.dumps(record) + "\n")
        reply.flush()

    try:
        game.open()
        first = game.restart(None)
        send({"type": "ready", "pid": os.getpid(), "title": options.title, "frames": 0,
              "mode": "arena", "first": first})
        lines = _Lines(commands_fd)
        if options.control == "free":
            _run_free(game, stop, lines)
        else:
            _run_stdio(game, stop, lines, send)
    finally:  # orphaned (end of input or a broken reply pipe, no quit): wait for the key-ups
        orphaned = (lines is not None and lines.eof and not stop["now"]) \
            or isinstance(sys.exc_info()[1], BrokenPipeError)  # of a release guardian
        game.close(ORPHAN_DRAIN_S if orphaned else 0.15)
    return 0


def _fields(arg: str) -> dict[str, int] | None:
    """``"seed=3 events=12"`` -> ``{"seed": 3, "events": 12}``; None when malformed."""
    out: dict[str, int] = {}
    for word in arg.split():
        key, sep, value = word.partition("=")
        if not sep or key not in ("seed", "events") or key in out:
            return None
        try:
            out[key] = int(value)
        except ValueError:
            return None
    return out


def _run_stdio(game: ArenaGame, stop: dict[str, bool], lines: _Lines,
               send: Callable[[dict[str, Any]], None]) -> None:
    while not stop["now"] and not lines.eof:
        for line in lines.poll(0.004):
            word, _, arg = line.partition(" ")
            fields = _fields(arg)
            if word == "next" and fields is not None and "seed" not in fields:
                send(game.step(fields.get("events")))
            elif word == "reset" and fields is not None:
                send(game.restart(fields.get("seed"), fields.get("events")))
            elif word == "quit":
                stop["now"] = True
                break
            else:
                send({"type": "error", "message": f"unknown command {line!r}"})
        game.window.pump()
        if game.heartbeat_due():
            game.heartbeat()


def _run_free(game: ArenaGame, stop: dict[str, bool], lines: _Lines) -> None:
    """Tick at ``fps`` by itself; still obeys ``quit`` and end of input on stdin."""
    period = 1.0 / game.options.fps
    deadline = time.monotonic() + period
    while not stop["now"] and not lines.eof:
        now = time.monotonic()
        if now >= deadline:
            game.step()
            deadline = max(deadline + period, now)
        if not game.window.pump():
            break
        if "quit" in lines.poll(min(0.004, max(0.0, deadline - time.monotonic()))):
            break
