"""Grab the game window's client area with mss and turn it into an observation.

The observation follows the dataset authors' geometry: from the 1024x768 client area take
x 100..924, y 135..633 (824x498 pixels), resize to 280x150 with OpenCV INTER_LINEAR, and
return RGB ``uint8`` of shape (150, 280, 3). Only the crop rectangle is grabbed; the BGRA
grab is resized before the alpha channel is dropped (both faster than the other order).

A window that moves is followed (``follow=True``): its position is re-read every
``check_every`` grabs and whenever a grab fails. A window whose client size is not the
geometry's ``window_size``, that is minimised, off screen, or gone raises
:class:`~csgo_env.errors.CaptureError` / :class:`~csgo_env.errors.WindowNotFound` — never a
silently wrong image. A :class:`Capturer` is meant to be used from one thread.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from csgo_env._optional import require
from csgo_env.errors import ArgumentError, CaptureError, explain
from csgo_env.game.screen.windows import WindowInfo, get_window_backend
from csgo_env.observations import CROP, OBS_SIZE, WINDOW_SIZE

INTERPOLATIONS: dict[str, str] = {"nearest": "INTER_NEAREST", "linear": "INTER_LINEAR",
                                  "area": "INTER_AREA", "cubic": "INTER_CUBIC"}
"""Interpolation name -> OpenCV constant name."""


@dataclass(frozen=True)
class CaptureGeometry:
    """Where the observation comes from in the window and how it is scaled.

    ``window_size`` (w, h): required client size in pixels. ``crop`` (x0, y0, x1, y1):
    client pixels, x0/y0 inclusive, x1/y1 exclusive. ``out_size`` (w, h): the observation's
    width and height (the array is (h, w, 3)). ``interpolation``: a key of
    :data:`INTERPOLATIONS`.
    """

    window_size: tuple[int, int] = WINDOW_SIZE
    crop: tuple[int, int, int, int] = CROP
    out_size: tuple[int, int] = OBS_SIZE
    interpolation: str = "linear"

    def __post_init__(self) -> None:
        for name, value, n in (("window_size", self.window_size, 2), ("crop", self.crop, 4),
                               ("out_size", self.out_size, 2)):
            if (not isinstance(value, (tuple, list)) or len(value) != n
                    or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                               for v in value)):
                raise ArgumentError(explain(f"CaptureGeometry.{name} must be {n} integers",
                                            got=repr(value)))
            object.__setattr__(self, name, tuple(int(v) for v in value))
        (w, h), (x0, y0, x1, y1) = self.window_size, self.crop
        if min(w, h, *self.out_size) <= 0:
            raise ArgumentError(explain("sizes must be positive",
                                        got=f"window_size={self.window_size}, "
                                             f"out_size={self.out_size}"))
        if not (0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h):
            raise ArgumentError(explain(
                "crop must lie inside the window", expected=f"0 <= x0 < x1 <= {w} and "
                f"0 <= y0 < y1 <= {h}", got=f"crop={self.crop}",
                fix="give crop as (x0, y0, x1, y1) in client pixels"))
        if self.interpolation not in INTERPOLATIONS:
            raise ArgumentError(explain("unknown interpolation",
                                        expected=f"one of {sorted(INTERPOLATIONS)}",
                                        got=repr(self.interpolation)))

    @property
    def crop_size(self) -> tuple[int, int]:
        """(w, h) of the crop rectangle."""
        x0, y0, x1, y1 = self.crop
        return x1 - x0, y1 - y0

    @property
    def obs_shape(self) -> tuple[int, int, int]:
        """Shape of :meth:`Capturer.grab`'s result: (h, w, 3)."""
        return self.out_size[1], self.out_size[0], 3


def open_mss(backend: str = "default") -> Any:
    """An mss screenshot object: ``mss.MSS(backend=...)`` (mss >= 10.2) or ``mss.mss()``."""
    mss = require("mss", extra="live", purpose="screen capture")
    try:
        factory = getattr(mss, "MSS", None)
        return factory(backend=backend) if factory is not None else mss.mss()
    except Exception as exc:  # mss raises ScreenShotError and OS errors without a display
        raise CaptureError(explain("cannot open the screen for capture",
                                   expected="a display mss can grab",
                                   got=f"{type(exc).__name__}: {exc}",
                                   fix="run in the desktop session (or under Xvfb on Linux)")
                           ) from exc


class Capturer:
    """Grab observations of the window titled one of ``titles`` (optionally owned by ``pid``).

    The geometry is validated before the window is looked up. Raises WindowNotFound or
    CaptureError at construction if the window is missing, minimised, of the wrong size or
    off screen.
    """

    def __init__(self, titles: Sequence[str], *, pid: int | None = None,
                 geometry: CaptureGeometry = CaptureGeometry(), follow: bool = True,
                 backend: str = "auto", check_every: int = 16, mss_backend: str = "default"
                 ) -> None:
        if not isinstance(geometry, CaptureGeometry):
            raise ArgumentError(explain("geometry must be a CaptureGeometry",
                                        got=type(geometry).__name__))
        if isinstance(check_every, bool) or not isinstance(check_every, int) or check_every < 1:
            raise ArgumentError(explain("check_every must be a positive int",
                                        got=repr(check_every)))
        if isinstance(titles, str):
            titles = (titles,)
        self.geometry = geometry
        self.follow = follow
        self.check_every = check_every
        cv2 = require("cv2", extra="live", package="opencv-python-headless",
                      purpose="resizing captured frames")
        self._resize, self._cvt = cv2.resize, cv2.cvtColor
        self._bgra2rgb = cv2.COLOR_BGRA2RGB
        self._interp = getattr(cv2, INTERPOLATIONS[geometry.interpolation])
        self._windows = get_window_backend(backend)
        self._mss: Any = None
        self._grabs = 0
        try:
            self.window: WindowInfo = self._windows.find(tuple(titles), pid)
            self._mss = open_mss(mss_backend)
            self._screen = dict(self._mss.monitors[0])  # the whole virtual screen
            self._set_window(self.window)
        except BaseException:
            _close_quietly(self._windows, self._mss)
            raise
        self._finalizer = weakref.finalize(self, _close_quietly, self._windows, self._mss)

    # --- window tracking -------------------------------------------------------------
    def _set_window(self, info: WindowInfo) -> None:
        expected = self.geometry.window_size
        if info.size != expected:
            raise CaptureError(explain(
                f"window {info.title!r} has the wrong client size",
                expected=f"{expected[0]}x{expected[1]}", got=f"{info.width}x{info.height}",
                fix=f"set the game to windowed {expected[0]}x{expected[1]} (launch options "
                    f"-windowed -w {expected[0]} -h {expected[1]})"))
        s = self._screen
        if (info.left < s["left"] or info.top < s["top"]
                or info.left + info.width > s["left"] + s["width"]
                or info.top + info.height > s["top"] + s["height"]):
            raise CaptureError(explain(
                f"window {info.title!r} is partly off screen",
                expected=f"inside the screen {s['width']}x{s['height']}+{s['left']}+{s['top']}",
                got=f"{info.width}x{info.height}+{info.left}+{info.top}",
                fix="move the game window fully onto the screen"))
        x0, y0, x1, y1 = self.geometry.crop
        self._crop_region = {"left": info.left + x0, "top": info.top + y0,
                             "width": x1 - x0, "height": y1 - y0}
        self._full_region = {"left": info.left, "top": info.top, "width": info.width,
                             "height": info.height}
        self.window = info

    def refresh(self) -> WindowInfo:
        """Re-read the window's rectangle now (follow a move, or raise if it moved and
        ``follow`` is False)."""
        fresh = self._windows.rect(self.window)
        if fresh != self.window and not self.follow and fresh.size == self.window.size:
            raise CaptureError(explain(
                f"window {self.window.title!r} moved",
                expected=f"client at ({self.window.left}, {self.window.top})",
                got=f"({fresh.left}, {fresh.top})",
                fix="keep the game window still, or capture with follow=True"))
        self._set_window(fresh)
        return fresh

    @property
    def client_region(self) -> dict[str, int]:
        """The window's full client area as an mss region (screen pixels)."""
        return dict(self._full_region)

    # --- grabbing --------------------------------------------------------------------
    def _grab_bgra(self, full: bool) -> np.ndarray:
        if self._mss is None:
            raise CaptureError("the capturer is closed")
        self._grabs += 1
        if self._grabs % self.check_every == 0:
            self.refresh()
        region = self._full_region if full else self._crop_region
        try:
            shot = self._mss.grab(region)
        except Exception:
            self.refresh()  # moved off screen, minimised or closed: say which
            region = self._full_region if full else self._crop_region
            try:
                shot = self._mss.grab(region)
            except Exception as exc:
                raise CaptureError(explain("screen grab failed", expected=f"region {region}",
                                           got=f"{type(exc).__name__}: {exc}",
                                           fix="keep the game window visible and on screen")
                                   ) from exc
        w, h = region["width"], region["height"]
        raw = shot.raw
        if len(raw) != w * h * 4:
            raise CaptureError(explain("screen grab returned the wrong number of bytes",
                                       expected=f"{w * h * 4} ({w}x{h} BGRA)",
                                       got=str(len(raw))))
        return np.frombuffer(raw, dtype=np.uint8).reshape(h, w, 4)

    def grab(self) -> np.ndarray:
        """The observation: RGB uint8 array of shape ``geometry.obs_shape``, C-contiguous."""
        bgra = self._grab_bgra(full=False)
        if self.geometry.crop_size != self.geometry.out_size:
            bgra = self._resize(bgra, self.geometry.out_size, interpolation=self._interp)
        return self._cvt(bgra, self._bgra2rgb)

    def grab_raw(self) -> np.ndarray:
        """The full client area: BGRA uint8 array of shape (h, w, 4) (a new buffer per grab)."""
        return self._grab_bgra(full=True)

    def close(self) -> None:
        """Release the screen and window connections (idempotent)."""
        self._finalizer()
        self._mss = None

    def __enter__(self) -> Capturer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _close_quietly(*resources: Any) -> None:
    for resource in resources:
        with contextlib.suppress(Exception):
            resource.close()
