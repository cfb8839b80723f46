"""XTest input into a real SDL window in relative (raw) mouse mode under Xvfb.

The window program logs what SDL delivers; the assertions compare those logs with exactly
the events sent (key names, buttons, relative deltas).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from csgo_env.actions import KEY_NAMES
from csgo_env.errors import InputBackendError, InvalidAction, UnknownBackend, UnknownGame
from csgo_env.game.input.backends import (
    InputBackend,
    get_input_backend,
    input_backend_names,
    resolve_input_backend_name,
)
from csgo_env.standin.window_process import WindowProcess
from tests.support import standin as rs

StartWindow = Callable[..., WindowProcess]

pytestmark = pytest.mark.xvfb

SDL_KEY_NAME = {"ctrl": "left ctrl", "shift": "left shift", "console": "`"}
"""Our key name -> the name SDL (pygame.key.name) reports for it."""


def sdl_name(key: str) -> str:
    return SDL_KEY_NAME.get(key, key)




@pytest.fixture
def x11(xvfb_display: str) -> Iterator[InputBackend]:
    backend = get_input_backend("x11", profile="csgo", display=xvfb_display)
    yield backend
    backend.close()


def test_every_key_arrives_as_its_key(start_window: StartWindow, x11: InputBackend) -> None:
    win = start_window()
    keys = [*KEY_NAMES, "n", "console"]
    for key in keys:
        x11.key_down(key)
        x11.key_up(key)
    x11.flush()
    expected = [(kind, sdl_name(k)) for k in keys for kind in ("key_down", "key_up")]
    assert rs.event_tuples(win.wait_events(len(expected))) == expected


def test_relative_moves_arrive_with_exact_deltas(start_window: StartWindow,
                                                 x11: InputBackend) -> None:
    win = start_window()
    moves = [(37, -12), (-500, 200), (1, 0), (0, -1), (1000, -200)]
    for dx, dy in moves:
        x11.move_relative(dx, dy)
        x11.flush()
    x11.move_relative(0, 0)  # nothing to send
    x11.flush()
    assert rs.event_tuples(win.wait_events(len(moves))) == [("motion", dx, dy) for dx, dy in moves]


def test_buttons_are_1_and_3(start_window: StartWindow, x11: InputBackend) -> None:
    win = start_window()
    x11.button_down("left")
    x11.button_down("right")
    x11.button_up("right")
    x11.button_up("left")
    x11.flush()
    assert rs.event_tuples(win.wait_events(4)) == [("button_down", 1), ("button_down", 3),
                                           ("button_up", 3), ("button_up", 1)]


def test_bad_arguments_are_rejected_before_sending(x11: InputBackend) -> None:
    with pytest.raises(InvalidAction, match="unknown key name"):
        x11.key_down("fire")
    with pytest.raises(InvalidAction, match="unknown mouse button"):
        x11.button_down("middle")  # type: ignore[arg-type]
    with pytest.raises(InvalidAction, match="integer count"):
        x11.move_relative(1.5, 0)  # type: ignore[arg-type]
    with pytest.raises(InvalidAction, match="out of range"):
        x11.move_relative(0, 40000)


def test_closed_backend_refuses_input(xvfb_display: str) -> None:
    backend = get_input_backend("x11", display=xvfb_display)
    backend.close()
    backend.close()
    with pytest.raises(InputBackendError, match="closed"):
        backend.key_down("w")


def test_registry_and_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(input_backend_names()) == {"x11", "win32"}
    assert resolve_input_backend_name("auto") == "x11"
    with pytest.raises(UnknownBackend, match="unknown input backend"):
        get_input_backend("uinput")
    with pytest.raises(UnknownGame, match="unknown game"):
        get_input_backend("x11", profile="quake")
    monkeypatch.setenv("DISPLAY", ":9999")
    with pytest.raises(InputBackendError, match="cannot connect to the X server"):
        get_input_backend("x11")
