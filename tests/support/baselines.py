"""SYNTHETIC learnability tasks (recordings in the public layout whose answer is known) and
small training configs for the baseline tests.

Nothing here is gameplay. Each task writes 1000-frame recordings (public names of the
dust2-expert family, never a test-split number) with a ``SYNTHETIC`` marker, then converts
them to a Minari root with the package's own converter, so training reads them through the
real loader.

- ``mouse_in_frame``: every frame draws its own action's mouse bins: a bright vertical bar
  in column block ``mouse_x`` (23 blocks of 12 px) and a horizontal bar in row block
  ``mouse_y`` (15 blocks of 10 px) over dim noise; keys and clicks are random.
- ``kill_or_not``: every frame shows a red enemy on the left or the right half, at random.
  Half the steps (at random) turn the mouse towards it (mouse_x +60 counts when right,
  -60 when left) and fire, and the next frame is flagged as a kill; the other half turn
  away and fire, and nothing happens. Keys are random.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from csgo_env.actions import N_BINARY, multidiscrete_to_vectors, quantize_mouse_x
from csgo_env.datasets.minari.export import convert
from csgo_env.datasets.pearce.write import write_recording

N = 1000
TOWARD_RIGHT = int(quantize_mouse_x(60))
TOWARD_LEFT = int(quantize_mouse_x(-60))
NAME = "hdf5_dm_july2021_expert_{}.hdf5"


def _random_keys(rng: np.random.Generator) -> np.ndarray:
    actions = np.zeros((N, 15), dtype=np.int64)
    actions[:, :N_BINARY] = rng.random((N, N_BINARY)) < 0.3
    actions[:, 13], actions[:, 14] = 11, 7
    return actions


def mouse_in_frame(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frames uint8 (N,150,280,3), actions int64 (N,15), helper float64 (N,2))."""
    rng = np.random.default_rng(seed)
    actions = _random_keys(rng)
    actions[:, 13] = rng.integers(0, 23, N)
    actions[:, 14] = rng.integers(0, 15, N)
    frames = rng.integers(0, 60, (N, 150, 280, 3), dtype=np.uint8)
    for t in range(N):
        x, y = int(actions[t, 13]) * 12, int(actions[t, 14]) * 10
        frames[t, :, x:x + 12, 0] = 255
        frames[t, y:y + 10, :, 1] = 255
    return frames, actions, np.zeros((N, 2))


def kill_or_not(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frames, actions, helper) of the kill-or-not task; also the side (0 left, 1 right)
    and the behaviour (1 towards) are recoverable from ``enemy_side``/``actions``."""
    rng = np.random.default_rng(seed)
    actions = _random_keys(rng)
    side = enemy_side(seed)
    toward = rng.random(N) < 0.5
    right = side == 1
    actions[:, 13] = np.where(toward == right, TOWARD_RIGHT, TOWARD_LEFT)
    actions[:, 11] = 1
    frames = rng.integers(0, 60, (N, 150, 280, 3), dtype=np.uint8)
    for t in range(N):
        x = 190 if right[t] else 50
        frames[t, 55:95, x:x + 40] = (230, 30, 30)
    helper = np.zeros((N, 2))
    helper[1:, 0] = toward[:-1]
    return frames, actions, helper


def enemy_side(seed: int) -> np.ndarray:
    """Side of the enemy in each frame of ``kill_or_not(seed)``: int (N,), 1 = right."""
    return (np.random.default_rng([seed, 1]).random(N) < 0.5).astype(np.int64)


def toward_share(numbers: list[int], seed: int = 0) -> float:
    """Share of the steps of ``kill_or_not`` recordings ``numbers`` that turn towards the
    enemy (the data's own rate, which imitation reproduces)."""
    hits = total = 0
    for n in numbers:
        _, actions, _ = kill_or_not(seed * 1000 + n)
        towards = np.where(enemy_side(seed * 1000 + n) == 1, TOWARD_RIGHT, TOWARD_LEFT)
        hits += int((actions[:, 13] == towards).sum())
        total += len(actions)
    return hits / total


def write_task(task: str, folder: Path, numbers: list[int], seed: int = 0,
               test_numbers: tuple[int, ...] = ()) -> Path:
    """Write the recordings of ``task`` numbered ``numbers`` (+ ``test_numbers``, multiples
    of 10: the test split) and convert them; returns the Minari root holding
    ``csgo/dust2-expert-train-v0`` (and ``-test-v0``)."""
    make = {"mouse_in_frame": mouse_in_frame, "kill_or_not": kill_or_not}[task]
    src = folder / "recordings"
    src.mkdir(parents=True, exist_ok=True)
    names = []
    for n in [*numbers, *test_numbers]:
        assert (n % 10 == 0) == (n in test_numbers), "multiples of 10 are the test split"
        frames, actions, helper = make(seed * 1000 + n)
        write_recording(src / NAME.format(n), frames, multidiscrete_to_vectors(actions),
                        helper=helper, durable=False)
        names.append(NAME.format(n))
    (src / "SYNTHETIC").write_text(json.dumps({"synthetic": True, "generator": __name__,
                                               "task": task, "files": names}))
    root = folder / "minari"
    report = convert([src], out_dir=root, workers=1, progress=False)
    assert report.ok, report.failed
    return root


def held_out_frames(task: str, number: int, seed: int = 0
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The arrays of recording ``number`` of ``task`` without writing it (frames never
    trained on when ``number`` was not written)."""
    make = {"mouse_in_frame": mouse_in_frame, "kill_or_not": kill_or_not}[task]
    return make(seed * 1000 + number)


def toward_bins(number: int, seed: int = 0) -> np.ndarray:
    """The rewarded mouse_x bin of each frame of ``kill_or_not`` recording ``number``."""
    side = enemy_side(seed * 1000 + number)
    return np.where(side == 1, TOWARD_RIGHT, TOWARD_LEFT)


def tiny_config(algo: str, root: Path, out: Path, *, steps: int, seed: int = 0,
                model: dict | None = None, algo_params: dict | None = None,
                data: dict | None = None, train: dict | None = None) -> dict:
    """A raw config mapping for a small CPU run on a task root."""
    return {"algo": algo, "seed": seed,
            "data": {"dataset": ["csgo/dust2-expert-train-v0"], "root": str(root),
                     "seq_len": 8, "batch_size": 4, "val_fraction": 0.0, **(data or {})},
            "model": {"encoder": "impala-tiny", **(model or {})},
            "train": {"steps": steps, "out_dir": str(out), "log_every": 25,
                      "checkpoint_every": 10_000, "device": "cpu", "progress": False,
                      **(train or {})},
            algo: {"lr": 2e-3, **(algo_params or {})}}
