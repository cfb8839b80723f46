"""The arena's counting wrapper keeps its input guarded: the inner backend's guardian spec
passes through, so the release guardian runs for ``game="arena"`` too."""

from __future__ import annotations

from typing import Any

from csgo_env.game.input import guardian
from csgo_env.game.input.counting import CountingBackend
from csgo_env.game.input.guardian import GuardianSpec


class Recorder:
    """An input backend that records what it is asked to send."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def key_down(self, key: str) -> None:
        self.calls.append(("key_down", key))

    def key_up(self, key: str) -> None:
        self.calls.append(("key_up", key))

    def button_down(self, button: str) -> None:
        self.calls.append(("button_down", button))

    def button_up(self, button: str) -> None:
        self.calls.append(("button_up", button))

    def move_relative(self, dx: int, dy: int) -> None:
        self.calls.append(("move", dx, dy))

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


class Guarded(Recorder):
    def guardian_spec(self) -> GuardianSpec:
        return GuardianSpec("x11", {"w": "w"}, ("left", "right"), display=":99")


def test_counts_events_and_skips_zero_moves() -> None:
    inner = Recorder()
    counting = CountingBackend(inner)  # type: ignore[arg-type]
    counting.key_down("w")
    counting.move_relative(0, 0)
    counting.move_relative(3, 0)
    counting.button_up("left")
    assert counting.sent == 3 and inner.calls == [("key_down", "w"), ("move", 3, 0),
                                                  ("button_up", "left")]


def test_guardian_spec_is_the_inner_backends() -> None:
    inner = Guarded()
    counting = CountingBackend(inner)  # type: ignore[arg-type]
    assert counting.guardian_spec() == inner.guardian_spec()
    plain = CountingBackend(Recorder())  # type: ignore[arg-type]
    assert not hasattr(plain, "guardian_spec")
    assert guardian.start_for(plain) is None  # nothing to guard: no guardian, no warning
