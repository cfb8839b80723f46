"""The replay game's window: the shared input-logging window, tapped and cropped.

:class:`TappedLog` writes the window's JSON-lines input log and hands every record to the
game logic too (fire held, reload, mouse turns). :class:`CropWindow` repaints only the
crop box after the first full draw.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from csgo_env.replay.window import GameWindow, InputLog


class TappedLog(InputLog):
    """The window's input log that also hands every record to the game logic."""

    def __init__(self, stream: IO[str], on_record: Callable[[str, dict[str, Any]], None]) -> None:
        super().__init__(stream)
        self._on_record = on_record

    def write(self, kind: str, **fields: Any) -> None:
        super().write(kind, **fields)
        self._on_record(kind, fields)


class CropWindow(GameWindow):
    """A :class:`GameWindow` that, after the first full draw, repaints only the crop box.

    Outside the crop the canvas never changes, and pushing 824x498 instead of 1024x768
    pixels to the X server per frame saves a few ms of CPU (SDL still syncs with the
    server before returning, so the pixels are there when the reply goes out).
    """

    def __init__(self, *args: Any, crop: tuple[int, int, int, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._crop_box = crop
        self._full_drawn = False

    def _draw(self, force: bool = False) -> None:
        if force or not self._full_drawn:
            super()._draw(force=True)
            self._full_drawn = True
            return
        index, frame = self.frames.frame_at(0.0)
        if index == self._shown:
            return
        left, top, right, bottom = self._crop_box
        rect = self._pg.Rect(left, top, right - left, bottom - top)
        self._pg.surfarray.blit_array(self._screen.subsurface(rect),
                                      frame[top:bottom, left:right].swapaxes(0, 1))
        self._pg.display.update(rect)
        self._shown = index
