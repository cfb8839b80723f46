"""How the replay game paints a recorded frame so that capture returns it pixel-exactly.

The env's observation is ``resize(window[top:bottom, left:right], (280, 150),
INTER_LINEAR)``. With the recordings' crop of 824 x 498 the scale factors are
824 / 280 = 2.943 (x) and 498 / 150 = 3.32 (y). OpenCV's bilinear resize maps output
pixel ``x`` to the source position ``sx = (x + 0.5) * scale - 0.5`` and blends source
columns ``floor(sx)`` and ``floor(sx) + 1`` with weights that sum to exactly one (in its
11-bit fixed point too). If both of those columns (and rows) hold the recorded pixel of
``x``, the blend returns that pixel exactly, whatever the weights.

The upscale that guarantees it is nearest-neighbour with half-pixel centres: crop column
``c`` shows recorded column ``floor((c + 0.5) * 280 / 824)`` (``cv2.INTER_NEAREST_EXACT``).
Column ``floor(sx)`` maps back into ``(x - 1/scale, x]`` and ``floor(sx) + 1`` into
``(x, x + 1/scale]``; since ``1/scale < 0.5`` on both axes, both round to ``x``, and no
source position ``(c + 0.5) * 280 / 824`` is ever an exact integer (``(2c + 1) * 35 = 206k``
has no solution in odd numbers; likewise ``(2r + 1) * 25 = 166k``), so no floating-point
tie can flip a pixel. The argument needs only ``1/scale < 0.5``, so it holds for any crop
more than twice the output size on each axis (:func:`exact_index_maps` checks that; the
tests check exactness against OpenCV over a grid of crop sizes). Outside the crop the window shows a
constant colour.
"""

from __future__ import annotations

import numpy as np

from csgo_env.errors import ArgumentError, explain
from csgo_env.observations import CROP, OBS_SIZE

BACKGROUND_RGB = (24, 24, 24)
"""Colour of the window outside the crop (never part of an observation)."""


def exact_index_maps(crop_size: tuple[int, int], out_size: tuple[int, int] = OBS_SIZE
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Row and column index maps (int64) of the exact upscale.

    ``crop_size`` and ``out_size`` are (width, height). Returns ``(rows, cols)`` with
    ``rows`` of length crop height (values in [0, out height)) and ``cols`` of length crop
    width, so that ``frame[rows][:, cols]`` is the crop image. Raises
    :class:`ArgumentError` when the crop is less than twice the output size on an axis
    (the bilinear taps of neighbouring output pixels could then overlap).
    """
    (cw, ch), (ow, oh) = crop_size, out_size
    if cw <= 2 * ow or ch <= 2 * oh:
        raise ArgumentError(explain(
            "crop too small for a pixel-exact replay", expected=f"more than {2 * ow}x{2 * oh}",
            got=f"{cw}x{ch}", fix=f"use the recordings' crop {CROP}"))
    # Integer form of floor((c + 0.5) * out / crop): exact, no float rounding.
    cols = ((2 * np.arange(cw, dtype=np.int64) + 1) * ow) // (2 * cw)
    rows = ((2 * np.arange(ch, dtype=np.int64) + 1) * oh) // (2 * ch)
    return rows, cols


class ReplayScreen:
    """The replay window's client area: a (height, width, 3) RGB uint8 canvas.

    :meth:`show` paints one recorded frame (150, 280, 3) RGB into the crop box
    ``(left, top, right, bottom)``. It also serves as the window's frame source
    (``frame_at`` returns the index last shown and the canvas, which is updated in place).
    """

    def __init__(self, window_size: tuple[int, int], crop: tuple[int, int, int, int],
                 out_size: tuple[int, int] = OBS_SIZE) -> None:
        width, height = window_size
        left, top, right, bottom = crop
        self.crop = crop
        self.out_size = out_size
        self.canvas = np.empty((height, width, 3), dtype=np.uint8)
        self.canvas[:] = BACKGROUND_RGB
        self._rows, self._cols = exact_index_maps((right - left, bottom - top), out_size)
        self.index = -1

    def show(self, index: int, frame: np.ndarray) -> None:
        """Paint ``frame`` ((150, 280, 3) RGB uint8) and remember ``index`` as shown."""
        ow, oh = self.out_size
        if frame.shape != (oh, ow, 3) or frame.dtype != np.uint8:
            raise ValueError(f"frame must be ({oh}, {ow}, 3) uint8, got {frame.shape} "
                             f"{frame.dtype}")
        left, top, right, bottom = self.crop
        self.canvas[top:bottom, left:right] = frame[self._rows][:, self._cols]
        self.index = int(index)

    def frame_at(self, seconds: float) -> tuple[int, np.ndarray]:
        """Frame-source protocol of :class:`csgo_env.standin.window.GameWindow`."""
        return self.index, self.canvas
