"""Human reference numbers of a dataset, computed from its flags (and metadata positions),
cached by dataset id and version, so live scores can be normalised as
(agent - random) / (human - random).

From the kill/death flags of every episode (16 Hz steps; ``steps / 16 / 60`` minutes):
kills and deaths per minute, K/D = kills / max(deaths, 1), and the outcome samples of
:mod:`csgo_env.evaluation.outcomes` (lifetimes, kills per life; shots per kill from the
recorded fire key, in ticks with the trigger held). When the recordings' metadata files
(``currvarsv2_*.npy``) are given, positions (``localpos1``, ``localpos2``), team
(``gsi_team``) and health (``gsi_health``; lifetimes then count alive ticks) come from them:
per-step values are those of frame t+1, aligned with the flags. Coverage grids (all, T, CT)
and kill-location grids on the map's radar frame are then part of the reference.

Cache: ``$CSGO_ENV_HOME/human_reference/<dataset id>/<version>[+positions].json`` (and
``.npz`` for the grids), written atomically; a dataset with another version gets its own
entry, so a stale reference is never used.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from csgo_env._atomic import atomic_write_bytes, atomic_write_text
from csgo_env.evaluation.coverage import kill_positions, occupancy_by_team, occupancy_grid
from csgo_env.evaluation.dataset_arrays import EpisodeArrays, iter_episodes, open_dataset
from csgo_env.evaluation.maps import MapFrame, frame_from_extent, get_map
from csgo_env.evaluation.outcomes import TICK_HZ, LifeStats, episode_lives, pooled

CACHE_VERSION = 2


def cache_root() -> Path:
    """``$CSGO_ENV_HOME/human_reference`` (default ``~/.cache/csgo_env/human_reference``)."""
    home = os.environ.get("CSGO_ENV_HOME") or Path.home() / ".cache" / "csgo_env"
    return Path(home) / "human_reference"


def rates(kills: int, deaths: int, steps: int, hz: float = TICK_HZ) -> dict[str, float]:
    """Kills and deaths per minute over ``steps`` ticks, and K/D = kills / max(deaths, 1)."""
    minutes = steps / hz / 60.0
    return {"minutes": minutes, "kills": float(kills), "deaths": float(deaths),
            "kills_per_minute": kills / minutes if minutes else float("nan"),
            "deaths_per_minute": deaths / minutes if minutes else float("nan"),
            "kd": kills / max(deaths, 1)}


def _position(cv: Any) -> dict[str, Any]:
    cv = cv if isinstance(cv, dict) else {}
    return {"x": cv.get("localpos1", np.nan), "y": cv.get("localpos2", np.nan),
            "team": cv.get("gsi_team", ""), "health": cv.get("gsi_health", np.nan)}


def metadata_positions(paths: Sequence[str | os.PathLike[str]], numbers: set[int | str]
                       ) -> dict[int | str, dict[int, dict[str, Any]]]:
    """``{file: {frame: {"x", "y", "team", "health"}}}`` for the wanted files, read safely
    from metadata files or folders of them. Two layouts: the public ``currvarsv2_*.npy``
    (keys ``file_num{N}_frame_{i}``, files named by number N) and the recorder's and the
    OpenArena builder's ``currvars_*.npy`` (``{file name: [curr_vars of frame 0, 1, ...]}``,
    files named by their file name)."""
    from csgo_env.datasets.pearce.metadata import load_metadata

    files: list[Path] = []
    for p in map(Path, paths):
        files += (sorted(p.glob("currvarsv2_*.npy")) + sorted(p.glob("currvars_*.npy"))
                  if p.is_dir() else [p])
    out: dict[int | str, dict[int, dict[str, Any]]] = {}
    for path in files:
        for key, value in load_metadata(path).items():
            if str(key).endswith(".hdf5") and isinstance(value, (list, tuple)):
                if str(key) in numbers:
                    out[str(key)] = {i: _position(cv) for i, cv in enumerate(value)}
                continue
            head, _, frame = str(key).partition("_frame_")
            number = int(head.removeprefix("file_num")) if head.startswith("file_num") else -1
            if number not in numbers or not frame.isdigit():
                continue
            cv = value[0] if isinstance(value, (list, tuple)) and value else {}
            out.setdefault(number, {})[int(frame)] = _position(cv)
    return out


def _file_name(ep: EpisodeArrays) -> str:
    """The recording's bare file name (``source`` may name a group: ``file.hdf5:/episode``)."""
    return Path(ep.source.split(":", 1)[0]).name


def _episode_positions(ep: EpisodeArrays, meta: dict[int, dict[str, Any]] | None
                       ) -> dict[str, np.ndarray] | None:
    """Per-step (frame t+1) x, y, team, alive of one episode; None without metadata."""
    if not meta:
        return None
    frames = range(1, len(ep.kill) + 1)
    get = [meta.get(j, {}) for j in frames]
    health = np.array([float(g.get("health", np.nan)) for g in get])
    return {"x": np.array([float(g.get("x", np.nan)) for g in get]),
            "y": np.array([float(g.get("y", np.nan)) for g in get]),
            "team": np.array([str(g.get("team", "")) for g in get]),
            "alive": np.where(np.isfinite(health), health > 0, True)}


def compute_reference(episodes: Sequence[EpisodeArrays], *, map_name: str | None,
                      positions: dict[int | str, dict[int, dict[str, Any]]] | None = None,
                      frame: MapFrame | None = None
                      ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(numbers as plain data, grids) of a list of episodes (see the module docstring);
    ``frame`` replaces the map's radar frame (e.g. the arena's own floor plan)."""
    lives: list[LifeStats] = []
    kills = deaths = steps = 0
    track: dict[str, list[np.ndarray]] = {"x": [], "y": [], "team": [], "kill": []}
    known = positions or {}
    tracks = [_episode_positions(ep, known.get(_file_name(ep)) or known.get(
        -1 if ep.file_number is None else ep.file_number)) for ep in episodes]
    every = bool(tracks) and all(t is not None for t in tracks)  # else no alive flags at all
    for ep, pos in zip(episodes, tracks, strict=True):
        fire = ep.actions[:, 11].astype(np.float64)
        alive = pos["alive"] if every and pos is not None else None
        lives.append(episode_lives(ep.kill, ep.death, fire, alive))
        kills, deaths, steps = kills + int(ep.kill.sum()), deaths + int(ep.death.sum()), \
            steps + len(ep.kill)
        if pos is not None:
            for k in ("x", "y", "team"):
                track[k].append(pos[k])
            track["kill"].append(ep.kill)
    outcome = pooled(lives)
    numbers: dict[str, Any] = {**rates(kills, deaths, steps), "episodes": len(episodes),
                               "steps": steps, "lifetime_method": outcome.lifetime_method,
                               "samples": {k: v.tolist() for k, v in outcome.as_dict().items()},
                               "positions_episodes": sum(t is not None for t in tracks)}
    grids: dict[str, np.ndarray] = {}
    if track["x"]:
        x, y = np.concatenate(track["x"]), np.concatenate(track["y"])
        frame = frame or _frame(map_name, x, y)
        for name, occ in occupancy_by_team(x, y, np.concatenate(track["team"]), frame).items():
            grids[f"occupancy/{name}"] = occ.grid
        kx, ky = kill_positions(x, y, np.concatenate(track["kill"]))
        grids["kills/all"] = occupancy_grid(kx, ky, frame).grid
        numbers["frame"] = frame.to_dict()
        numbers["positions_known"] = int(np.sum(np.isfinite(x) & np.isfinite(y)))
    return numbers, grids


def _frame(map_name: str | None, x: np.ndarray, y: np.ndarray) -> MapFrame:
    from csgo_env.evaluation.maps import MAPS

    if map_name in MAPS:
        return get_map(str(map_name))
    return frame_from_extent(map_name or "unknown", x, y)


def human_reference(dataset_id: str, root: str | os.PathLike[str] | None = None, *,
                    metadata: Sequence[str | os.PathLike[str]] = (), use_cache: bool = True,
                    frame: MapFrame | None = None
                    ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The human reference of a converted dataset, from the cache when it is there
    (``frame``: grids on that frame instead of the map's; cached apart)."""
    info = open_dataset(dataset_id, root)
    tag = info.version + ("+positions" if metadata else "") + \
        (f"+frame-{frame.name}" if frame is not None else "")
    folder = cache_root() / info.dataset_id
    json_path, npz_path = folder / f"{tag}.json", folder / f"{tag}.npz"
    if use_cache and json_path.is_file():
        numbers = json.loads(json_path.read_text(encoding="utf-8"))
        if numbers.get("cache_version") == CACHE_VERSION and npz_path.is_file():
            with np.load(npz_path) as data:
                return numbers, {k.replace("__", "/"): data[k] for k in data.files}
    episodes = list(iter_episodes(info))
    wanted: set[int | str] = {ep.file_number for ep in episodes if ep.file_number is not None}
    wanted |= {_file_name(ep) for ep in episodes}
    positions = metadata_positions(metadata, wanted) if metadata else None
    numbers, grids = compute_reference(episodes, map_name=info.map_name, positions=positions,
                                       frame=frame)
    numbers.update({"dataset_id": info.dataset_id, "dataset_version": info.version,
                    "synthetic": info.synthetic, "cache_version": CACHE_VERSION,
                    "source": "kill/death flags" + (" and metadata positions" if metadata
                                                    else "")})
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    arrays: dict[str, Any] = {k.replace("/", "__"): v for k, v in grids.items()}
    np.savez_compressed(buffer, **arrays)
    atomic_write_bytes(npz_path, buffer.getvalue())
    atomic_write_text(json_path, json.dumps(numbers, indent=1, sort_keys=True) + "\n")
    return numbers, grids


__all__ = ["cache_root", "compute_reference", "human_reference", "metadata_positions",
           "rates"]
