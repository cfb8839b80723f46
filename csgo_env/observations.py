"""The observation contract: window and crop geometry and the observation space, defined once.

The Pearce & Zhu recordings were made from a 1024x768 client area: the crop
``(left, top, right, bottom) = (100, 135, 924, 633)`` (824x498 pixels, right/bottom
exclusive) resized to 280x150 with OpenCV INTER_LINEAR. An observation is that image as
RGB ``uint8`` of shape ``(150, 280, 3)`` (height, width, channels); the files store BGR and
convert at the file boundary. Every module that needs one of these numbers imports it from
here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gymnasium

WINDOW_SIZE: tuple[int, int] = (1024, 768)
"""Client-area size (width, height) in pixels that the recordings were made at."""

CROP: tuple[int, int, int, int] = (100, 135, 924, 633)
"""Crop ``(left, top, right, bottom)`` of the client area in pixels, right/bottom exclusive."""

OBS_SIZE: tuple[int, int] = (280, 150)
"""Observation (width, height) in pixels, the order OpenCV's ``resize`` takes."""

OBS_SHAPE: tuple[int, int, int] = (OBS_SIZE[1], OBS_SIZE[0], 3)
"""Shape of one observation array: (height, width, RGB channels) = (150, 280, 3)."""

OBS_BYTES: int = OBS_SHAPE[0] * OBS_SHAPE[1] * OBS_SHAPE[2]
"""Bytes of one uint8 observation (126,000)."""


def observation_space() -> gymnasium.spaces.Box:
    """``Box(0, 255, (150, 280, 3), uint8)``: one RGB frame."""
    import gymnasium
    import numpy as np

    return gymnasium.spaces.Box(0, 255, OBS_SHAPE, np.uint8)


def size_text(size: tuple[int, int] = WINDOW_SIZE) -> str:
    """``(1024, 768)`` -> ``"1024x768"``, for messages and help texts."""
    return f"{size[0]}x{size[1]}"
