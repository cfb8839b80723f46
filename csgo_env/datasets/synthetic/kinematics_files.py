"""Kinematic recordings on disk: frames, unlabelled targets and metadata, as recorded.

:func:`write_kinematic_recording` writes what a recorder writes before inference: a
recording in the public layout whose ``y`` is the default action everywhere (the labels
come later from ``csgo-env infer-actions``) and a ``currvarsv2`` metadata file with the
simulated ``curr_vars``. Frames are a plain synthetic view (horizon from the pitch, a
post every 45 degrees of yaw, a dark flash while dead) so that view changes show. The
folder is marked synthetic.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from csgo_env.actions import NOOP
from csgo_env.datasets.pearce.metadata_pairing import mark_synthetic, recording_name
from csgo_env.datasets.synthetic.kinematics import KnownPlay, simulate_curr_vars

GENERATOR = "csgo_env.datasets.synthetic.kinematics v1"
H, W = 150, 280
FOV_DEG = 106.0  # horizontal field of view of the 4:3 crop, roughly


def kinematic_frames(curr_vars: list[dict[str, Any]]) -> np.ndarray:
    """uint8 (n, 150, 280, 3) RGB frames drawn from the view angles of ``curr_vars``."""
    n = len(curr_vars)
    yaw = np.array([cv["viewangle_xy"] for cv in curr_vars])
    pitch = np.array([cv["viewangle_vert"] for cv in curr_vars])
    alive = np.array([cv["gsi_health"] > 0 for cv in curr_vars])
    rows = np.arange(H)[None, :, None]
    horizon = (H / 2 + pitch * (H / 60.0))[:, None, None]
    sky = rows < horizon
    frames = np.where(sky[..., None], np.array([140, 170, 210], np.uint8),
                      np.array([150, 120, 80], np.uint8)).astype(np.uint8)
    frames = np.broadcast_to(frames, (n, H, W, 3)).copy()
    cols = np.arange(W)[None, :]
    angle = (-yaw[:, None] + (cols - W / 2) * FOV_DEG / W) % 45.0
    posts = (angle < 1.5)[:, None, :] & ~sky
    frames[np.broadcast_to(posts, (n, H, W))] = (60, 60, 60)
    frames[~alive] //= 3
    return frames


def write_kinematic_recording(out_dir: str | os.PathLike[str], play: KnownPlay, *,
                              number: int = 1, stub: str = "dm_kinematic_",
                              own_play: bool = False) -> tuple[Path, Path]:
    """Write recording ``hdf5_{stub}{number}.hdf5`` (default labels) and its metadata
    ``currvarsv2_{stub}{number}_to_{number}.npy``; returns both paths."""
    from csgo_env.datasets.pearce.metadata import write_metadata
    from csgo_env.datasets.pearce.write import write_recording

    out = Path(out_dir)
    curr_vars = simulate_curr_vars(play, own_play=own_play)
    n = len(curr_vars)
    name = recording_name(stub, number)
    mark_synthetic(out, [name], generator=GENERATOR)
    vectors = np.tile(NOOP.to_vector(), (n, 1))
    path = write_recording(out / name, kinematic_frames(curr_vars), vectors)
    default = NOOP.to_infer_a()
    meta = {f"file_num{number}_frame_{j}": [cv, list(default), np.zeros(2)]
            for j, cv in enumerate(curr_vars)}
    meta_path = write_metadata(out / f"currvarsv2_{stub}{number}_to_{number}.npy", meta)
    return path, meta_path


__all__ = ["GENERATOR", "kinematic_frames", "write_kinematic_recording"]
