"""ActionController through the real X11 backend into a real window, and release on every
way out: close, exceptions, garbage collection, interpreter exit, SIGTERM and SIGINT."""

from __future__ import annotations

import gc
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator

import pytest

from csgo_env.actions import MOUSE_X_BINS, MOUSE_Y_BINS, Action
from csgo_env.errors import InputBackendError, InvalidAction
from csgo_env.game.input import safety as input_safety
from csgo_env.game.input.backends import get_input_backend
from csgo_env.game.input.controller import ActionController
from csgo_env.standin.window_process import WindowProcess
from tests.support import standin as rs

StartWindow = Callable[..., WindowProcess]

pytestmark = pytest.mark.xvfb


def bins(dx: int, dy: int) -> dict[str, int]:
    return {"mouse_x_bin": int(list(MOUSE_X_BINS).index(dx)),
            "mouse_y_bin": int(list(MOUSE_Y_BINS).index(dy))}




def logged(win: WindowProcess, count: int, settle: float = 0.15) -> list[tuple]:
    """Wait for ``count`` events, then a little longer so extra events would show up."""
    win.wait_events(count)
    time.sleep(settle)
    return rs.event_tuples(win.events())


@pytest.fixture
def controller(xvfb_display: str) -> Iterator[ActionController]:
    ctl = ActionController(get_input_backend("x11", display=xvfb_display))
    yield ctl
    ctl.close()
    input_safety.uninstall()


def test_only_changes_are_sent_and_moves_are_split(start_window: StartWindow,
                                                  controller: ActionController) -> None:
    win = start_window()
    controller.apply(Action(frozenset({"w", "a"}), fire=True, **bins(30, -10)))
    assert controller.held == {"w", "a", "fire"}
    expected = [("key_down", "a"), ("key_down", "w"), ("button_down", 1),
                ("motion", 15, -5), ("motion", 15, -5)]
    assert logged(win, 5) == expected

    controller.apply(Action(frozenset({"w"}), fire=True))  # a released, no move
    controller.apply(Action(frozenset({"w"}), fire=True))  # nothing changes
    expected += [("key_up", "a")]
    assert logged(win, 6) == expected
    assert controller.held == {"w", "fire"}

    controller.apply(Action(frozenset({"w", "d"}), scope=True, **bins(-1000, 200)))
    expected += [("button_up", 1), ("key_down", "d"), ("button_down", 3),
                 ("motion", -500, 100), ("motion", -500, 100)]
    assert logged(win, 11) == expected

    controller.release_all()
    expected += [("key_up", "d"), ("key_up", "w"), ("button_up", 3)]
    assert logged(win, 14) == expected
    assert controller.held == frozenset()


def test_unsplit_and_deferred_moves(start_window: StartWindow, xvfb_display: str) -> None:
    win = start_window()
    with ActionController(get_input_backend("x11", display=xvfb_display),
                          split_mouse=False) as whole:
        whole.apply(Action(**bins(-60, 4)))
    with ActionController(get_input_backend("x11", display=xvfb_display),
                          defer_second_half=True) as deferred:
        deferred.apply(Action(**bins(100, -50)))
        assert deferred.pending_move == (50, -25)
        assert logged(win, 2) == [("motion", -60, 4), ("motion", 50, -25)]
        deferred.send_pending_move()
        deferred.send_pending_move()  # nothing left
        deferred.apply(Action(**bins(2, 0)))  # a pending half would go out first
        deferred.apply(Action())  # sends the deferred (1, 0)
    assert logged(win, 5) == [("motion", -60, 4), ("motion", 50, -25), ("motion", 50, -25),
                              ("motion", 1, 0), ("motion", 1, 0)]


def test_tap_and_close(start_window: StartWindow, controller: ActionController) -> None:
    win = start_window()
    controller.tap("n")
    controller.apply(Action(frozenset({"s", "d"})))
    controller.tap("s")  # held: only released
    assert controller.held == {"d"}
    controller.close()
    controller.close()
    assert logged(win, 6) == [("key_down", "n"), ("key_up", "n"), ("key_down", "d"),
                              ("key_down", "s"), ("key_up", "s"), ("key_up", "d")]
    with pytest.raises(InputBackendError, match="closed"):
        controller.apply(Action())
    assert input_safety.registered_count() == 0


def test_exception_in_with_block_releases(start_window: StartWindow, xvfb_display: str) -> None:
    win = start_window()
    with pytest.raises(RuntimeError, match="agent crashed"), \
            ActionController(get_input_backend("x11", display=xvfb_display)) as ctl:
        ctl.apply(Action(frozenset({"w"}), fire=True))
        raise RuntimeError("agent crashed")
    assert logged(win, 4) == [("key_down", "w"), ("button_down", 1), ("key_up", "w"),
                              ("button_up", 1)]


def test_garbage_collected_controller_releases_with_warning(start_window: StartWindow,
                                                            xvfb_display: str) -> None:
    win = start_window()
    ctl = ActionController(get_input_backend("x11", display=xvfb_display))
    ctl.apply(Action(frozenset({"d"})))
    with pytest.warns(ResourceWarning, match="not closed"):
        del ctl
        gc.collect()
    assert logged(win, 2) == [("key_down", "d"), ("key_up", "d")]
    assert input_safety.registered_count() == 0


def test_apply_rejects_non_actions(controller: ActionController) -> None:
    with pytest.raises(InvalidAction, match="takes an Action"):
        controller.apply([0] * 15)


CHILD = textwrap.dedent("""
    import signal, sys, time
    from csgo_env.actions import Action
    from csgo_env.game.input.controller import ActionController
    from csgo_env.game.input.backends import get_input_backend

    mode = sys.argv[1]
    if mode == "chained":
        signal.signal(signal.SIGTERM, lambda *a: (print("previous handler", flush=True),
                                                  sys.exit(7)))
    ctl = ActionController(get_input_backend("x11"))
    ctl.apply(Action(frozenset({"w"}), fire=True))
    print("applied", flush=True)
    if mode == "raise":
        raise RuntimeError("agent crashed")
    if mode == "busy":  # nearly all the time inside an Xlib call (each apply syncs)
        while True:
            ctl.apply(Action(frozenset({"w"}), fire=True))
    time.sleep(30)
""")


@pytest.mark.parametrize(("mode", "sig", "returncode"), [
    ("raise", None, 1),
    ("wait", signal.SIGTERM, -signal.SIGTERM),
    ("wait", signal.SIGINT, -signal.SIGINT),  # KeyboardInterrupt after the release
    ("chained", signal.SIGTERM, 7),  # the previous Python handler still runs
    # the signal lands inside an Xlib call: the release must not re-enter that connection
    ("busy", signal.SIGINT, -signal.SIGINT),
    ("busy", signal.SIGTERM, -signal.SIGTERM),
])
def test_child_process_leaves_nothing_held(start_window: StartWindow, mode: str,
                                           sig: int | None, returncode: int) -> None:
    win = start_window()
    child = subprocess.Popen([sys.executable, "-c", CHILD, mode], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "applied"
        assert logged(win, 2, settle=0.0)[:2] == [("key_down", "w"), ("button_down", 1)]
        if sig is not None:
            time.sleep(random.uniform(0.05, 0.3) if mode == "busy" else 0.0)
            child.send_signal(sig)
        out, err = child.communicate(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == returncode, err
    assert logged(win, 4) == [("key_down", "w"), ("button_down", 1), ("key_up", "w"),
                              ("button_up", 1)]
    if mode == "chained":
        assert "previous handler" in out
