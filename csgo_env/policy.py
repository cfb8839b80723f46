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
  that order. The action is chosen by a sampling mode (below). Export a model with
  ``torch.export.save(torch.export.export(model, (torch.zeros(1, 150, 280, 3,
  dtype=torch.uint8),)), "policy.pt2")``.

Policy files exported from training checkpoints (:mod:`csgo_env.baselines.export`) carry a
JSON description (``extra_files["csgo_env_policy.json"]``: :data:`POLICY_META_KEY`) naming
their frame stack k, recurrent state size G and default sampling mode. Such a program also
takes the k - 1 previous frames, uint8 (1, k-1, 150, 280, 3) (when k > 1), and the
recurrent state, float32 (1, G) (when G > 0), and returns them updated after the logits;
:class:`ExportedPolicy` keeps them across steps and clears them on ``reset()`` (the first
observation after a reset fills the frame history).

Sampling modes (:class:`ActionSelector`, NumPy only; ``sampling=`` of :func:`load_policy`,
default the file's own mode, else ``greedy``, or ``sample`` with ``sample=True``):

- ``greedy``: the argmax of every head.
- ``sample``: every head drawn from its softmax.
- ``authors``: the dataset authors' play-time rule for their agent (Pearce & Zhu; see
  ``reference/pearce_dataset.md`` section 6): movement, crouch, walk and weapon keys on
  when their probability exceeds 0.5; jump, reload, fire and scope drawn from their
  probabilities; mouse x and y the argmax bin, drawn from their softmax instead once the
  greedy action has been idle (no w/a/s/d and no mouse move) for more than 8 steps in a
  row; mouse x limited to the +-300 count bins. Their expert-specific x5 jump boost is
  not applied.

Logits are a float array of shape (64,) in :data:`csgo_env.actions.NVEC` order (13 binary
heads of 2 logits — off, on — then 23 mouse-x and 15 mouse-y bins); actions are int64 (15,).
"""

from __future__ import annotations

import itertools
import json
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from csgo_env._optional import require
from csgo_env.actions import (
    FIRE_INDEX,
    KEY_NAMES,
    MOUSE_X_BINS,
    MOUSE_X_ZERO_BIN,
    MOUSE_Y_ZERO_BIN,
    N_BINARY,
    NVEC,
    action_space,
)
from csgo_env.errors import PolicyError, PolicyFileError, explain
from csgo_env.observations import OBS_SHAPE

N_LOGITS = int(sum(NVEC))  # 64
POLICY_META_KEY = "csgo_env_policy.json"
POLICY_FORMAT = "csgo_env.policy/2"


SAMPLING_MODES = ("authors", "sample", "greedy")
IDLE_STEPS = 8
"""Greedy-idle steps after which the authors' rule samples the mouse."""
_BOUNDS = np.cumsum((0, *NVEC))
_K = {name: i for i, name in enumerate(KEY_NAMES)}
_SAMPLED = (_K["space"], _K["r"], N_BINARY - 2, N_BINARY - 1)  # jump, reload, fire, scope
_MOVE = [_K[k] for k in "wasd"]
_X_LIMIT = (int(np.flatnonzero(MOUSE_X_BINS == -300)[0]),
            int(np.flatnonzero(MOUSE_X_BINS == 300)[0]))


def head_probabilities(logits: np.ndarray) -> list[np.ndarray]:
    """Softmax of each of the 15 heads: a list of float64 arrays of sizes NVEC."""
    z = np.asarray(logits, dtype=np.float64)
    if z.shape != (int(_BOUNDS[-1]),) or not np.all(np.isfinite(z)):
        raise PolicyError(explain("policy logits have the wrong shape or are not finite",
                                  expected=f"({_BOUNDS[-1]},) finite", got=str(z.shape)))
    out = []
    for lo, hi in itertools.pairwise(_BOUNDS):
        e = np.exp(z[lo:hi] - z[lo:hi].max())
        out.append(e / e.sum())
    return out


class ActionSelector:
    """Stateful chooser of actions from logits in one of :data:`SAMPLING_MODES`."""

    def __init__(self, mode: str = "authors", seed: int | None = None) -> None:
        if mode not in SAMPLING_MODES:
            raise PolicyError(explain("unknown sampling mode", expected=str(SAMPLING_MODES),
                                      got=repr(mode), fix="pass --sampling authors, sample "
                                      "or greedy"))
        self.mode = mode
        self._rng = np.random.default_rng(seed)
        self.idle = 0

    def reset(self) -> None:
        """Start of an episode: the idle count starts again (the generator continues)."""
        self.idle = 0

    def _draw(self, p: np.ndarray) -> int:
        return int(self._rng.choice(len(p), p=p))

    def __call__(self, logits: np.ndarray) -> np.ndarray:
        probs = head_probabilities(logits)
        greedy = np.array([int(np.argmax(p)) for p in probs], dtype=np.int64)
        if self.mode == "greedy":
            return greedy
        if self.mode == "sample":
            return np.array([self._draw(p) for p in probs], dtype=np.int64)
        action = greedy.copy()
        for i in _SAMPLED:
            action[i] = int(self._rng.random() < probs[i][1])
        still = (not action[_MOVE].any() and action[N_BINARY] == MOUSE_X_ZERO_BIN
                 and action[N_BINARY + 1] == MOUSE_Y_ZERO_BIN)
        self.idle = self.idle + 1 if still else 0
        if self.idle > IDLE_STEPS:
            action[N_BINARY] = self._draw(probs[N_BINARY])
            action[N_BINARY + 1] = self._draw(probs[N_BINARY + 1])
        action[N_BINARY] = int(np.clip(action[N_BINARY], *_X_LIMIT))
        return action


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


@contextmanager
def _torch_logs_captured() -> Iterator[list[str]]:
    """Inside the block torch's log records and warnings are collected (as text lines in
    the yielded list) instead of printed: a bad file then yields one clean error, not
    torch's own traceback in the log."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.extend(self.format(record).splitlines())

    handler = Collect()
    loggers = [logger for name, logger in list(logging.Logger.manager.loggerDict.items())
               if isinstance(logger, logging.Logger) and logger.handlers
               and (name == "torch" or name.startswith("torch."))]
    muted = {id(h): (h, h.level) for lg in loggers for h in lg.handlers}
    for lg in loggers:
        lg.addHandler(handler)
    for h, _ in muted.values():
        h.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield lines
        lines.extend(str(w.message) for w in caught)
    finally:
        for h, level in muted.values():
            h.setLevel(level)
        for lg in loggers:
            lg.removeHandler(handler)


def _root_cause(exc: BaseException, logged: list[str]) -> str:
    """The most specific reason torch gave: the last exception line it logged, else the
    exception itself (its first sentence, at most 200 characters)."""
    causes = [line.strip() for line in logged if line.strip()
              and line.split(":", 1)[0].strip().endswith(("Error", "Exception"))]
    text = causes[-1] if causes else f"{type(exc).__name__}: {exc}"
    return " ".join(text.split()).split(". ")[0].rstrip(".")[:200]


class ExportedPolicy:
    """An exported program mapping (1, 150, 280, 3) uint8 to per-head logits (module doc).

    ``sampling`` picks the mode (None: the file's default, else ``sample`` when ``sample``
    is set and ``greedy`` otherwise).
    """

    def __init__(self, path: str | Path, *, sample: bool = False, seed: int | None = None,
                 device: str = "cpu", sampling: str | None = None) -> None:
        torch = require("torch", extra="train", purpose="loading an exported policy")
        self._torch = torch
        self.path = Path(path)
        if self.path.suffix != ".pt2":
            raise PolicyFileError(explain(
                "policy files are exported PyTorch programs", expected="a .pt2 file",
                got=str(self.path), fix="save the model with torch.export.save(program, "
                "'policy.pt2') (see csgo_env.policy)"))
        extra = {POLICY_META_KEY: ""}
        with _torch_logs_captured() as logged:
            try:
                program = torch.export.load(str(self.path), extra_files=extra)
                self._module = program.module().to(device)
            except Exception as exc:  # torch raises RuntimeError/ValueError for bad files
                raise PolicyFileError(explain(
                    "the file is not an exported policy", expected="a torch.export .pt2 "
                    "archive", got=f"{self.path}: {_root_cause(exc, logged)}",
                    fix="export the model again with torch.export.save (see "
                        "csgo_env.policy)")) from None
        self.meta: dict[str, Any] = json.loads(extra[POLICY_META_KEY] or "{}")
        if self.meta and self.meta.get("format") != POLICY_FORMAT:
            raise PolicyFileError(explain("policy file of an unknown format",
                                          expected=POLICY_FORMAT, got=repr(self.meta.get("format")),
                                          fix="export it again with csgo-env export-policy"))
        self.frame_stack = int(self.meta.get("frame_stack", 1))
        self.state_size = int(self.meta.get("state_size", 0))
        mode = sampling or ("sample" if sample else self.meta.get("sampling", "greedy"))
        self._selector = ActionSelector(mode, seed if seed is not None else 0)
        self.sampling = mode
        self._device = device
        self._frames: Any = None
        self._hidden: Any = None

    def reset(self) -> None:
        """Forget the frame history and the recurrent state (start of an episode)."""
        self._frames = self._hidden = None
        self._selector.reset()

    def _heads(self, out: Any) -> Any:
        torch = self._torch
        if isinstance(out, torch.Tensor):
            if tuple(out.shape) != (1, N_LOGITS):
                raise PolicyFileError(explain("policy output has the wrong shape",
                                              expected=f"(1, {N_LOGITS})",
                                              got=str(tuple(out.shape))))
            return out[0]
        heads = list(out)
        shapes = [tuple(h.shape) for h in heads]
        if shapes != [(1, n) for n in NVEC]:
            raise PolicyFileError(explain("policy heads have the wrong shapes",
                                          expected=str([(1, n) for n in NVEC]), got=str(shapes)))
        return torch.cat(heads, dim=1)[0]

    def logits(self, obs: np.ndarray) -> np.ndarray:
        """One step: observation -> the 64 head logits (float32); advances the state."""
        torch = self._torch
        arr = np.asarray(obs)
        if arr.shape != OBS_SHAPE or arr.dtype != np.uint8:
            raise PolicyError(explain("bad observation for the policy",
                                      expected=f"uint8 {OBS_SHAPE}",
                                      got=f"{arr.dtype} {arr.shape}"))
        with torch.inference_mode():
            x = torch.from_numpy(np.ascontiguousarray(arr))[None].to(self._device)
            if not self.meta:
                return self._heads(self._module(x)).float().cpu().numpy()
            inputs = [x]
            if self.frame_stack > 1:
                if self._frames is None:
                    self._frames = x[:, None].repeat(1, self.frame_stack - 1, 1, 1, 1)
                inputs.append(self._frames)
            if self.state_size:
                if self._hidden is None:
                    self._hidden = torch.zeros(1, self.state_size, device=self._device)
                inputs.append(self._hidden)
            out = list(self._module(*inputs))
            if self.frame_stack > 1:
                self._frames = out[1]
            if self.state_size:
                self._hidden = out[-1]
            return self._heads(out[0]).float().cpu().numpy()

    def act(self, obs: np.ndarray) -> np.ndarray:
        return self._selector(self.logits(obs))


def load_policy(spec: str, *, seed: int | None = None, sample: bool = False,
                sampling: str | None = None) -> Policy:
    """``"random"`` -> :class:`RandomPolicy`; a ``.pt2`` path -> :class:`ExportedPolicy`."""
    if spec == "random":
        return RandomPolicy(seed)
    path = Path(spec).expanduser()
    if not path.exists():
        raise PolicyFileError(explain(
            "policy file not found", expected="'random' or the path of an exported .pt2 file",
            got=f"{spec!r} (no such file: {path.resolve()})",
            fix="check the path, or pass --policy random"))
    if not path.is_file():
        raise PolicyFileError(explain("the policy is not a file", expected="a .pt2 file",
                                      got=f"{path} (a folder or special file)",
                                      fix="pass the .pt2 file itself"))
    return ExportedPolicy(path, sample=sample, seed=seed, sampling=sampling)
