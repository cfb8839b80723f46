"""Policies that play ``CSGO-Deathmatch-v0``: a protocol, a random agent, exported models.

A :class:`Policy` maps one observation (RGB uint8, shape (150, 280, 3)) to one factored
action (int64, shape (15,), see :mod:`csgo_env.actions`). :func:`load_policy` builds one
from a command-line spec:

- ``"random"`` — :class:`RandomPolicy`, uniform over the action space (seeded).
- a path to an exported PyTorch program (``torch.export.save``, a ``.pt2`` file) —
  :class:`ExportedPolicy`. The program takes a uint8 tensor of shape (1, 150, 280, 3) (RGB,
  HWC, 0..255, exactly the observation with a batch axis) and returns the per-head logits,
  either as a sequence of 15 tensors of shapes (1, n_i) with ``n_i`` from ``actions.NVEC``
  (13 x 2, then 23 and 15), or as one tensor of shape (1, 64), the heads concatenated in
  that order. The action is the argmax of every head (``sample=True``: a draw from the
  softmax). Export a model with
  ``torch.export.save(torch.export.export(model, (torch.zeros(1, 150, 280, 3,
  dtype=torch.uint8),)), "policy.pt2")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from csgo_env._optional import require
from csgo_env.actions import FIRE_INDEX, NVEC, action_space
from csgo_env.errors import PolicyError, PolicyFileError, explain
from csgo_env.observations import OBS_SHAPE

N_LOGITS = int(sum(NVEC))  # 64


@runtime_checkable
class Policy(Protocol):
    """An agent: ``reset()`` at episode start, then ``act(obs) -> action`` each step."""

    def reset(self) -> None: ...

    def act(self, obs: np.ndarray) -> np.ndarray:
        """Observation (150, 280, 3) uint8 RGB -> factored action (15,) int64."""
        ...


class RandomPolicy:
    """Uniform random actions from ``action_space(seed)``; ``fire_prob`` overrides fire."""

    def __init__(self, seed: int | None = None, *, fire_prob: float | None = None) -> None:
        self._space = action_space(seed)
        self._rng = np.random.default_rng(seed)
        self._fire_prob = fire_prob

    def reset(self) -> None:
        """Nothing to reset: the policy has no state."""

    def act(self, obs: np.ndarray) -> np.ndarray:
        action = np.asarray(self._space.sample(), dtype=np.int64)
        if self._fire_prob is not None:
            action[FIRE_INDEX] = int(self._rng.random() < self._fire_prob)
        return action


class ExportedPolicy:
    """An exported program mapping (1, 150, 280, 3) uint8 to per-head logits (module doc)."""

    def __init__(self, path: str | Path, *, sample: bool = False, seed: int | None = None,
                 device: str = "cpu") -> None:
        torch = require("torch", extra="train", purpose="loading an exported policy")
        self._torch = torch
        self.path = Path(path)
        if self.path.suffix != ".pt2":
            raise PolicyFileError(explain(
                "policy files are exported PyTorch programs", expected="a .pt2 file",
                got=str(self.path), fix="save the model with torch.export.save(program, "
                "'policy.pt2') (see csgo_env.policy)"))
        try:
            self._module = torch.export.load(str(self.path)).module().to(device)
        except Exception as exc:  # torch raises RuntimeError/ValueError for bad files
            raise PolicyFileError(explain(
                "cannot load the policy file", expected="a torch.export .pt2 archive",
                got=f"{self.path}: {type(exc).__name__}: {str(exc)[:200]}",
                fix="export the model again with torch.export.save")) from exc
        self._device = device
        self._sample = sample
        self._gen = torch.Generator().manual_seed(seed if seed is not None else 0)

    def reset(self) -> None:
        """Exported programs are stateless between calls: nothing to reset."""

    def _heads(self, out: Any) -> list[Any]:
        torch = self._torch
        if isinstance(out, torch.Tensor):
            if tuple(out.shape) != (1, N_LOGITS):
                raise PolicyFileError(explain("policy output has the wrong shape",
                                              expected=f"(1, {N_LOGITS})",
                                              got=str(tuple(out.shape))))
            return list(torch.split(out, list(NVEC), dim=1))
        heads = list(out)
        shapes = [tuple(h.shape) for h in heads]
        if shapes != [(1, n) for n in NVEC]:
            raise PolicyFileError(explain("policy heads have the wrong shapes",
                                          expected=str([(1, n) for n in NVEC]), got=str(shapes)))
        return heads

    def act(self, obs: np.ndarray) -> np.ndarray:
        torch = self._torch
        arr = np.asarray(obs)
        if arr.shape != OBS_SHAPE or arr.dtype != np.uint8:
            raise PolicyError(explain("bad observation for the policy",
                                      expected=f"uint8 {OBS_SHAPE}",
                                      got=f"{arr.dtype} {arr.shape}"))
        with torch.inference_mode():
            x = torch.from_numpy(np.ascontiguousarray(arr))[None].to(self._device)
            heads = self._heads(self._module(x))
            if self._sample:
                picks = [torch.multinomial(torch.softmax(h.float().cpu(), dim=1), 1,
                                           generator=self._gen)[0, 0] for h in heads]
            else:
                picks = [h[0].argmax() for h in heads]
        return np.array([int(p) for p in picks], dtype=np.int64)


def load_policy(spec: str, *, seed: int | None = None, sample: bool = False) -> Policy:
    """``"random"`` -> :class:`RandomPolicy`; a ``.pt2`` path -> :class:`ExportedPolicy`."""
    if spec == "random":
        return RandomPolicy(seed)
    path = Path(spec).expanduser()
    if not path.is_file():
        raise PolicyFileError(explain("unknown policy", expected="'random' or a .pt2 file",
                                      got=repr(spec), fix="pass --policy random or a file path"))
    return ExportedPolicy(path, sample=sample, seed=seed)
