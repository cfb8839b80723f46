"""An input backend wrapper that counts the events it passes on.

The stand-in game's arena mode takes, before each tick, exactly the input sent for it: the
env tells it how many events it has sent so far (``next events=N``) and the game waits until
it has received that many. :class:`CountingBackend` keeps that number. Every key press,
key release, button press, button release and non-zero relative move is one event, as the
game's window logs them; zero moves are not sent at all.
"""

from __future__ import annotations

from csgo_env.game.input.backends import Button, InputBackend


class CountingBackend:
    """Forwards every call to ``inner``; :attr:`sent` counts the input events forwarded."""

    def __init__(self, inner: InputBackend) -> None:
        self.inner = inner
        self.sent = 0

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
