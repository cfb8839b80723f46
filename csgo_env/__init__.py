"""csgo_env: Counter-Strike as a Gymnasium environment, and an offline-RL benchmark on the
Pearce & Zhu deathmatch recordings.

Importing the package registers ``CSGO-Deathmatch-v0`` with Gymnasium and imports nothing
heavy: no torch, mss, OpenCV, Minari or Windows modules. Those load inside the backends
that need them.
"""

from __future__ import annotations

from csgo_env.actions import Action, action_space
from csgo_env.envs.registration import register_envs

__version__ = "0.1.0"
__all__ = ["Action", "__version__", "action_space"]

register_envs()
