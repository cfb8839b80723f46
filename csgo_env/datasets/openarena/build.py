"""A bot demo to public-layout files, metadata, quality rows and a Minari dataset.

read (:func:`~csgo_env.datasets.openarena.poses.read_poses`) -> 16 Hz frames
(:mod:`~csgo_env.datasets.openarena.pose_frames`) -> the authors' action inference with
OpenArena's constants -> offline render (:mod:`~csgo_env.datasets.openarena.render`) ->
files ``oa_dm1_bots_r{R}_{N}.hdf5`` of at most 1000 frames (the last may be shorter) and
``currvars_oa_dm1_bots_r{R}.npy`` (``{file name: [curr_vars per frame]}``) -> the quality
report -> Minari.

Split rule: :func:`~csgo_env.datasets.openarena.catalog.split_of_recording` (recording R
is test when divisible by 5; whole matches only).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from csgo_env.datasets.openarena.catalog import DATASET_IDS, get_info, split_of_recording
from csgo_env.datasets.openarena.game_constants import OPENARENA
from csgo_env.datasets.openarena.pose_frames import curr_vars, to_frames
from csgo_env.datasets.openarena.poses import read_poses
from csgo_env.datasets.pearce.infer_actions import InferredActions, infer_actions
from csgo_env.datasets.pearce.layout import FRAMES_PER_FILE
from csgo_env.datasets.pearce.metadata import write_metadata
from csgo_env.datasets.pearce.metadata_columns import columns_from_curr_vars
from csgo_env.datasets.pearce.quality import FileQuality, file_quality
from csgo_env.datasets.pearce.write import write_recording
from csgo_env.errors import DatasetError, explain


@dataclass(frozen=True)
class BuiltDemo:
    """What :func:`build_demo` wrote: ``files`` (public layout), ``metadata`` (.npy),
    ``quality`` (one row per file), ``actions`` (all frames), ``frames`` (n, 150, 280, 3)."""

    files: list[Path]
    metadata: Path
    quality: list[FileQuality]
    actions: InferredActions
    frames: np.ndarray
    jump: np.ndarray


def build_demo(demo: str | Path, out_dir: str | Path, number: int, *,
               frames: np.ndarray | None = None,
               render_home: str | Path | None = None) -> BuiltDemo:
    """Build recording ``number`` from ``demo`` into ``out_dir``.

    ``frames``: already rendered observations (else rendered into ``render_home``, default
    ``out_dir/.render``). Raises DatasetError when the frame count disagrees with the pose
    frames (the renderer and the poses must share the 62.5 ms grid).
    """
    out = Path(out_dir)
    read = read_poses(demo)
    poses = [p for p in read.poses if p.following]
    if not poses:
        raise DatasetError(explain("the demo shows no followed player", got=str(demo),
                                   fix="record as a spectator with `follow N`"))
    grid = to_frames(poses)
    meta = curr_vars(grid, read.obituaries, poses[0].client_num)
    actions = infer_actions(meta, settings=OPENARENA.inference_settings(), source=str(demo))
    if frames is None:
        from csgo_env.datasets.openarena.render import render_demo

        frames = render_demo(demo, render_home or out / ".render")
    if frames.shape[0] != grid.num_frames:
        raise DatasetError(explain("rendered frames and pose frames disagree",
                                   expected=f"{grid.num_frames} frames", got=str(frames.shape[0])))
    y, xaux, helper = actions.targets()
    files, quality, by_file = [], [], {}
    for k, start in enumerate(range(0, grid.num_frames, FRAMES_PER_FILE), start=1):
        part = slice(start, min(start + FRAMES_PER_FILE, grid.num_frames))
        if part.stop - part.start < 2:
            break
        name = f"oa_dm1_bots_r{number}_{k}.hdf5"
        files.append(write_recording(out / name, frames[part], y[part], xaux[part], helper[part]))
        by_file[name] = meta[part]
        quality.append(file_quality(columns_from_curr_vars(meta[part], source=name), name=name))
    metadata = write_metadata(out / f"currvars_oa_dm1_bots_r{number}.npy", by_file)
    return BuiltDemo(files, metadata, quality, actions, frames, grid.jump)


def to_minari(files: list[Path], dataset_id: str, root: str | Path) -> Path:
    """Write ``files`` (public layout) as the Minari dataset ``dataset_id`` under ``root``;
    returns its data folder (``minari.load_dataset`` reads it with MINARI_DATASETS_PATH=root)."""
    import gymnasium

    import csgo_env  # noqa: F401  (registers the env ids)
    from csgo_env.datasets.minari import storage as ms
    from csgo_env.datasets.minari.export import build_episode
    from csgo_env.datasets.pearce.reader import Recording

    get_info(dataset_id)
    data = ms.data_dir(Path(root), dataset_id)
    written, steps = [], 0
    for path in files:
        with Recording(path) as source:
            rec = source.read_all()
        episode = build_episode(rec.frames, rec.action_vectors, rec.helper)
        attrs: dict[str, Any] = {"source": path.name, "total_steps": rec.frames.shape[0] - 1,
                                 "source_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                                 "jpeg": False, "synthetic": False}
        written.append(ms.write_episode_file(data / ms.EPISODES_DIR / path.name, episode, attrs))
        steps += rec.frames.shape[0] - 1
    ms.sync_files(written)
    ms.write_index(data, written)
    spec = gymnasium.spec("OpenArena-Deathmatch-v0")
    ms.write_metadata(data, ms.minari_metadata(
        dataset_id, total_episodes=len(written), total_steps=steps, jpeg=False,
        description="OpenArena oa_dm1 bot demonstrations (real game, not synthetic); "
                    "actions inferred from the demo poses with the authors' rules",
        algorithm_name="OpenArena bots (skill 2), spectated", size_mb=ms.dir_size_mb(data),
        extra={"env_spec": spec.to_json(), "author": ["csgo_env"],
               "code_permalink": "csgo_env/datasets/openarena/build.py"}))
    ms.ensure_namespace(Path(root), "openarena", "OpenArena bot demonstrations")
    return data


__all__ = ["DATASET_IDS", "BuiltDemo", "build_demo", "split_of_recording", "to_minari"]
