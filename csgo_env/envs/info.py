"""The ``info`` dict of ``CSGO-Deathmatch-v0``, typed."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from csgo_env.game.memory.pose import Pose


class StepInfo(TypedDict):
    """What ``reset`` and ``step`` return beside the observation.

    ``pose`` comes from process memory (``None`` when no offsets were given or the read
    failed — ``pose_error`` then says why); ``health`` (0..100) and ``ammo`` (rounds in the
    active weapon's clip, ``None`` without an active weapon) come from the latest GSI
    payload of the own player. ``kills``/``deaths`` are cumulative this episode (suicides
    count as deaths). ``step_kills``/``step_deaths``/``step_shot`` are the reward inputs of
    this step; ``step_suicides`` is how many of ``step_deaths`` were suicides.
    ``tick_lateness_s`` is how late the step's wait for its tick returned (seconds after
    the deadline, >= 0) and ``overrun`` whether the previous step's work took longer than a
    tick. ``gsi_age_s`` is
    the age of the latest GSI payload (seconds; ``None`` before the first one).
    ``replay_frame`` is the recording frame shown (replay game only, else ``None``; in the
    arena, the arena's tick). ``paced``: the step waited for the 16 Hz clock (False only in
    the arena's unpaced mode, where ``tick_lateness_s`` is 0 and time is game time).
    """

    pose: Pose | None
    pose_error: str | None
    health: int | None
    ammo: int | None
    kills: int
    deaths: int
    step_kills: int
    step_deaths: int
    step_suicides: int
    step_shot: bool
    tick_lateness_s: float
    overrun: bool
    gsi_age_s: float | None
    replay_frame: int | None
    paced: bool
