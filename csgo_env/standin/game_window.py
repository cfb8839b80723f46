"""The replay game's input log: the window's log, tapped by the game logic.

:class:`TappedLog` writes the window's JSON-lines input log and hands every record to the
game logic too (fire held, reload, mouse turns).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from csgo_env.standin.window import InputLog


class TappedLog(InputLog):
    """The window's input log that also hands every record to the game logic."""

    def __init__(self, stream: IO[str], on_record: Callable[[str, dict[str, Any]], None]) -> None:
        super().__init__(stream)
        self._on_record = on_record

    def write(self, kind: str, **fields: Any) -> None:
        super().write(kind, **fields)
        self._on_record(kind, fields)
