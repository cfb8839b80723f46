"""The reward contract shared by the live env, the exported datasets and the loader.

The default is the dataset authors' own ``kill - 0.5 * death - 0.02 * shot``, so offline
returns and live returns mean the same thing. :func:`transition_rewards` is the one place
that turns a recording's kill/death flags and its actions into per-step rewards (the
alignment is :data:`REWARD_ALIGNMENT`); the Minari export and the sequence loader both use
it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from csgo_env.actions import FIRE_INDEX
from csgo_env.errors import ArgumentError, explain

_TERM = re.compile(r"\s*([+-])?\s*(?:(\d+(?:\.\d*)?|\.\d+)\s*\*?\s*)?(kill|death|shot)\s*")


@dataclass(frozen=True)
class RewardSpec:
    """Reward per step = ``kill * kills + death * deaths + shot * shots``.

    ``kills``/``deaths`` are the events counted during the step (0/1 flags in recordings);
    ``shots`` is 1 when the fire button is held for the step.
    """

    kill: float = 1.0
    death: float = -0.5
    shot: float = -0.02

    def __call__(self, kills: float | np.ndarray, deaths: float | np.ndarray,
                 shots: float | np.ndarray) -> np.ndarray:
        """Vectorised reward, float64, broadcast over the three inputs."""
        return (self.kill * np.asarray(kills, dtype=np.float64)
                + self.death * np.asarray(deaths, dtype=np.float64)
                + self.shot * np.asarray(shots, dtype=np.float64))

    def __str__(self) -> str:
        terms = []
        for name in ("kill", "death", "shot"):
            w = getattr(self, name)
            if w == 0:
                continue
            sign = "-" if w < 0 else "+"
            mag = abs(w)
            body = name if mag == 1 else f"{mag:g}*{name}"
            terms.append(f"{sign} {body}")
        text = " ".join(terms) if terms else "0"
        return text[2:] if text.startswith("+ ") else text.replace("- ", "-", 1) \
            if text.startswith("- ") else text

    @classmethod
    def parse(cls, text: str) -> RewardSpec:
        """Parse ``"kill - 0.5*death - 0.02*shot"``; terms not named get weight 0."""
        weights = {"kill": 0.0, "death": 0.0, "shot": 0.0}
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = _TERM.match(text, pos)
            if not m or m.end() == pos:
                raise ArgumentError(explain(
                    "cannot parse reward spec", expected="e.g. 'kill - 0.5*death - 0.02*shot'",
                    got=repr(text), fix="use terms kill, death, shot with numeric weights"))
            sign = -1.0 if m.group(1) == "-" else 1.0
            weights[m.group(3)] += sign * float(m.group(2) or 1.0)
            pos = m.end()
        return cls(**weights)


DEFAULT_REWARD = RewardSpec()


REWARD_ALIGNMENT = ("rewards[t] uses the kill/death flags of frame t+1 (events that arrived "
                    "after action t) and the fire key of action t; infos['kill'][t] / "
                    "infos['death'][t] are the flags of frame t")
"""How a recording's flags line up with its actions (also written into dataset metadata)."""


def transition_rewards(flags: np.ndarray, actions: np.ndarray,
                       spec: RewardSpec = DEFAULT_REWARD) -> np.ndarray:
    """Rewards of ``T`` consecutive steps of a recording, float64 of shape ``(T,)``.

    ``flags``: ``(T + 1, 2)`` ``[kill, death]`` 0/1 flags of frames ``s .. s+T`` (the
    ``helperarr`` rows); ``actions``: ``(T, 15)`` factored actions of steps ``s .. s+T-1``.
    ``rewards[t] = spec(kill=flags[t+1, 0], death=flags[t+1, 1], shot=actions[t, fire])``
    (:data:`REWARD_ALIGNMENT`).
    """
    flags = np.asarray(flags)
    actions = np.asarray(actions)
    if flags.ndim != 2 or flags.shape[1] != 2 or actions.ndim != 2 \
            or flags.shape[0] != actions.shape[0] + 1:
        raise ArgumentError(explain("flags and actions do not line up",
                                    expected="flags (T + 1, 2) and actions (T, 15)",
                                    got=f"flags {flags.shape}, actions {actions.shape}"))
    return spec(flags[1:, 0] == 1, flags[1:, 1] == 1, actions[:, FIRE_INDEX])
