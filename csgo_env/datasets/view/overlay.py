"""Drawing a recording's actions over its frames: keys, clicks, mouse arrow, kills, deaths.

Each output frame is the screenshot scaled by an integer factor with a panel below it:

- on the screenshot, an arrow from the crosshair along the mouse move of the tick (length
  grows with log2 of the counts: +x right, +y down as the view turns), and a green
  ``KILL`` / red ``DEATH`` banner with a border for 8 frames after a kill / death flag;
- in the panel, one box per key and button (lit when held: w a s d, space, ctrl, shift,
  1 2 3, r, left and right click), the frame number, the mouse counts of the bins, and
  ``SYNTHETIC`` when the recording is synthetic.

Drawing uses OpenCV (``pip install "csgo-env[viz]"``), imported when first called.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from csgo_env._optional import require
from csgo_env.actions import MOUSE_X_BINS, MOUSE_Y_BINS, N_BINARY

PANEL_HEIGHT = 36
"""Panel height below each frame, in screenshot pixels (multiplied by the scale)."""
MARK_FRAMES = 8
"""Frames a kill or death mark stays on screen (half a second)."""
BOXES: tuple[tuple[str, int, int], ...] = (
    ("W", 0, 16), ("A", 1, 16), ("S", 2, 16), ("D", 3, 16), ("SPC", 4, 26), ("CTL", 5, 24),
    ("SHF", 6, 24), ("1", 7, 16), ("2", 8, 16), ("3", 9, 16), ("R", 10, 16), ("LMB", 11, 24),
    ("RMB", 12, 24))
"""(label, index in the factored action, width in screenshot pixels) per panel box."""
KEY_ON = (250, 210, 40)
FIRE_ON = (255, 110, 30)
SCOPE_ON = (60, 200, 255)
ARROW = (255, 40, 220)
KILL = (40, 230, 60)
DEATH = (240, 40, 40)


@dataclass(frozen=True)
class OverlayStyle:
    """Integer ``scale`` of the screenshot (1 keeps 280x150) and the label of the file."""

    scale: int = 2
    label: str = ""
    synthetic: bool = False


def event_ages(flags: np.ndarray) -> np.ndarray:
    """int64 (n,): frames since the latest set flag at or before each frame, -1 if none."""
    flags = np.asarray(flags).astype(bool)
    idx = np.where(flags, np.arange(len(flags)), -1)
    last = np.maximum.accumulate(idx) if len(idx) else idx
    return np.where(last >= 0, np.arange(len(flags)) - last, -1)


def arrow_length(counts: np.ndarray) -> np.ndarray:
    """Arrow length per axis in screenshot pixels: sign(c) * 6 * log2(1 + |c| / 2)."""
    c = np.asarray(counts, dtype=np.float64)
    return np.sign(c) * 6.0 * np.log2(1.0 + np.abs(c) / 2.0)


def overlay_frames(frames_rgb: np.ndarray, actions: np.ndarray, kill_age: np.ndarray,
                   death_age: np.ndarray, *, first_frame: int = 0,
                   style: OverlayStyle | None = None) -> np.ndarray:
    """Draw the actions over n frames (call it chunk by chunk for long recordings).

    ``frames_rgb`` uint8 (n, 150, 280, 3) RGB; ``actions`` int64 (n, 15) factored;
    ``kill_age`` / ``death_age`` int (n,) from :func:`event_ages` over the whole file;
    ``first_frame`` the file's index of frame 0 of the chunk (printed in the panel).
    Returns uint8 (n, 150*s + 36*s, 280*s, 3) RGB, s = ``style.scale``.
    """
    cv2 = require("cv2", extra="viz", package="opencv-python-headless",
                  purpose="drawing actions over frames")
    style = style or OverlayStyle()
    s = int(style.scale)
    if s < 1:
        raise ValueError(f"scale must be an integer >= 1, got {style.scale}")
    n, h, w = frames_rgb.shape[:3]
    base, lit, spans = _panel_templates(s, w, style.synthetic)
    out = np.empty((n, (h + PANEL_HEIGHT) * s, w * s, 3), dtype=np.uint8)
    dx = MOUSE_X_BINS[actions[:, N_BINARY]]
    dy = MOUSE_Y_BINS[actions[:, N_BINARY + 1]]
    ax, ay = arrow_length(dx) * s, arrow_length(dy) * s
    for k in range(n):
        canvas = out[k]
        canvas[:h * s] = cv2.resize(frames_rgb[k], (w * s, h * s),
                                    interpolation=cv2.INTER_NEAREST)
        panel = canvas[h * s:]
        panel[:] = base
        for (_, index, _), (x0, x1) in zip(BOXES, spans, strict=True):
            if actions[k, index]:
                panel[:, x0:x1] = lit[:, x0:x1]
        _arrow(cv2, canvas, (w * s // 2, h * s // 2), ax[k], ay[k], s)
        _marks(cv2, canvas, int(kill_age[k]), int(death_age[k]), w * s, h * s, s)
        text = f"{first_frame + k:>4}  mx {dx[k]:+.0f} my {dy[k]:+.0f}  {style.label}"
        cv2.putText(panel, text, (3 * s, 31 * s), cv2.FONT_HERSHEY_SIMPLEX, 0.3 * s,
                    (220, 220, 220), 1, cv2.LINE_AA)
    return out


def _arrow(cv2: Any, canvas: np.ndarray, centre: tuple[int, int], ax: float, ay: float,
           s: int) -> None:
    if ax == 0 and ay == 0:
        cv2.circle(canvas, centre, 2 * s, ARROW, 1, cv2.LINE_AA)
        return
    tip = (round(centre[0] + ax), round(centre[1] + ay))
    cv2.arrowedLine(canvas, centre, tip, ARROW, max(1, s), cv2.LINE_AA, tipLength=0.25)


def _marks(cv2: Any, canvas: np.ndarray, kill_age: int, death_age: int, w: int, h: int,
           s: int) -> None:
    for age, text, color, x in ((kill_age, "KILL", KILL, 4 * s), (death_age, "DEATH", DEATH,
                                                                   w // 2 + 4 * s)):
        if 0 <= age < MARK_FRAMES:
            cv2.rectangle(canvas, (0, 0), (w - 1, h - 1), color, 2 * s)
            cv2.putText(canvas, text, (x, 16 * s), cv2.FONT_HERSHEY_SIMPLEX, 0.5 * s, color,
                        max(1, s), cv2.LINE_AA)


@lru_cache(maxsize=8)
def _panel_templates(s: int, w: int, synthetic: bool
                     ) -> tuple[np.ndarray, np.ndarray, tuple[tuple[int, int], ...]]:
    """(panel with every box off, panel with every box lit, x span of each box)."""
    cv2 = require("cv2", extra="viz", package="opencv-python-headless",
                  purpose="drawing actions over frames")
    base = np.full((PANEL_HEIGHT * s, w * s, 3), 24, dtype=np.uint8)
    lit = base.copy()
    spans, x = [], 2 * s
    for label, _, width in BOXES:
        color = FIRE_ON if label == "LMB" else SCOPE_ON if label == "RMB" else KEY_ON
        p0, p1 = (x, 3 * s), (x + (width - 2) * s, 19 * s)
        for panel, on in ((base, False), (lit, True)):
            if on:
                cv2.rectangle(panel, p0, p1, color, -1)
            cv2.rectangle(panel, p0, p1, color if on else (90, 90, 90), 1)
            cv2.putText(panel, label, (x + 2 * s, 15 * s), cv2.FONT_HERSHEY_SIMPLEX, 0.28 * s,
                        (20, 20, 20) if on else (150, 150, 150), 1, cv2.LINE_AA)
        spans.append((x, x + width * s))
        x += width * s
    if synthetic:
        for panel in (base, lit):
            cv2.putText(panel, "SYNTHETIC", (w * s - 62 * s, 31 * s), cv2.FONT_HERSHEY_SIMPLEX,
                        0.3 * s, (255, 80, 80), 1, cv2.LINE_AA)
    return base, lit, tuple(spans)


__all__ = ["BOXES", "MARK_FRAMES", "PANEL_HEIGHT", "OverlayStyle", "arrow_length",
           "event_ages", "overlay_frames"]
