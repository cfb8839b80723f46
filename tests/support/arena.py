"""Shared helpers of the arena tests: the env's arena settings and planning with the
in-process twin (:class:`~csgo_env.standin.arena_local.LocalArena`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from csgo_env.actions import Action
from csgo_env.standin.arena_local import LocalArena
from csgo_env.standin.arena_snapshot import ArenaSnapshot
from csgo_env.standin.arena_world import ArenaConfig, TickResult

ARENA_UNPACED: dict[str, Any] = {"game": "arena", "paced": False}
"""``gym.make`` keyword arguments of the arena, unpaced."""


@dataclass
class Plan:
    """Actions played on a fresh twin of seed ``seed`` until ``predicate`` held at step
    ``hit`` (the last action's index; -1 when it never did); ``snapshots[i]`` is the state
    before action ``i`` and ``results[i]`` what action ``i`` did."""

    seed: int
    actions: list[Action]
    results: list[TickResult]
    snapshots: list[ArenaSnapshot]
    hit: int


def plan(seed: int, choose: Callable[[LocalArena], Action],
         predicate: Callable[[TickResult], bool], max_steps: int = 2000) -> Plan:
    """Play ``choose(arena)`` on a fresh twin until ``predicate`` holds (or ``max_steps``)."""
    arena = LocalArena(ArenaConfig(seed=seed))
    out = Plan(seed, [], [], [], -1)
    for i in range(max_steps):
        out.snapshots.append(arena.snapshot())
        action = choose(arena)
        result = arena.step(action)
        out.actions.append(action)
        out.results.append(result)
        if predicate(result):
            out.hit = i
            break
    return out
