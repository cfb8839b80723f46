"""OpenArena's view and movement constants, as facts, and the inference settings they give.

Facts (ioquake3 source, github.com/ioquake/ioq3, read for the numbers only):

- ``code/client/cl_main.c``: ``sensitivity`` defaults to 5, ``m_yaw`` and ``m_pitch`` to
  0.022 degrees per mouse count (per unit of sensitivity), ``cl_run`` 1 (walking with
  ``+speed`` held halves the command's move speed).
- ``code/game/bg_pmove.c``: ``pm_accelerate`` 10, ``pm_airaccelerate`` 1, ``pm_friction``
  6, ``pm_stopspeed`` 100, ``JUMP_VELOCITY`` 270 units/s; ``code/game/g_main.c``:
  ``g_speed`` 320 units/s; ``code/game/bg_public.h``: ``DEFAULT_VIEWHEIGHT`` 26,
  ``CROUCH_VIEWHEIGHT`` 12 units above the origin.

The env plays at ``sensitivity 2.5`` (:mod:`csgo_env.game.openarena.commands`), so a mouse
bin turns the view by the same angle as in the recordings; inferred counts use the same
scale, so an inferred action replayed into the env turns the view as the bot turned.
"""

from __future__ import annotations

from dataclasses import dataclass

from csgo_env.actions import M_YAW_DEG, SENSITIVITY
from csgo_env.datasets.pearce.infer_rules import InferenceSettings


@dataclass(frozen=True)
class OpenArenaConstants:
    """ioquake3 / OpenArena constants (units: world units, seconds, degrees)."""

    m_yaw: float = M_YAW_DEG
    m_pitch: float = M_YAW_DEG
    sensitivity: float = SENSITIVITY
    default_sensitivity: float = 5.0
    pm_accelerate: float = 10.0
    pm_friction: float = 6.0
    pm_stopspeed: float = 100.0
    g_speed: float = 320.0
    jump_velocity: float = 270.0
    view_height: float = 26.0
    crouch_view_height: float = 12.0

    def friction_loss_per_frame(self, speed: float, frame_s: float = 1.0 / 16.0) -> float:
        """Speed (units/s) ground friction takes in one frame from ``speed`` with no keys
        held: ``max(speed, pm_stopspeed) * pm_friction * frame_s``, at most ``speed``."""
        return min(speed, max(speed, self.pm_stopspeed) * self.pm_friction * frame_s)

    @property
    def walk_speed(self) -> float:
        """Top speed with ``+speed`` held (``cl_run 1``): half of ``g_speed``, 160."""
        return self.g_speed / 2.0

    def inference_settings(self) -> InferenceSettings:
        """The authors' rules with OpenArena's numbers where they differ from CS:GO's.

        Mouse scale from ``m_yaw``/``m_pitch`` x ``sensitivity``; ``shift`` (walk) below
        ``walk_speed`` (a little under 160, since walking tops out there); crouched when
        the view height is between 0.1 and half way from crouched to standing (19).
        The steady band differs: in CS:GO a speed change under 7 units/s per frame means
        keys held; here ground friction (pm_friction 6, applied to the speed above
        pm_stopspeed) takes ``friction * 1/16 s * walk_speed`` = 60 units/s per frame from
        a player at walking speed or faster who lets go, so any smaller loss (a bot
        turning a corner with its keys held loses 10-50) means keys are still held:
        ``steady_dv`` = 60. Braking (< -70) and the jump rise (150 < 270) are kept.
        """
        crouch_top = (self.view_height + self.crouch_view_height) / 2.0
        return InferenceSettings(
            steady_dv=self.friction_loss_per_frame(self.walk_speed),
            sensitivity=self.sensitivity, m_yaw=self.m_yaw, m_pitch=self.m_pitch,
            walk_speed=self.walk_speed - 10.0, awp_scoped_walk_speed=self.walk_speed - 10.0,
            crouch_height=(0.1, crouch_top))


OPENARENA = OpenArenaConstants()
"""The constants of the Debian openarena 0.8.8 game as the env configures it."""

__all__ = ["OPENARENA", "OpenArenaConstants"]
