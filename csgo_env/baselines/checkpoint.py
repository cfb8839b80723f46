"""Checkpoints: everything needed to continue a run exactly, written atomically.

A checkpoint is a ``torch.save`` mapping loaded with ``weights_only=True``:

=============  ==========================================================================
key            content
=============  ==========================================================================
format         :data:`FORMAT`
algo           algorithm name (``bc``, ``cql``, ``iql``)
action_nvec    the action space's nvec (15 ints); obs_shape (150, 280, 3)
config         the run's config as plain data (:meth:`TrainConfig.to_dict`)
commit         ``git describe``-style commit of the code that wrote it (+ ``-dirty``)
step           gradient steps done
state          networks, target networks, optimiser (:meth:`Algorithm.state_dict`)
rng            torch CPU/CUDA, NumPy global and Python ``random`` generator states
best           best validation value so far and its step; metrics: the last validation
synthetic      whether any training source is synthetic
=============  ==========================================================================
"""

from __future__ import annotations

import io
import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from csgo_env._atomic import atomic_write_bytes
from csgo_env.actions import NVEC
from csgo_env.errors import CheckpointError, explain

FORMAT = "csgo_env.baselines.checkpoint/1"
OBS_SHAPE = (150, 280, 3)


def rng_state() -> dict[str, Any]:
    """States of every generator a run draws from."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": [kind, torch.from_numpy(np.asarray(keys).astype(np.int64)), int(pos),
                  int(has_gauss), float(cached)],
        "python": random.getstate(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what :func:`rng_state` saved."""
    torch.set_rng_state(state["torch"])
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    py = state["python"]
    random.setstate((py[0], tuple(py[1]), py[2]))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(path: str | os.PathLike[str], payload: dict[str, Any]) -> Path:
    """Write ``payload`` (module docstring) atomically to ``path``."""
    buffer = io.BytesIO()
    torch.save({"format": FORMAT, "action_nvec": list(NVEC), "obs_shape": list(OBS_SHAPE),
                **payload}, buffer)
    return atomic_write_bytes(path, buffer.getvalue())


def load_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a checkpoint and check it is one of ours for this action space."""
    p = Path(path)
    if not p.is_file():
        raise CheckpointError(explain("checkpoint not found", expected="a .pt file written by "
                                      "csgo-env train", got=str(p)))
    try:
        ckpt = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as exc:  # pickle/zip errors of a foreign or damaged file
        raise CheckpointError(explain("cannot read the checkpoint", expected="a checkpoint "
                                      "written by csgo-env train", got=f"{p}: "
                                      f"{type(exc).__name__}: {str(exc)[:160]}")) from exc
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        got = ckpt.get("format") if isinstance(ckpt, dict) else type(ckpt).__name__
        raise CheckpointError(explain("not a csgo_env training checkpoint",
                                      expected=f"format {FORMAT}", got=f"{p}: {got!r}"))
    if list(ckpt.get("action_nvec", [])) != list(NVEC):
        raise CheckpointError(explain(
            "checkpoint is for another action space", expected=f"nvec {list(NVEC)}",
            got=f"{list(ckpt.get('action_nvec', []))} in {p}",
            fix="train a model for MultiDiscrete([2]*13 + [23, 15]) or use a matching checkpoint"))
    if list(ckpt.get("obs_shape", [])) != list(OBS_SHAPE):
        raise CheckpointError(explain("checkpoint is for another observation shape",
                                      expected=str(list(OBS_SHAPE)),
                                      got=str(ckpt.get("obs_shape"))))
    return ckpt


def check_same_algorithm(ckpt: dict[str, Any], algo: str, path: str | os.PathLike[str]) -> None:
    """Refuse a checkpoint written by another algorithm than ``algo``."""
    if ckpt.get("algo") != algo:
        raise CheckpointError(explain(
            "checkpoint is from another algorithm", expected=f"a {algo} checkpoint",
            got=f"{ckpt.get('algo')!r} in {path}",
            fix=f"set algo: {ckpt.get('algo')} or start from a {algo} checkpoint"))


def check_same_model(ckpt: dict[str, Any], model: dict[str, Any],
                     path: str | os.PathLike[str]) -> None:
    """Refuse a checkpoint whose network shape differs from the config's ``model``."""
    theirs = ckpt.get("config", {}).get("model", {})
    diff = sorted(k for k in set(theirs) | set(model) if theirs.get(k) != model.get(k))
    if diff:
        raise CheckpointError(explain(
            "checkpoint network differs from the config", expected=str(
                {k: model.get(k) for k in diff}), got=f"{ {k: theirs.get(k) for k in diff} } "
            f"in {path}", fix="use the model section the checkpoint was trained with"))
