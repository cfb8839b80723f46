"""Algorithms by name: ``bc``, ``cql``, ``iql`` (each a config class and an implementation)."""

from __future__ import annotations

from csgo_env.baselines.algorithm import Algorithm
from csgo_env.baselines.bc import BC
from csgo_env.baselines.cql import CQL
from csgo_env.baselines.iql import IQL
from csgo_env.errors import TrainConfigError, explain

ALGORITHMS: dict[str, type[Algorithm]] = {cls.name: cls for cls in (BC, CQL, IQL)}


def algorithm_class(name: str) -> type[Algorithm]:
    """The implementation registered as ``name``."""
    if name not in ALGORITHMS:
        raise TrainConfigError(explain("unknown algorithm", expected=f"one of {sorted(ALGORITHMS)}",
                                       got=repr(name), fix="set algo: to bc, cql or iql"))
    return ALGORITHMS[name]
