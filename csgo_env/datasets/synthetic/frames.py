"""Render synthetic 150x280 screenshots from a simulated view state (vectorised numpy).

The picture is a structured stand-in for the game, not noise: a sky gradient over a
ground plane whose horizon follows the pitch, ground stripes and wall blocks fixed in world
azimuth so that they slide with the yaw, an enemy figure where one is visible, a gun and a
muzzle flash, the crosshair, and HUD bars for health and ammo. Dead ticks are darkened and
tinted red. Screen geometry: 90 degrees horizontal field of view over 280 columns,
clockwise azimuth increasing to the right, +pitch looking down.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from csgo_env.datasets.pearce.reader import FRAME_SHAPE

HEIGHT, WIDTH, _ = FRAME_SHAPE
PX_PER_DEG = WIDTH / 90.0
"""Screen pixels per degree of view rotation (fov 90 over 280 columns)."""
_CHUNK = 64  # frames rendered at once (bounds memory to ~100 MB)

PALETTES: dict[str, dict[str, tuple[int, int, int]]] = {
    "de_dust2": {"sky": (150, 190, 230), "ground": (196, 164, 112), "wall": (170, 140, 95)},
    "de_nuke": {"sky": (170, 185, 200), "ground": (120, 125, 130), "wall": (90, 110, 140)},
    "de_mirage": {"sky": (160, 200, 235), "ground": (205, 185, 150), "wall": (185, 160, 120)},
    "de_inferno": {"sky": (165, 190, 220), "ground": (150, 110, 80), "wall": (160, 90, 60)},
    "aim_map": {"sky": (200, 205, 210), "ground": (110, 110, 110), "wall": (200, 200, 200)},
}
"""RGB base colours per map name."""


@dataclass
class ViewTrack:
    """Per-frame state the renderer draws, all arrays of length n.

    ``yaw_deg``: clockwise view azimuth (deg); ``pitch_deg``: +down (deg); ``travel``:
    forward distance walked (world units); ``enemy_az``: clockwise world azimuth of a
    visible enemy (deg, NaN when none); ``enemy_dist``: its distance (world units);
    ``health`` 0..100; ``ammo_frac`` clip fill 0..1 (NaN for the knife); ``flash``: a shot
    left the gun; ``alive``; ``enemy_team``: 1 = CT colours, 0 = T colours.
    """

    yaw_deg: np.ndarray
    pitch_deg: np.ndarray
    travel: np.ndarray
    enemy_az: np.ndarray
    enemy_dist: np.ndarray
    health: np.ndarray
    ammo_frac: np.ndarray
    flash: np.ndarray
    alive: np.ndarray
    enemy_team: int


def render_frames(track: ViewTrack, map_name: str, world_seed: int) -> np.ndarray:
    """Screenshots for every tick of ``track``: uint8 (n, 150, 280, 3), RGB."""
    palette = PALETTES.get(map_name, PALETTES["de_dust2"])
    rng = np.random.default_rng(world_seed)
    k = 14  # wall blocks around the player, fixed in world azimuth
    walls = {"az": rng.uniform(0, 360, k), "half": rng.uniform(4, 18, k),
             "top": rng.uniform(8, 45, k), "shade": rng.uniform(0.7, 1.15, k)}
    n = len(track.yaw_deg)
    out = np.empty((n, HEIGHT, WIDTH, 3), dtype=np.uint8)
    for lo in range(0, n, _CHUNK):
        hi = min(lo + _CHUNK, n)
        packed = _scene(track, slice(lo, hi), palette, walls)
        out[lo:hi] = packed.view(np.uint8).reshape(*packed.shape, 4)[..., :3]
    _draw_enemies(out, track)
    _draw_overlay(out, track)
    return out


def _pack(rgb: np.ndarray) -> np.ndarray:
    """RGB floats (..., 3) -> one little-endian uint32 per pixel (bytes r, g, b, 0)."""
    c = np.clip(rgb, 0, 255).astype(np.uint32)
    return c[..., 0] | (c[..., 1] << 8) | (c[..., 2] << 16)


def _scene(track: ViewTrack, sl: slice, palette: dict, walls: dict) -> np.ndarray:
    """Sky, ground and walls of frames ``sl`` as packed pixels: uint32 (m, 150, 280).

    Rows (sky gradient, ground shading and bands that scroll with the distance walked)
    and columns (azimuth stripes, walls) are computed separately and combined by
    broadcasting over one packed uint32 per pixel, so the full-size passes stay few.
    """
    cols = (np.arange(WIDTH) - (WIDTH - 1) / 2) / PX_PER_DEG
    az = track.yaw_deg[sl, None] + cols  # (m, W) clockwise azimuth of each column
    horizon = HEIGHT / 2 - track.pitch_deg[sl] * PX_PER_DEG  # (m,)
    depth = np.arange(HEIGHT)[None, :] - horizon[:, None]  # (m, H) rows below the horizon
    sky = np.asarray(palette["sky"], np.float32)
    ground = np.asarray(palette["ground"], np.float32)
    sky_rows = sky * (1.0 + np.clip(-depth, 0, 150)[..., None] / 400.0)
    band = (np.floor(900.0 / np.maximum(depth, 1.0) + track.travel[sl, None] / 40.0) % 2)
    ground_rows = ground * ((0.8 + 0.2 * np.clip(depth, 0, 75) / 75.0)
                            * (0.93 + 0.07 * band))[..., None]
    is_sky = (depth < 0)[..., None]
    light = _pack(np.where(is_sky, sky_rows, ground_rows))  # (m, H)
    dark = _pack(np.where(is_sky, sky_rows, ground_rows * 0.92))
    stripe = (np.floor(az / 12.0) % 2).astype(bool)  # (m, W) azimuth texture
    img = np.where(stripe[:, None, :], light[:, :, None], dark[:, :, None])
    # walls: per column the tallest block covering it
    rel = (az[..., None] - walls["az"] + 180.0) % 360.0 - 180.0  # (m, W, k)
    inside = np.abs(rel) < walls["half"]
    top = np.where(inside, walls["top"] * PX_PER_DEG / 3, 0.0)
    which = np.argmax(top, axis=-1)
    height = np.take_along_axis(top, which[..., None], -1)[..., 0]  # (m, W) px above horizon
    edge = np.take_along_axis(np.abs(rel) / walls["half"], which[..., None], -1)[..., 0]
    shade = walls["shade"][which] * (1.0 - 0.25 * edge ** 4)  # (m, W)
    wall_rgb = np.asarray(palette["wall"], np.float32) * shade[..., None]  # (m, W, 3)
    wall_light, wall_dark = _pack(wall_rgb), _pack(wall_rgb * 0.93)  # (m, W)
    row = np.arange(HEIGHT, dtype=np.float32)[None, :, None]
    wall = (row >= (horizon[:, None] - height)[:, None, :]) \
        & (row <= (horizon[:, None] + 0.3 * height)[:, None, :]) & (height > 0)[:, None, :]
    mortar = ((np.arange(HEIGHT) // 6) % 2).astype(bool)[None, :, None]
    np.copyto(img, np.where(mortar, wall_dark[:, None], wall_light[:, None]), where=wall)
    return img


def _draw_enemies(out: np.ndarray, track: ViewTrack) -> None:
    body = np.array((200, 170, 60) if track.enemy_team == 0 else (60, 90, 190), np.uint8)
    head = np.array((225, 190, 160), np.uint8)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    for i in np.flatnonzero(np.isfinite(track.enemy_az)):
        rel = (track.enemy_az[i] - track.yaw_deg[i] + 180.0) % 360.0 - 180.0
        cx = (WIDTH - 1) / 2 + rel * PX_PER_DEG
        horizon = HEIGHT / 2 - track.pitch_deg[i] * PX_PER_DEG
        size = float(np.clip(6000.0 / max(track.enemy_dist[i], 100.0), 6.0, 30.0))
        cy = horizon + 0.2 * size
        if not -size < cx < WIDTH + size:
            continue
        torso = ((xx - cx) / (0.35 * size)) ** 2 + ((yy - cy) / size) ** 2 <= 1.0
        skull = (xx - cx) ** 2 + (yy - (cy - 1.25 * size)) ** 2 <= (0.28 * size) ** 2
        out[i][torso] = body
        out[i][skull] = head


def _draw_overlay(out: np.ndarray, track: ViewTrack) -> None:
    """Gun, flash, crosshair and HUD; dead ticks darkened and tinted red."""
    alive = track.alive.astype(bool)
    knife = ~np.isfinite(track.ammo_frac)
    gun = alive & ~knife
    out[gun, 118:150, 200:236] = (40, 40, 44)
    out[gun, 108:122, 214:222] = (30, 30, 34)
    out[alive & knife, 125:150, 215:225] = (150, 150, 160)
    flash = alive & track.flash.astype(bool) & gun
    out[flash, 98:110, 210:226] = (255, 230, 120)
    cx, cy = WIDTH // 2, HEIGHT // 2
    out[alive, cy, cx - 6:cx - 1] = (0, 255, 0)
    out[alive, cy, cx + 2:cx + 7] = (0, 255, 0)
    out[alive, cy - 6:cy - 1, cx] = (0, 255, 0)
    out[alive, cy + 2:cy + 7, cx] = (0, 255, 0)
    # HUD: health bar bottom left, ammo bar bottom right (dark backing, coloured fill)
    out[:, 141:147, 4:66] = (20, 20, 20)
    out[:, 141:147, 214:276] = (20, 20, 20)
    cols = np.arange(60)
    health_fill = cols[None, :] < np.round(np.clip(track.health, 0, 100) * 0.6)[:, None]
    ammo_fill = cols[None, :] < np.round(np.nan_to_num(track.ammo_frac, nan=0.0) * 60)[:, None]
    hud = out[:, 142:146, 5:65]
    hud[np.broadcast_to(health_fill[:, None, :], hud.shape[:3])] = (220, 60, 50)
    hud = out[:, 142:146, 215:275]
    hud[np.broadcast_to(ammo_fill[:, None, :], hud.shape[:3])] = (240, 200, 60)
    dead = ~alive
    if dead.any():
        tinted = out[dead].astype(np.uint16) // 3
        tinted[..., 0] += 60
        out[dead] = tinted.astype(np.uint8)


__all__ = ["PALETTES", "PX_PER_DEG", "ViewTrack", "render_frames"]
