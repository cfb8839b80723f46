"""An input backend wrapper that counts the events it passes on.

The stand-in game's arena mode takes, before each tick, exactly the input sent for it: the
env tells it how many events it has sent so far (``next events=N``) and the game waits until
it has received that many. :class:`CountingBackend` keeps that number. Every key press,
key release, button press, button release and non-zero relative move is one event, as the
game's window logs them; zero moves are not sent at all.

A wrapped backend that can be guarded stays guarded: :meth:`CountingBackend.guardian_spec`
is the inner backend's, so the release guardian (:mod:`csgo_env.game.input.guardian`) runs
for the arena as for every other game.
"""

from __future__ import annotations

from typing import Any

from csgo_env.game.input.backends import Button, InputBackend


class CountingBackend:
    """Forwards every call to ``inner``; :attr:`sent` counts the input events forwarded."""

    def __init__(self, inner: InputBackend) -> None:
        self.inner = inner
        self.sent = 0
        if hasattr(inner, "guardian_spec"):  # only then: start_for looks the method up
            self.guardian_spec = inner.guardian_spec

    guardian_spec: Any
    """The inner backend's ``guardian_spec`` (absent when the inner backend has none)."""

    def key_down(self, key: str) -> None:
        self.inner.key_down(key)
        self.sent += 1

    def key_up(self, key: str) -> None:
        self.inner.key_up(key)
        self.sent += 1

    def button_down(self, button: Button) -> None:
        self.inner.button_down(button)
        self.sent += 1

    def button_up(self, button: Button) -> None:
        self.inner.button_up(button)
        self.sent += 1

    def move_relative(self, dx: int, dy: int) -> None:
        if dx or dy:
            self.inner.move_relative(dx, dy)
            self.sent += 1

    def flush(self) -> None:
        self.inner.flush()

    def close(self) -> None:
        self.inner.close()
