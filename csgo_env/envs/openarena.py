"""``OpenArena-Deathmatch-v0``: the same env as ``CSGO-Deathmatch-v0``, on a real game that
runs on a Linux CI machine."""

from __future__ import annotations

import textwrap
from typing import Any, ClassVar

from csgo_env.envs.config import arguments_doc, env_signature
from csgo_env.envs.deathmatch import DeathmatchEnv
from csgo_env.errors import EnvConfigError, explain


def _skip(name: str) -> bool:
    """Arguments of CSGO-Deathmatch-v0 that do not apply to this env."""
    return name in ("game", "offsets_path") or name.startswith(("replay_", "gsi_"))


class OpenArenaDeathmatchEnv(DeathmatchEnv):
    """OpenArena free-for-all against bots from pixels, with the CS:GO env's keyboard and
    mouse actions: the Linux proving ground of the live stack.

    ## Description

    The same environment as ``CSGO-Deathmatch-v0`` (same observation space, action space,
    reward spec, info and episode rules), played in OpenArena 0.8.8 (ioquake3 engine): a
    real game that nobody here wrote and that runs on a Linux machine without a GPU (Mesa
    software OpenGL) under Xvfb. It is the honest test of the capture, input, event and
    timing path that the Counter-Strike env uses but CI cannot run.

    Each env starts its own match: a dedicated server on 127.0.0.1 (free UDP ports, map
    ``openarena_map``, ``openarena_bots`` bots of skill ``openarena_bot_skill``, no frag
    or time limit, respawn forced after 1 s) and a client in a window of ``window_size``
    on the current ``DISPLAY``, each with a fresh home folder (no saved setting leaks in
    or out). Both run in their own process group, are killed by the kernel when this
    process dies (``PR_SET_PDEATHSIG``, SIGKILL included), at interpreter exit and by
    ``close()``. Install the game with ``scripts/setup_openarena.sh`` (Debian packages
    ``openarena``, ``openarena-server``, ``libgl1-mesa-dri``).

    ## Action Space

    ``MultiDiscrete([2]*13 + [23, 15])``, the CS:GO env's (:mod:`csgo_env.actions`), sent
    with the same X11 backend (XTest) and bound to OpenArena commands in the client's own
    config (:data:`csgo_env.game.openarena.commands.KEY_BINDS`):

    ==========  ===================================================================
    action      in OpenArena
    ==========  ===================================================================
    w a s d     ``+forward`` ``+moveleft`` ``+back`` ``+moveright``
    space       ``+moveup`` (jump)
    ctrl        ``+movedown`` (crouch)
    shift       ``+speed`` (walk, with ``cl_run 1``)
    1           the best held of shotgun, grenade launcher, plasma gun, lightning gun,
                rocket launcher, railgun
    2           machine gun (the spawn weapon)
    3           gauntlet
    r           **no-op**: the game's weapons have no magazines (left unbound)
    fire        ``+attack``
    scope       ``+zoom``
    mouse_x/y   the same counts, at ``sensitivity 2.5`` and ``m_yaw``/``m_pitch``
                0.022 degrees per count (no acceleration, no filtering): a mouse bin
                turns the view by the angle it does in the recordings (+x turns right,
                +y looks down)
    ==========  ===================================================================

    ## Observation Space

    ``Box(0, 255, (150, 280, 3), uint8)``, RGB: the crop ``(100, 135, 924, 633)`` of the
    client's 1024x768 window (``r_mode -1``, ``r_customwidth``/``r_customheight``) resized
    to 280x150 with OpenCV INTER_LINEAR, grabbed with mss as for Counter-Strike. The HUD's
    health and ammunition counters lie below the crop.

    ## Rewards

    The CS:GO env's :class:`~csgo_env.rewards.RewardSpec` (default
    ``kill - 0.5*death - 0.02*shot``). Kills and deaths are the own client's ``Kill:`` lines
    of the server's game log (a suicide, by the player itself or by the world, is a death,
    as in Counter-Strike), attributed by slot number: the slot the client reports in its
    memory, confirmed by the log's userinfo carrying this run's unique player name and
    then followed by its ``cl_guid``; never by a name another player could take.

    ## Starting State

    ``reset`` releases every key, waits until the client shows the own player alive and
    drops the events seen so far. The match goes on between episodes.

    ## Episode End

    As ``CSGO-Deathmatch-v0``: ``terminated`` only on a death with
    ``terminate_on_death=True``; ``truncated`` after ``max_episode_steps=1000``.

    ## Info

    :class:`~csgo_env.envs.info.StepInfo`. ``pose`` comes from the client's memory (its
    predicted player state, updated every rendered frame): ``position`` the player's
    origin (world units; 24 above the feet), ``velocity`` units/s, ``pitch_deg`` (positive
    looks down) and ``yaw_deg`` (counter-clockwise from +x, in [-180, 180)), ``health``,
    ``clip_ammo`` the active weapon's ammunition (-1: unlimited), ``fov`` ``None``.
    ``health``/``ammo`` come from the same read; ``gsi_age_s`` and ``replay_frame`` are
    ``None``.

    ## Timing

    {timing}

    ## Arguments

    ``gym.make("OpenArena-Deathmatch-v0", ...)``; every argument is keyword-only (the
    ``openarena_*`` ones are this env's; ``game``, ``gsi_*``, ``offsets_path`` and
    ``replay_*`` do not apply):

{arguments}

    Every argument is checked before anything starts; a bad one raises
    :class:`~csgo_env.errors.EnvConfigError` (expected / got / fix).

    ## Version History

    - v0: first version.
    """

    env_id: ClassVar[str] = "OpenArena-Deathmatch-v0"

    def __init__(self, **kwargs: Any) -> None:
        game = kwargs.pop("game", "openarena")
        if game != "openarena":
            raise EnvConfigError(explain(
                "OpenArena-Deathmatch-v0 plays OpenArena only", expected="game='openarena' "
                "or no game argument", got=repr(game),
                fix="use CSGO-Deathmatch-v0 for the other games"))
        for name in kwargs:
            if _skip(name):
                raise EnvConfigError(explain(
                    f"{name} does not apply to OpenArena-Deathmatch-v0",
                    expected="the arguments listed in the env's docstring", got=repr(name),
                    fix=f"drop {name}"))
        super().__init__(game="openarena", **kwargs)


TIMING = """\
``scripts/bench_openarena.py`` measures the tick, the frame rate and the pose channel on the
real game beside the replay game. On a 2-core machine shared with other jobs (load average
6.5-8.5), ``oa_dm1`` with 3 bots, 1024x768, software OpenGL, 320 steps at 16 Hz per run:
p99 tick lateness 0.00-2.1 ms with at most one overrun per run (the replay game beside it:
17-67 ms), the client at 26-29 rendered frames per second (``com_maxfps`` 30 or 60;
:data:`~csgo_env.game.openarena.commands.FAST_RENDERING` on), about a third of a core for
the client and 2-3% for the server, the pose read from memory in well under a millisecond
and changing with every rendered frame, a mouse move showing in the pose after 16-29 ms
(median). Rerun the script on your machine."""

OpenArenaDeathmatchEnv.__doc__ = (OpenArenaDeathmatchEnv.__doc__ or "").replace(
    "{arguments}", textwrap.indent(arguments_doc(_skip), "    ")).replace(
    "{timing}", textwrap.indent(TIMING, "    ").lstrip())
OpenArenaDeathmatchEnv.__init__.__dict__["__signature__"] = env_signature(None, _skip)
