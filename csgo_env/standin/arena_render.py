"""Draw the arena from the player's pose in the recordings' 150 x 280 crop style (numpy).

SYNTHETIC pictures. The camera is the recordings' one: the game renders a 1024 x 768 window
with a 90 degree horizontal field of view (focal length 512 window pixels) and the
observation is the crop ``(100, 135, 924, 633)`` resized to 280 x 150, so one observation
column spans 824 / 280 window pixels and one row 498 / 150: focal lengths :data:`FOCAL_X`
= 174.0 columns and :data:`FOCAL_Y` = 154.2 rows, a 77.6 degree wide view, and the crosshair
(the window centre) on the crop centre. Walls are cast column by column against the plan's
wall faces (perpendicular distance, no fisheye), the floor is a 128-unit checkerboard cast
row by row, the pitch shears the picture (horizon row ``75 - FOCAL_Y * tan(pitch)``),
opponents are billboards of their hit box (32 x 72 units) drawn far to near behind a depth
buffer; then gun, muzzle flash, crosshair and health / ammo bars as in the synthetic
recordings (:mod:`csgo_env.datasets.synthetic.frames`); a dead player's frame is darkened
and tinted red.
"""

from __future__ import annotations

import math

import numpy as np

from csgo_env.observations import CROP, OBS_SHAPE, WINDOW_SIZE
from csgo_env.standin.arena_map import CELL, WALL_HEIGHT, FloorPlan
from csgo_env.standin.arena_snapshot import ArenaSnapshot
from csgo_env.standin.arena_world import BODY_HEIGHT, BODY_RADIUS, EYE_HEIGHT

HEIGHT, WIDTH, _ = OBS_SHAPE
WINDOW_FOCAL = WINDOW_SIZE[0] / 2.0
"""Focal length of the game's 90 degree horizontal view in window pixels (512)."""
FOCAL_X = WINDOW_FOCAL / ((CROP[2] - CROP[0]) / WIDTH)
"""Horizontal focal length in observation columns (174.0)."""
FOCAL_Y = WINDOW_FOCAL / ((CROP[3] - CROP[1]) / HEIGHT)
"""Vertical focal length in observation rows (154.2)."""
SKY = np.array((150, 190, 230), np.float32)
FLOOR = np.array(((196, 164, 112), (170, 140, 95)), np.float32)
WALL = np.array((190, 175, 150), np.float32)
BODY = np.array((200, 60, 40), np.uint8)
HEAD = np.array((235, 200, 170), np.uint8)

_COL_OFFSET = np.arctan((np.arange(WIDTH) + 0.5 - WIDTH / 2) / FOCAL_X)
"""Angle of each column's ray right of the view direction (radians, (280,))."""
_ROWS = np.arange(HEIGHT, dtype=np.float64)[:, None]


class ArenaRenderer:
    """Renders :class:`ArenaSnapshot` views of one plan: RGB uint8 (150, 280, 3)."""

    def __init__(self, plan: FloorPlan) -> None:
        self.plan = plan
        self._cos = np.cos(_COL_OFFSET)
        self._inv_cos = (1.0 / self._cos).astype(np.float32)

    def render(self, snap: ArenaSnapshot, *, flash: bool = False) -> np.ndarray:
        """The observation for ``snap``; ``flash`` draws a muzzle flash (a shot this tick)."""
        x, y, _ = snap.position
        yaw = math.radians(snap.yaw_deg)
        horizon = HEIGHT / 2 - FOCAL_Y * math.tan(math.radians(snap.pitch_deg))
        angles = yaw - _COL_OFFSET
        dist, along, facing = self.plan.ray_distances(x, y, angles)
        depth = dist * self._cos  # perpendicular distance per column
        img = np.empty((HEIGHT, WIDTH, 3), np.uint8)
        self._floor_and_sky(img, x, y, angles, horizon)
        top = horizon - FOCAL_Y * (WALL_HEIGHT - EYE_HEIGHT) / depth
        bottom = horizon + FOCAL_Y * EYE_HEIGHT / depth
        wall = (top[None, :] <= _ROWS) & (bottom[None, :] > _ROWS)
        shade = (1.0 - 0.25 * facing) * np.clip(1.1 - depth / 3000.0, 0.45, 1.0)
        shade = shade * np.where((along // 32.0) % 2 == 0, 1.0, 0.9)
        wall_rgb = (WALL[None, :] * shade[:, None]).astype(np.uint8)  # (W, 3)
        np.copyto(img, wall_rgb[None, :, :], where=wall[..., None])
        self._opponents(img, snap, x, y, yaw, horizon, depth)
        _overlay(img, snap, flash)
        return img

    def _floor_and_sky(self, img: np.ndarray, x: float, y: float, angles: np.ndarray,
                       horizon: float) -> None:
        """Sky rows above the horizon, the checkerboard floor below it, into ``img``."""
        first = min(max(math.ceil(horizon - 0.5), 0), HEIGHT)  # first floor row
        if first > 0:
            below = np.arange(first, dtype=np.float32) + 0.5 - horizon
            sky = (SKY[None, :] * (1.0 + np.clip(-below, 0, 150)[:, None] / 400.0))
            img[:first] = np.clip(sky, 0, 255).astype(np.uint8)[:, None, :]
        if first == HEIGHT:
            return
        below = np.arange(first, HEIGHT, dtype=np.float32) + np.float32(0.5 - horizon)
        ground = FOCAL_Y * EYE_HEIGHT / below  # (R,) perpendicular distance of each row
        reach = ground[:, None] * self._inv_cos[None, :]  # (R, W) along each ray
        fx = reach * np.cos(angles).astype(np.float32)[None, :]
        fx += np.float32(x)
        fy = reach * np.sin(angles).astype(np.float32)[None, :]
        fy += np.float32(y)
        tile = (np.floor(fx / np.float32(CELL)).astype(np.int32)
                + np.floor(fy / np.float32(CELL)).astype(np.int32)) & 1  # (R, W)
        fade = np.clip(1.0 - ground / 4000.0, 0.55, 1.0)  # (R,) by row
        colours = (FLOOR[None, :, :] * fade[:, None, None]).astype(np.uint8)  # (R, 2, 3)
        img[first:] = colours[np.arange(len(below))[:, None], tile]

    def _opponents(self, img: np.ndarray, snap: ArenaSnapshot, x: float, y: float,
                   yaw: float, horizon: float, depth: np.ndarray) -> None:
        fwd = (math.cos(yaw), math.sin(yaw))
        right = (math.sin(yaw), -math.cos(yaw))
        seen = []
        for o in snap.opponents:
            if not o.alive:
                continue
            rx, ry = o.x - x, o.y - y
            ahead = rx * fwd[0] + ry * fwd[1]
            if ahead > 8.0:
                seen.append((ahead, rx * right[0] + ry * right[1]))
        for ahead, side in sorted(seen, reverse=True):  # far to near
            centre = WIDTH / 2 + FOCAL_X * side / ahead
            half = FOCAL_X * BODY_RADIUS / ahead
            c0, c1 = max(math.floor(centre - half), 0), min(math.ceil(centre + half),
                                                                 WIDTH)
            if c0 >= c1:
                continue
            cols = np.arange(c0, c1)
            cols = cols[(np.abs(cols + 0.5 - centre) <= half) & (depth[c0:c1][cols - c0] > ahead)]
            if not len(cols):
                continue
            r_top = horizon - FOCAL_Y * (BODY_HEIGHT - EYE_HEIGHT) / ahead
            r_neck = horizon - FOCAL_Y * (BODY_HEIGHT - 16.0 - EYE_HEIGHT) / ahead
            r_feet = horizon + FOCAL_Y * EYE_HEIGHT / ahead
            r0, r1 = max(round(r_top), 0), min(round(r_feet), HEIGHT)
            if r0 >= r1:
                continue
            neck = min(max(round(r_neck), r0), r1)
            img[r0:neck, cols] = HEAD
            img[neck:r1, cols] = BODY


def _overlay(img: np.ndarray, snap: ArenaSnapshot, flash: bool) -> None:
    """Gun, flash, crosshair, health and ammo bars; a dead view darkened and tinted red."""
    if snap.alive:
        img[118:150, 200:236] = (40, 40, 44)
        img[108:122, 214:222] = (30, 30, 34)
        if flash:
            img[98:110, 210:226] = (255, 230, 120)
        cx, cy = WIDTH // 2, HEIGHT // 2
        img[cy, cx - 6:cx - 1] = (0, 255, 0)
        img[cy, cx + 2:cx + 7] = (0, 255, 0)
        img[cy - 6:cy - 1, cx] = (0, 255, 0)
        img[cy + 2:cy + 7, cx] = (0, 255, 0)
    img[141:147, 4:66] = (20, 20, 20)
    img[141:147, 214:276] = (20, 20, 20)
    img[142:146, 5:5 + round(max(snap.health, 0) * 0.6)] = (220, 60, 50)
    fill = 0 if snap.reloading else round(60 * snap.clip / 30)
    img[142:146, 215:215 + min(fill, 60)] = (240, 200, 60)
    if not snap.alive:
        tinted = img.astype(np.uint16) // 3
        tinted[..., 0] += 60
        img[:] = tinted.astype(np.uint8)
