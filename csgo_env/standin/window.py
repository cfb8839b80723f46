"""A real game window: shows known frames and logs every input event it receives.

Run it as a program::

    python -m csgo_env.standin.window --title T --size 1024x768 --log events.jsonl \
        [--pattern known | --frames frames.npy] [--pos X,Y] [--fps 16] [--duration S]

It opens an SDL window titled ``T`` (X11 video driver, no audio), draws frames, grabs the
mouse in relative (raw) mode, and appends one JSON object per line to the log, flushed at
once, each with ``t`` (``time.monotonic()`` seconds) and ``type``:

=============  =============================================================
type           other fields
=============  =============================================================
ready          ``pid``, ``window`` (X window id or 0), ``size`` [w, h], ``title``
key_down/up    ``key`` (pygame key name: ``"w"``, ``"left ctrl"``, ``"`"``), ``scancode``
button_down/up ``button`` (1 left, 2 middle, 3 right)
motion         ``dx``, ``dy`` (relative counts; +x right, +y down)
quit           (the window is closing)
=============  =============================================================

The ``ready`` line is written once the window is mapped, drawn and the mouse grabbed, so a
test may send input as soon as it reads it.

Frames come from a :class:`FrameSource`: :class:`KnownPattern` (a still image whose RGB at
every client pixel is :func:`known_pattern`) or :class:`ArrayFrames` (an ``.npy`` file of
shape (N, H, W, 3) RGB uint8 played at ``fps``). The replay game reuses :class:`GameWindow`
with its own frame source.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, Protocol

import numpy as np

from csgo_env.observations import WINDOW_SIZE, size_text


def known_pattern(width: int, height: int) -> np.ndarray:
    """The test pattern: RGB uint8 array of shape (height, width, 3), C-contiguous.

    At client pixel (x, y): R = x mod 256, G = y mod 256, B = (7x + 13y + 64(x div 256))
    mod 256. Every pixel of a 1024x768 window differs from its neighbours in all
    directions, so an offset, a flip or a channel swap cannot go unnoticed.
    """
    x = np.arange(width, dtype=np.int64)[None, :]
    y = np.arange(height, dtype=np.int64)[:, None]
    out = np.empty((height, width, 3), dtype=np.uint8)
    out[..., 0] = x % 256
    out[..., 1] = y % 256
    out[..., 2] = (7 * x + 13 * y + 64 * (x // 256)) % 256
    return out


class FrameSource(Protocol):
    """What a window shows: RGB uint8 frames of shape (height, width, 3)."""

    def frame_at(self, seconds: float) -> tuple[int, np.ndarray]:
        """Return (frame index, frame) to show ``seconds`` after the window opened."""
        ...


class KnownPattern:
    """A still :func:`known_pattern` image (frame index always 0)."""

    def __init__(self, width: int, height: int) -> None:
        self._frame = known_pattern(width, height)

    def frame_at(self, seconds: float) -> tuple[int, np.ndarray]:
        return 0, self._frame


class ArrayFrames:
    """Frames of an array (N, H, W, 3) RGB uint8, played at ``fps`` and held on the last."""

    def __init__(self, frames: np.ndarray, fps: float = 16.0) -> None:
        frames = np.asarray(frames)
        if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8 or not len(frames):
            raise ValueError(f"frames must be a non-empty (N, H, W, 3) uint8 array, got "
                             f"shape {frames.shape} dtype {frames.dtype}")
        if fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self._frames = frames
        self._fps = fps

    def frame_at(self, seconds: float) -> tuple[int, np.ndarray]:
        index = min(int(seconds * self._fps), len(self._frames) - 1)
        return index, self._frames[index]


class InputLog:
    """Appends JSON lines ``{"t": monotonic seconds, "type": ..., ...}``, flushed per line."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> InputLog:
        return cls(open(path, "a", encoding="utf-8"))

    def write(self, kind: str, **fields: Any) -> None:
        record = {"t": time.monotonic(), "type": kind, **fields}
        self._stream.write(json.dumps(record) + "\n")
        self._stream.flush()

    def close(self) -> None:
        self._stream.close()


def read_log(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read an input log back as a list of dicts (a partly written last line is skipped)."""
    records = []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    for line in text.splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            break
    return records


def _prepare_sdl_environment() -> None:
    """SDL settings that must be in place before pygame is imported."""
    if sys.platform.startswith("linux"):
        os.environ.setdefault("SDL_VIDEODRIVER", "x11")
    os.environ["SDL_AUDIODRIVER"] = "dummy"
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    # Relative mode from raw (XInput2) motion, not by warping the cursor; grab the keyboard
    # too, so keys arrive without a window manager giving focus.
    os.environ.setdefault("SDL_MOUSE_RELATIVE_MODE_WARP", "0")
    os.environ.setdefault("SDL_GRAB_KEYBOARD", "1")


class GameWindow:
    """An SDL window of ``size`` (w, h) that shows ``frames`` and logs input to ``log``.

    ``position`` (x, y) places the window on the screen (no window manager needed).
    ``update_region`` (x0, y0, x1, y1): the only part of the frames that changes; after the
    first full draw only it is repainted (fewer pixels pushed to the X server per frame).
    """

    def __init__(self, title: str, size: tuple[int, int], frames: FrameSource, log: InputLog,
                 *, position: tuple[int, int] | None = None,
                 update_region: tuple[int, int, int, int] | None = None) -> None:
        self.title = title
        self.update_region = update_region
        self.size = size
        self.frames = frames
        self.log = log
        self.position = position
        self._pg: Any = None
        self._screen: Any = None
        self._shown = -1
        self._opened_at = 0.0

    def open(self) -> None:
        """Open, draw, grab the mouse (relative mode) and log ``ready``."""
        _prepare_sdl_environment()
        if self.position is not None:
            os.environ["SDL_VIDEO_WINDOW_POS"] = f"{self.position[0]},{self.position[1]}"
        import pygame

        self._pg = pygame
        pygame.display.init()
        pygame.display.set_caption(self.title)
        self._screen = pygame.display.set_mode(self.size)
        self._opened_at = time.monotonic()
        self._draw(force=True)
        pygame.mouse.set_visible(False)
        pygame.event.set_grab(True)  # with the cursor hidden, SDL switches to relative mode
        pygame.event.pump()
        info = pygame.display.get_wm_info()
        self.log.write("ready", pid=os.getpid(), window=int(info.get("window", 0)),
                       size=list(self.size), title=self.title)

    def _draw(self, force: bool = False) -> None:
        index, frame = self.frames.frame_at(time.monotonic() - self._opened_at)
        if index == self._shown and not force:
            return
        h, w = self.size[1], self.size[0]
        if frame.shape[:2] != (h, w):
            raise ValueError(f"frame {index} has shape {frame.shape}, window is {w}x{h}")
        if self.update_region is None or self._shown < 0 or force:
            self._pg.surfarray.blit_array(self._screen, frame.swapaxes(0, 1))
            self._pg.display.flip()
        else:
            left, top, right, bottom = self.update_region
            rect = self._pg.Rect(left, top, right - left, bottom - top)
            self._pg.surfarray.blit_array(self._screen.subsurface(rect),
                                          frame[top:bottom, left:right].swapaxes(0, 1))
            self._pg.display.update(rect)
        self._shown = index

    def pump(self) -> bool:
        """Handle pending events (log input, redraw on expose); False once asked to quit."""
        pg = self._pg
        keep_going = True
        redraw = False
        for event in pg.event.get():
            if event.type in (pg.KEYDOWN, pg.KEYUP):
                kind = "key_down" if event.type == pg.KEYDOWN else "key_up"
                self.log.write(kind, key=pg.key.name(event.key), scancode=int(event.scancode))
            elif event.type in (pg.MOUSEBUTTONDOWN, pg.MOUSEBUTTONUP):
                kind = "button_down" if event.type == pg.MOUSEBUTTONDOWN else "button_up"
                self.log.write(kind, button=int(event.button))
            elif event.type == pg.MOUSEMOTION:
                self.log.write("motion", dx=int(event.rel[0]), dy=int(event.rel[1]))
            elif event.type == pg.QUIT:
                keep_going = False
            elif event.type in (pg.VIDEOEXPOSE, pg.WINDOWEXPOSED, pg.WINDOWSHOWN):
                redraw = True
        self._draw(force=redraw)
        return keep_going

    def run(self, duration: float | None = None, poll_hz: float = 250.0) -> None:
        """Pump events until QUIT, SIGTERM or ``duration`` seconds."""
        end = None if duration is None else time.monotonic() + duration
        period = 1.0 / poll_hz
        while self.pump():
            if end is not None and time.monotonic() >= end:
                break
            time.sleep(period)

    def close(self) -> None:
        self.log.write("quit")
        if self._pg is not None:
            self._pg.display.quit()
            self._pg = None
        self.log.close()


def _pair(text: str, sep: str) -> tuple[int, int]:
    try:
        a, b = (int(v) for v in text.split(sep))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected two integers like 1{sep}2, got {text!r}") from None
    return a, b


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m csgo_env.standin.window",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--title", required=True, help="window title")
    parser.add_argument("--size", type=lambda s: _pair(s, "x"), default=WINDOW_SIZE,
                        help=f"client size WxH (default {size_text(WINDOW_SIZE)})")
    parser.add_argument("--pos", type=lambda s: _pair(s, ","), default=None,
                        help="window position X,Y on the screen")
    parser.add_argument("--log", required=True, help="JSON-lines input log to append to")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--pattern", choices=["known"], default="known",
                        help="draw the known test pattern (default)")
    source.add_argument("--frames", help=".npy file of RGB uint8 frames (N, H, W, 3)")
    parser.add_argument("--fps", type=float, default=16.0, help="frame rate for --frames")
    parser.add_argument("--duration", type=float, default=None, help="exit after S seconds")
    args = parser.parse_args(argv)

    width, height = args.size
    if args.frames:
        frames: FrameSource = ArrayFrames(np.load(args.frames, allow_pickle=False), args.fps)
    else:
        frames = KnownPattern(width, height)
    import signal

    # SIGTERM ends the loop cleanly, so the log gets its ``quit`` line.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    window = GameWindow(args.title, (width, height), frames, InputLog.open(args.log),
                        position=args.pos)
    try:
        window.open()
        window.run(args.duration)
    finally:
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
