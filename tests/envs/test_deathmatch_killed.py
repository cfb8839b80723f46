"""An agent killed outright leaves nothing held: the release guardian's work, end to end.

A child process makes ``CSGO-Deathmatch-v0`` on the replay game, holds ``w``, fire and
scope (turning the mouse every step) and is then killed with SIGKILL at a random moment,
or crashes by itself (``os.abort()``, a ctypes null dereference). Neither
:mod:`csgo_env.game.input.safety` nor any ``finally`` can run then. Afterwards the X
server itself is asked: its key map (``XQueryKeymap``) and pointer buttons
(``XQueryPointer``'s mask) show nothing held, the replay game's input log ends with the
three releases, and the guardian is gone too. One Xvfb serves every run.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from csgo_env.standin.window import read_log
from tests.support import standin as rs

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]
KILLS = 20
RELEASES = [("key_up", "w"), ("button_up", 1), ("button_up", 3)]
"""What the log must end with: the guardian releases keys (sorted), then buttons."""
BUTTON_MASKS = 0x1F00
"""Button1Mask ... Button5Mask of XQueryPointer's mask."""

AGENT = textwrap.dedent("""
    import ctypes, os, resource, sys, time
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core files from the crashes
    import gymnasium as gym
    import csgo_env
    from csgo_env.actions import Action
    recording, log, how, delay = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    env = gym.make("CSGO-Deathmatch-v0", game="replay", replay_recordings=[recording],
                   replay_input_log=log)
    env.reset(seed=0)
    held = Action(frozenset({"w"}), fire=True, scope=True, mouse_x_bin=14).to_multidiscrete()
    env.step(held)
    print("pressed", env.unwrapped.session.controller.guardian.pid, flush=True)
    end = time.monotonic() + delay
    while True:
        env.step(held)
        if how != "sigkill" and time.monotonic() >= end:
            if how == "abort":
                os.abort()
            ctypes.string_at(0)  # SIGSEGV
""")


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rs.synthetic_recording(tmp_path_factory)


@pytest.fixture(scope="module")
def x_server(xvfb_display: str) -> Iterator[Any]:
    """A connection of the test's own, to ask the server what is held."""
    from Xlib import display

    conn = display.Display(xvfb_display)
    yield conn
    conn.close()


def held_on_server(conn: Any) -> tuple[list[int], int]:
    """(keycodes down per XQueryKeymap, button bits of XQueryPointer's mask)."""
    keymap = conn.query_keymap()
    keys = [8 * i + bit for i, byte in enumerate(keymap) for bit in range(8) if byte >> bit & 1]
    return keys, int(conn.screen().root.query_pointer().mask) & BUTTON_MASKS


def _gone(pid: int) -> bool:
    """No such process, or a zombie nobody reaped yet (it runs no code)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return True
    return state in ("Z", "X")


def _wait(predicate: Any, timeout: float, what: str) -> float:
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)
    return time.monotonic() - start


def run_agent(how: str, delay: float, recording: Path, tmp: Path, conn: Any) -> dict[str, Any]:
    """One agent life ended by ``how``; returns what the checks need."""
    log = tmp / "input.jsonl"
    env = {**os.environ, "TMPDIR": str(tmp)}  # the dead agent's temporary folder stays here
    proc = subprocess.Popen([sys.executable, "-c", AGENT, str(recording), str(log), how,
                             str(delay)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().split()
        assert line[:1] == ["pressed"], (line, proc.stderr.read() if proc.stderr else "")
        guardian = int(line[1])
        keys, buttons = held_on_server(conn)
        assert keys and buttons == 0x500, (keys, hex(buttons))  # w, Button1 | Button3 down
        if how == "sigkill":
            time.sleep(delay)
            proc.kill()
        code = proc.wait(timeout=30)
        _, stderr = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    died = time.monotonic()
    guardian_s = _wait(lambda: _gone(guardian), 5.0, "the guardian to exit")
    _wait(lambda: any(r.get("type") == "quit" for r in read_log(log)), 10.0,
          "the replay game to quit")
    return {"code": code, "stderr": stderr, "events": rs.logged_events(log),
            "held": held_on_server(conn), "guardian_s": guardian_s,
            "after_s": time.monotonic() - died}


def check_released(result: dict[str, Any], label: str) -> None:
    assert result["held"] == ([], 0), f"{label}: still held on the X server {result['held']}"
    events = result["events"]
    assert events[:3] == [("key_down", "w"), ("button_down", 1), ("button_down", 3)], label
    assert events[-3:] == RELEASES, f"{label}: log ends {events[-6:]}"
    assert rs.held_at_end(events) == set(), label
    assert "released w, left, right" in result["stderr"], (label, result["stderr"][-500:])
    assert result["guardian_s"] < 2.0, f"{label}: guardian outlived the agent"


def test_sigkill_at_random_moments_leaves_nothing_held(x_server: Any, recording: Path,
                                                       tmp_path: Path) -> None:
    rng = random.Random(16)
    delays = [rng.uniform(0.0, 0.4) for _ in range(KILLS)]
    for run, delay in enumerate(delays):
        tmp = tmp_path / f"run{run}"
        tmp.mkdir()
        result = run_agent("sigkill", delay, recording, tmp, x_server)
        assert result["code"] == -signal.SIGKILL
        check_released(result, f"run {run} (killed {delay:.3f} s after the press)")
        assert any(e[0] == "motion" for e in result["events"])  # it was stepping


@pytest.mark.parametrize(("how", "signum"), [("abort", signal.SIGABRT),
                                             ("segfault", signal.SIGSEGV)])
def test_crashing_agent_leaves_nothing_held(x_server: Any, recording: Path, tmp_path: Path,
                                            how: str, signum: int) -> None:
    result = run_agent(how, 0.2, recording, tmp_path, x_server)
    assert result["code"] == -signum, result["stderr"][-800:]
    check_released(result, how)
