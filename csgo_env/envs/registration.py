"""Registration of the environment ids with Gymnasium (entry points are lazy strings)."""

from __future__ import annotations

import gymnasium

ENV_IDS: tuple[str, ...] = ("CSGO-Deathmatch-v0", "OpenArena-Deathmatch-v0")


def register_envs() -> None:
    """Register every env id of the package; calling it again is a no-op."""
    if "CSGO-Deathmatch-v0" not in gymnasium.registry:
        gymnasium.register(
            id="CSGO-Deathmatch-v0",
            entry_point="csgo_env.envs.deathmatch:DeathmatchEnv",
            max_episode_steps=1000,
            nondeterministic=True,
        )
    if "OpenArena-Deathmatch-v0" not in gymnasium.registry:
        gymnasium.register(
            id="OpenArena-Deathmatch-v0",
            entry_point="csgo_env.envs.openarena:OpenArenaDeathmatchEnv",
            max_episode_steps=1000,
            nondeterministic=True,
        )
