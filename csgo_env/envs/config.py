"""Arguments of ``CSGO-Deathmatch-v0``: one frozen dataclass, validated before anything starts.

:func:`validate_config` turns the keyword arguments of :class:`~csgo_env.envs.deathmatch.
DeathmatchEnv` into an :class:`EnvConfig` or raises :class:`~csgo_env.errors.EnvConfigError`
(expected / got / fix). It only looks at values and at the file system (offsets and
recording paths); it opens no socket, starts no thread and launches no process, so a bad
argument leaves nothing behind.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from csgo_env.errors import ArgumentError, EnvConfigError, explain
from csgo_env.game.input.console import check_commands
from csgo_env.game.profiles import PROFILES
from csgo_env.observations import CROP, OBS_SIZE, WINDOW_SIZE
from csgo_env.rewards import DEFAULT_REWARD, RewardSpec

GAMES: tuple[str, ...] = ("csgo", "cs2", "replay")
"""Values of the ``game`` argument."""

DEFAULT_GSI_PORT = 3000
"""Port of the GSI cfg that ``csgo-env gsi-config`` writes for the real games."""


@dataclass(frozen=True)
class EnvConfig:
    """Validated arguments of the environment (see the env docstring for each one).

    Paths are absolute. ``gsi_port`` is resolved: ``0`` (an ephemeral port) only for the
    replay game. ``replay_recordings`` is empty unless ``game == "replay"``; an empty tuple
    there means "generate a synthetic sample recording".
    """

    game: str = "csgo"
    reward: RewardSpec = DEFAULT_REWARD
    fps: float = 16.0
    terminate_on_death: bool = False
    window_size: tuple[int, int] = WINDOW_SIZE
    crop: tuple[int, int, int, int] = CROP
    capture_backend: str = "auto"
    window_backend: str = "auto"
    input_backend: str = "auto"
    memory_backend: str = "auto"
    gsi_host: str = "127.0.0.1"
    gsi_port: int = DEFAULT_GSI_PORT
    gsi_token: str | None = None
    offsets_path: Path | None = None
    read_pose: bool = True
    split_mouse: bool = True
    replay_recordings: tuple[Path, ...] = ()
    replay_start_frame: int = 0
    replay_input_log: Path | None = None
    replay_args: tuple[str, ...] = ()
    setup_console: tuple[str, ...] = ()
    reset_timeout_s: float = 30.0
    startup_timeout_s: float = 20.0
    step_timeout_s: float = 5.0
    render_mode: str | None = None


def _fail(problem: str, expected: str, got: object, fix: str) -> EnvConfigError:
    return EnvConfigError(explain(problem, expected=expected, got=repr(got), fix=fix))


def _positive(name: str, value: object, fix: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or value <= 0:
        raise _fail(f"{name} must be a positive number", "a finite number > 0", value, fix)
    return float(value)


def _pair(name: str, value: object) -> tuple[int, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str) \
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise _fail(f"{name} must be a tuple of integers", "e.g. (1024, 768)", value,
                    f"pass {name} as a tuple of ints")
    return tuple(int(v) for v in value)


def _check_geometry(window_size: object, crop: object) -> tuple[tuple[int, int],
                                                                  tuple[int, int, int, int]]:
    size = _pair("window_size", window_size)
    box = _pair("crop", crop)
    if len(size) != 2 or min(size) <= 0:
        raise _fail("bad window_size", "(width, height) with both > 0", window_size,
                    "use the default (1024, 768)")
    if len(box) != 4:
        raise _fail("bad crop", "(left, top, right, bottom)", crop,
                    "use the default (100, 135, 924, 633)")
    left, top, right, bottom = box
    if not (0 <= left < right <= size[0] and 0 <= top < bottom <= size[1]):
        raise _fail("crop does not fit inside the window",
                    f"0 <= left < right <= {size[0]} and 0 <= top < bottom <= {size[1]}",
                    crop, "crop inside the client area, e.g. (100, 135, 924, 633) at 1024x768")
    return (size[0], size[1]), (left, top, right, bottom)


def _check_replay_crop(crop: tuple[int, int, int, int]) -> None:
    from csgo_env.standin.screen import exact_index_maps

    left, top, right, bottom = crop
    exact_index_maps((right - left, bottom - top), OBS_SIZE)  # EnvConfigError when too small


def _check_backend(name: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise _fail(f"{name} must be a backend name", "a non-empty string such as 'auto'",
                    value, f"pass {name}='auto'")
    return value


def _existing_file(name: str, value: object) -> Path:
    if not isinstance(value, (str, Path)):
        raise _fail(f"{name} must be a path", "a str or pathlib.Path", value, "pass a path")
    path = Path(value).expanduser().resolve()
    if not path.is_file():
        raise _fail(f"{name} does not exist", "an existing file", str(path),
                    "check the path (offsets: dump them for your game build)")
    return path


def validate_config(**kwargs: object) -> EnvConfig:
    """Validate the env's keyword arguments and return the :class:`EnvConfig`.

    Raises :class:`EnvConfigError` naming the argument, what was expected, what was got and
    the fix. Unknown keyword arguments are an error as well (a typo must not be ignored).
    """
    try:
        return _validate(kwargs)
    except ArgumentError as exc:  # a helper's own argument error, reported as the env's
        if isinstance(exc, EnvConfigError):
            raise
        raise EnvConfigError(str(exc)) from exc


def _validate(kwargs: dict[str, object]) -> EnvConfig:
    known = set(EnvConfig.__dataclass_fields__)
    unknown = sorted(set(kwargs) - known)
    if unknown:
        raise _fail("unknown argument(s) to CSGO-Deathmatch-v0", f"names from {sorted(known)}",
                    unknown, "check the spelling against the env docstring")
    v: dict[str, object] = {**{f: getattr(EnvConfig, f) for f in known},
                            "gsi_port": None, **kwargs}

    game = v["game"]
    if game not in GAMES or game not in PROFILES:
        raise _fail("unknown game", f"one of {list(GAMES)}", game,
                    "use game='csgo' (csgo_legacy), 'cs2', or 'replay' for the CI stand-in")
    reward = v["reward"]
    if isinstance(reward, str):
        reward = RewardSpec.parse(reward)
    elif not isinstance(reward, RewardSpec):
        raise _fail("bad reward", "a RewardSpec or a string like 'kill - 0.5*death'",
                    reward, "pass reward='kill - 0.5*death - 0.02*shot'")
    fps = _positive("fps", v["fps"], "use fps=16 (the recordings' rate)")
    if fps > 1000:
        raise _fail("fps too high", "0 < fps <= 1000", fps, "use fps=16")
    window_size, crop = _check_geometry(v["window_size"], v["crop"])
    if game == "replay":
        _check_replay_crop(crop)

    port = v["gsi_port"]
    if port is None:
        port = 0 if game == "replay" else DEFAULT_GSI_PORT
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise _fail("gsi_port out of range", "an int in 0..65535", port,
                    "use the port of your GSI cfg (csgo-env gsi-config writes 3000)")
    if port == 0 and game != "replay":
        raise _fail("gsi_port=0 (ephemeral) cannot work with the real game",
                    "the fixed port written in the game's GSI cfg", port,
                    "pass gsi_port=3000 or the port given to csgo-env gsi-config")
    host = v["gsi_host"]
    if not isinstance(host, str) or not host:
        raise _fail("bad gsi_host", "a host name or IP such as '127.0.0.1'", host,
                    "keep the default '127.0.0.1' (never expose the receiver)")
    token = v["gsi_token"]
    if token is not None and (not isinstance(token, str) or not token):
        raise _fail("bad gsi_token", "None or a non-empty string", token,
                    "pass the token of your GSI cfg, or None to accept any")

    offsets = None if v["offsets_path"] is None else _existing_file("offsets_path",
                                                                     v["offsets_path"])
    recordings: tuple[Path, ...] = ()
    raw = v["replay_recordings"]
    if isinstance(raw, (str, Path)):
        raw = (raw,)
    if raw:
        if game != "replay":
            raise _fail("replay_recordings only applies to game='replay'", "game='replay'",
                        game, "drop replay_recordings or pass game='replay'")
        recordings = tuple(_existing_file("replay_recordings", p) for p in raw)  # type: ignore[union-attr]
    start = v["replay_start_frame"]
    if isinstance(start, bool) or not isinstance(start, int) or start < 0:
        raise _fail("bad replay_start_frame", "an int >= 0", start, "use 0")
    log = v["replay_input_log"]
    log = None if log is None else Path(log).expanduser().resolve()  # type: ignore[arg-type]
    if log is not None and not log.parent.is_dir():
        raise _fail("replay_input_log folder does not exist", "an existing folder",
                    str(log.parent), "create the folder first")
    console = v["setup_console"]
    if isinstance(console, str):
        console = (console,)
    if not all(isinstance(c, str) for c in console):  # type: ignore[union-attr]
        raise _fail("bad setup_console", "a sequence of console command strings", console,
                    "e.g. ('bot_kick', 'bot_add_t')")
    check_commands(console)  # type: ignore[arg-type]
    render_mode = v["render_mode"]
    if render_mode not in (None, "rgb_array"):
        raise _fail("unsupported render_mode", "None or 'rgb_array'", render_mode,
                    "use render_mode='rgb_array'")
    return EnvConfig(
        game=str(game), reward=reward, fps=fps, terminate_on_death=bool(v["terminate_on_death"]),
        window_size=window_size, crop=crop,
        capture_backend=_check_backend("capture_backend", v["capture_backend"]),
        window_backend=_check_backend("window_backend", v["window_backend"]),
        input_backend=_check_backend("input_backend", v["input_backend"]),
        memory_backend=_check_backend("memory_backend", v["memory_backend"]),
        gsi_host=host, gsi_port=port, gsi_token=token, offsets_path=offsets,
        read_pose=bool(v["read_pose"]), split_mouse=bool(v["split_mouse"]),
        replay_recordings=recordings, replay_start_frame=start, replay_input_log=log,
        replay_args=tuple(str(a) for a in v["replay_args"]),  # type: ignore[union-attr]
        setup_console=tuple(console),  # type: ignore[arg-type]
        reset_timeout_s=_positive("reset_timeout_s", v["reset_timeout_s"], "use 30"),
        startup_timeout_s=_positive("startup_timeout_s", v["startup_timeout_s"], "use 20"),
        step_timeout_s=_positive("step_timeout_s", v["step_timeout_s"], "use 5"),
        render_mode=render_mode,  # type: ignore[arg-type]
    )
