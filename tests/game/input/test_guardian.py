"""The release guardian on Linux, with real processes under Xvfb.

What is checked: the guardian starts isolated and light; it is told only changes; it
releases exactly what was held when its agent vanishes (and nothing on a clean close);
it ignores a parent *thread* ending, SIGINT and SIGHUP, releases on SIGTERM; a forked
child of the agent drops the pipe; a guardian that cannot start is a warning. The env
end to end (SIGKILL and crashes) is in ``tests/envs/test_deathmatch_killed.py``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from csgo_env.actions import Action
from csgo_env.errors import InputBackendError
from csgo_env.game.input import safety as input_safety
from csgo_env.game.input.backends import get_input_backend
from csgo_env.game.input.controller import ActionController
from csgo_env.game.input.guardian import Guardian, GuardianSpec, guardian_command
from csgo_env.standin.window_process import WindowProcess
from tests.support import standin as rs

StartWindow = Callable[..., WindowProcess]
pytestmark = pytest.mark.xvfb
HEAVY = {"numpy", "torch", "cv2", "mss", "gymnasium", "pygame", "h5py", "PIL"}


def logged(win: WindowProcess, count: int, settle: float = 0.2) -> list[tuple]:
    win.wait_events(count)
    time.sleep(settle)
    return rs.event_tuples(win.events())


def _exited(proc_pid: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{proc_pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.01)
    return False


def test_starts_isolated_and_light(xvfb_display: str, tmp_path: Path) -> None:
    """A ``csgo_env/`` folder in the current directory and on PYTHONPATH is not imported."""
    poison = tmp_path / "csgo_env"
    (poison / "game" / "input").mkdir(parents=True)
    for folder in (poison, poison / "game", poison / "game" / "input"):
        (folder / "__init__.py").write_text("raise SystemExit('imported the wrong csgo_env')\n")
    (poison / "game" / "input" / "guardian_process.py").write_text("raise SystemExit('wrong')\n")
    spec = get_input_backend("x11", display=xvfb_display).guardian_spec()
    proc = subprocess.Popen(guardian_command(spec), cwd=tmp_path, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(tmp_path)})
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
    finally:
        _, err = proc.communicate(timeout=10)
    assert ready["type"] == "ready", err
    real = Path(__file__).resolve().parents[3] / "csgo_env" / "game" / "input"
    assert Path(ready["file"]).resolve().parent == real
    assert not HEAVY & set(ready["modules"]), sorted(HEAVY & set(ready["modules"]))
    assert "Xlib" in ready["modules"]
    assert ready["watches"] == ["pipe end of file", "PR_SET_PDEATHSIG", "parent pid change"]
    assert proc.returncode == 0 and not err  # nothing held: nothing released, nothing said


def test_told_only_changes_and_nothing_released_on_close(start_window: StartWindow,
                                                         xvfb_display: str) -> None:
    win = start_window()
    ctl = ActionController(get_input_backend("x11", display=xvfb_display))
    guardian = ctl.guardian
    assert guardian is not None and guardian.running()
    sent: list[frozenset[str]] = []
    send = guardian._send
    guardian._send = lambda names: (sent.append(names), send(names))  # type: ignore[method-assign]
    walk = Action(frozenset({"w"}), fire=True, mouse_x_bin=14)
    for _ in range(50):
        ctl.apply(walk)
    assert sent == [frozenset({"w", "fire"})]  # once before the press, never again
    ctl.apply(Action(frozenset({"w", "a"})))  # fire up, a down
    assert sent[1:] == [frozenset({"w", "a", "fire"}), frozenset({"w", "a"})]
    ctl.tap("n")
    assert sent[3:] == [frozenset({"w", "a", "n"}), frozenset({"w", "a"})]
    pid = guardian.pid
    assert pid is not None
    ctl.close()
    assert sent[-1] == frozenset() and guardian.proc is None
    assert _exited(pid)
    events = logged(win, 12)
    assert rs.held_at_end(events) == set()
    assert events.count(("key_up", "w")) == 1  # the guardian added nothing
    input_safety.uninstall()


AGENT = textwrap.dedent("""
    import os, sys, threading, time
    from csgo_env.actions import Action
    from csgo_env.game.input.controller import ActionController
    from csgo_env.game.input.backends import get_input_backend
    box = {}
    def make():
        box["ctl"] = ActionController(get_input_backend("x11"))
    if sys.argv[1] == "thread":  # made in a thread that ends: its parent-death signal fires
        worker = threading.Thread(target=make)
        worker.start()
        worker.join()
    else:
        make()
    ctl = box["ctl"]
    ctl.apply(Action(frozenset({"d", "shift"}), scope=True))
    if sys.argv[1] == "fork":
        child = os.fork()
        if child == 0:  # a worker that outlives its parent for a while
            time.sleep(3)
            os._exit(0)
    print(ctl.guardian.pid, flush=True)
    time.sleep(30)
""")


@pytest.mark.parametrize("mode", ["main", "thread", "fork"])
def test_killed_agent_released_by_guardian(start_window: StartWindow, mode: str) -> None:
    win = start_window()
    proc = subprocess.Popen([sys.executable, "-c", AGENT, mode], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        guardian = int(proc.stdout.readline())
        assert logged(win, 3, settle=0.0)[:3] == [("key_down", "d"), ("key_down", "left shift"),
                                                  ("button_down", 3)]
        time.sleep(0.3)
        assert not _exited(guardian, 0.0), "the guardian left while the agent ran"
        proc.kill()
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _exited(guardian, 2.0)
    assert logged(win, 6)[3:] == [("key_up", "d"), ("key_up", "left shift"), ("button_up", 3)]
    assert "released d, shift, right" in err


def test_signals(start_window: StartWindow, xvfb_display: str) -> None:
    """SIGINT and SIGHUP (parent alive) are ignored; SIGTERM releases and ends it."""
    win = start_window()
    agent = get_input_backend("x11", display=xvfb_display)
    guardian = Guardian.start(agent.guardian_spec())
    assert guardian.proc is not None
    guardian.expect({"w", "left"})
    agent.key_down("w")
    agent.button_down("left")
    agent.flush()
    for signum in (signal.SIGINT, signal.SIGHUP):
        guardian.proc.send_signal(signum)
    assert logged(win, 2, settle=0.3) == [("key_down", "w"), ("button_down", 1)]
    assert guardian.proc.poll() is None
    guardian.proc.send_signal(signal.SIGTERM)
    assert guardian.proc.wait(5) == 0
    guardian.close()
    agent.close()
    assert logged(win, 4)[2:] == [("key_up", "w"), ("button_up", 1)]


BUSY = textwrap.dedent("""
    import sys
    from csgo_env.actions import Action
    from csgo_env.game.input.controller import ActionController
    from csgo_env.game.input.backends import get_input_backend
    ctl = ActionController(get_input_backend("x11"))
    a, b = Action(frozenset({"w"}), fire=True), Action(frozenset({"a"}), scope=True)
    ctl.apply(a)
    print("applied", flush=True)
    while True:  # every apply tells the guardian twice: signals land inside those writes
        ctl.apply(b)
        ctl.apply(a)
""")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_during_guardian_writes(start_window: StartWindow, signum: int) -> None:
    """The release-on-signal handler re-enters the guardian's send without deadlock, and
    nothing is left held (4 agents, each signalled at a random moment of its busy loop)."""
    rng = random.Random(signum)
    for run in range(4):
        win = start_window()
        proc = subprocess.Popen([sys.executable, "-c", BUSY], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "applied"
            time.sleep(rng.uniform(0.1, 0.5))
            proc.send_signal(signum)
            _, err = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == -signum, err[-800:]
        events = logged(win, 4, settle=0.5)
        # A release sent from the handler may overtake a press still on its way (two X
        # connections); the guardian, still told the superset, releases after the exit.
        assert rs.held_at_end(events) == set(), (run, events[-8:], err[-300:])


def test_forked_child_drops_the_pipe(xvfb_display: str) -> None:
    ctl = ActionController(get_input_backend("x11", display=xvfb_display))
    guardian = ctl.guardian
    assert guardian is not None
    fd = guardian._fd
    child = os.fork()
    if child == 0:  # no assertion here: report through the exit status
        try:
            os.fstat(fd)
            code = 3  # still open: the guardian would not see end of file
        except OSError:
            code = 0 if guardian._fd == -1 and guardian.proc is None else 4
        os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert guardian.running() and guardian._fd == fd
    ctl.close()
    input_safety.uninstall()


def test_guardian_that_cannot_start_is_a_warning(xvfb_display: str) -> None:
    with pytest.raises(InputBackendError, match=r"did not start.*DISPLAY"):
        Guardian.start(GuardianSpec("x11", {"w": "w"}, display=":4321"), timeout_s=10)
    backend = get_input_backend("x11", display=xvfb_display)
    backend.guardian_spec = lambda: GuardianSpec("x11", {"w": "w"}, display=":4321")  # type: ignore[attr-defined]
    with pytest.warns(RuntimeWarning, match="release guardian did not start"):
        ctl = ActionController(backend)
    assert ctl.guardian is None
    ctl.apply(Action(frozenset({"w"})))
    ctl.close()
    input_safety.uninstall()


def test_stop_and_restart_keep_the_held_set(start_window: StartWindow,
                                            xvfb_display: str) -> None:
    win = start_window()
    ctl = ActionController(get_input_backend("x11", display=xvfb_display), guardian=False)
    assert ctl.guardian is None
    ctl.apply(Action(frozenset({"a"})))
    guardian = ctl.start_guardian()
    assert guardian is not None and guardian.known == {"a"}
    guardian.keep_superset()  # as after a release that raced presses: it only grows now
    ctl.apply(Action(frozenset({"d"})))
    assert guardian.known == {"a", "d"}
    ctl.stop_guardian()  # told nothing is held: it releases nothing
    assert ctl.guardian is None and guardian.proc is None
    assert logged(win, 3) == [("key_down", "a"), ("key_up", "a"), ("key_down", "d")]
    ctl.close()
    input_safety.uninstall()
