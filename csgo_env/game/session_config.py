"""Arguments of a live game session, declared once: each field carries its doc and its check.

:class:`SessionConfig` lists what a :class:`~csgo_env.game.session.GameSession` needs; the
environment's :class:`~csgo_env.envs.config.EnvConfig` extends it with its own fields. Every
field is declared with :func:`arg` (default, one-line doc, check); :func:`validate_fields`
runs the checks of every field of a config class over keyword arguments, and
:func:`arguments_doc` writes the spec sheet's argument list from the same fields. The
per-profile rules (which port, which options only the stand-in takes) are the launcher's
(:meth:`csgo_env.game.launch.Launcher.check`).

Checks only look at values and at the file system; they open no socket, start no thread and
launch no process. A bad value raises :class:`~csgo_env.errors.ArgumentError` (expected /
got / fix).
"""

from __future__ import annotations

import dataclasses
import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from csgo_env.errors import ArgumentError, explain
from csgo_env.observations import CROP, WINDOW_SIZE

Check = Callable[[str, Any], Any]
"""``check(name, value) -> normalised value``; raises ArgumentError for a bad value."""

C = TypeVar("C")


def arg(default: Any, doc: str, check: Check, *, shown: str | None = None) -> Any:
    """A config field: its default, its doc for the spec sheet (``shown``: how the default
    is written there, else its repr) and its check."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("use an immutable default")
    return field(default=default, metadata={"doc": doc, "check": check,
                                            "shown": shown or repr(default)})


def fail(problem: str, expected: str, got: object, fix: str) -> ArgumentError:
    """An :class:`ArgumentError` with ``repr(got)``."""
    return ArgumentError(explain(problem, expected=expected, got=repr(got), fix=fix))


# --- checks ----------------------------------------------------------------------------

def positive(fix: str, *, most: float | None = None) -> Check:
    def check(name: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or value <= 0:
            raise fail(f"{name} must be a positive number", "a finite number > 0", value, fix)
        if most is not None and value > most:
            raise fail(f"{name} too high", f"0 < {name} <= {most:g}", value, fix)
        return float(value)
    return check


def flag(name: str, value: Any) -> bool:
    return bool(value)


def strict_flag(name: str, value: Any) -> bool:
    """A real bool (a truthy string such as ``"no"`` is refused)."""
    if not isinstance(value, bool):
        raise fail(f"{name} must be True or False", "a bool", value, f"pass {name}=True")
    return value


def non_negative_int(fix: str) -> Check:
    def check(name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise fail(f"bad {name}", "an int >= 0", value, fix)
        return value
    return check


def int_tuple(n: int, example: tuple[int, ...]) -> Check:
    def check(name: str, value: Any) -> tuple[int, ...]:
        if not isinstance(value, Sequence) or isinstance(value, str) \
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise fail(f"{name} must be a tuple of integers", f"e.g. {example}", value,
                       f"pass {name} as a tuple of ints")
        if len(value) != n or (n == 2 and min(value) <= 0):
            what = "(width, height) with both > 0" if n == 2 else "(left, top, right, bottom)"
            raise fail(f"bad {name}", what, value, f"use the default {example}")
        return tuple(int(v) for v in value)
    return check


def text(example: str, fix: str, *, optional: bool = False) -> Check:
    expected = ("None or a non-empty string" if optional
                else f"a non-empty string such as {example!r}")

    def check(name: str, value: Any) -> str | None:
        if optional and value is None:
            return None
        if not isinstance(value, str) or not value:
            raise fail(f"bad {name}", expected, value, fix)
        return value
    return check


def name_in(resolve: Callable[[str], str], fix: str) -> Check:
    """A backend name: a non-empty string that ``resolve`` accepts (kept as given)."""
    def check(name: str, value: Any) -> str:
        if not isinstance(value, str) or not value:
            raise fail(f"{name} must be a backend name", "a non-empty string such as 'auto'",
                       value, f"pass {name}='auto'")
        resolve(value)
        return value
    return check


def existing_file(name: str, value: Any) -> Path:
    if not isinstance(value, (str, Path)):
        raise fail(f"{name} must be a path", "a str or pathlib.Path", value, "pass a path")
    path = Path(value).expanduser().resolve()
    if not path.is_file():
        raise fail(f"{name} does not exist", "an existing file", str(path),
                   "check the path (offsets: dump them for your game build)")
    return path


def optional(check: Check) -> Check:
    def wrapped(name: str, value: Any) -> Any:
        return None if value is None else check(name, value)
    return wrapped


def paths(name: str, value: Any) -> tuple[Path, ...]:
    """Absolute paths (existence is the launcher's check: only some profiles use them)."""
    items = (value,) if isinstance(value, (str, Path)) else tuple(value or ())
    if not all(isinstance(p, (str, Path)) for p in items):
        raise fail(f"{name} must be paths", "a sequence of str or pathlib.Path", value,
                   "pass file paths")
    return tuple(Path(p).expanduser().resolve() for p in items)


def new_file_in_folder(name: str, value: Any) -> Path:
    if not isinstance(value, (str, Path)):
        raise fail(f"{name} must be a path", "a str or pathlib.Path", value, "pass a path")
    path = Path(value).expanduser().resolve()
    if not path.parent.is_dir():
        raise fail(f"{name} folder does not exist", "an existing folder", str(path.parent),
                   "create the folder first")
    return path


def strings(example: str) -> Check:
    def check(name: str, value: Any) -> tuple[str, ...]:
        items = (value,) if isinstance(value, str) else value
        if not isinstance(items, Sequence) or not all(isinstance(c, str) for c in items):
            raise fail(f"bad {name}", "a sequence of strings", value, f"e.g. {example}")
        return tuple(items)
    return check


def port_or_default(name: str, value: Any) -> int | None:
    if value is None:
        return None  # the launcher picks the profile's default
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise fail(f"{name} out of range", "an int in 0..65535", value,
                   "use the port of your GSI cfg (csgo-env gsi-config writes 3000)")
    return value


def int_in(low: int, high: int, fix: str) -> Check:
    def check(name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise fail(f"bad {name}", f"an int in {low}..{high}", value, fix)
        return value
    return check


def number_in(low: float, high: float, fix: str) -> Check:
    def check(name: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not low <= value <= high:
            raise fail(f"bad {name}", f"a number in {low:g}..{high:g}", value, fix)
        return float(value)
    return check


def map_name(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value or \
            not all(c.isascii() and (c.isalnum() or c in "_-") for c in value):
        raise fail(f"bad {name}", "a map name such as 'oa_dm1' (letters, digits, _ and -)",
                   value, "pass the name of a map in the game's pk3 files, e.g. 'oa_dm1'")
    return value


def known_game(name: str, value: Any) -> str:
    from csgo_env.game.launch import LAUNCHERS

    if value not in LAUNCHERS:
        raise fail("unknown game", f"one of {list(LAUNCHERS)}", value,
                   "use game='csgo' (csgo_legacy), 'cs2', 'replay' / 'arena' for the CI "
                   "stand-in, or 'openarena' for a local OpenArena match")
    return str(value)


def console_commands(name: str, value: Any) -> tuple[str, ...]:
    from csgo_env.game.input.console import check_commands

    commands = strings("('bot_kick', 'bot_add_t')")(name, value)
    check_commands(commands)
    return commands


def _window_backend(name: str) -> str:
    from csgo_env.game.screen.windows import resolve_backend_name

    return resolve_backend_name(name)


def _input_backend(name: str) -> str:
    from csgo_env.game.input.backends import resolve_input_backend_name

    return resolve_input_backend_name(name)


def _memory_backend(name: str) -> str:
    from csgo_env.game.memory.readers import check_backend_name

    return check_backend_name(name)


# --- the session's fields -------------------------------------------------------------

@dataclass(frozen=True)
class SessionConfig:
    """Validated arguments of a live session (paths absolute; see each field's doc).

    Build it with :func:`validate_session_config`; ``gsi_port`` is then resolved (``0``,
    an ephemeral port, only where the profile allows it).
    """

    game: str = arg("csgo", "``\"csgo\"`` (csgo_legacy), ``\"cs2\"``, ``\"replay\"`` (the "
                    "stand-in game, started by the session, playing a recording), "
                    "``\"arena\"`` (the stand-in game's closed-loop arena, synthetic) or "
                    "``\"openarena\"`` (a local OpenArena match, started by the session)",
                    known_game)
    fps: float = arg(16.0, "steps per second (the recordings' rate)",
                     positive("use fps=16 (the recordings' rate)", most=1000))
    paced: bool = arg(True, "wait for the ``fps`` clock at every step; ``False`` (arena "
                      "only, the one game that waits for each step) runs each step as soon "
                      "as its frame is shown: game time, faster than real time",
                      strict_flag)
    window_size: tuple[int, int] = arg(WINDOW_SIZE, "client-area size (width, height) the "
                                       "capture requires", int_tuple(2, WINDOW_SIZE))
    crop: tuple[int, int, int, int] = arg(CROP, "crop (left, top, right, bottom) of the "
                                          "client area, resized to the observation",
                                          int_tuple(4, CROP))
    capture_backend: str = arg("auto", "mss backend (\"auto\": mss's default)",
                               text("auto", "pass capture_backend='auto'"))
    window_backend: str = arg("auto", "window lookup backend (\"auto\": by platform)",
                              name_in(_window_backend, "pass window_backend='auto'"))
    input_backend: str = arg("auto", "input backend (\"auto\": XTest on Linux, DirectInput "
                             "on Windows)", name_in(_input_backend, "pass input_backend='auto'"))
    memory_backend: str = arg("auto", "process memory backend (\"auto\": by platform)",
                              name_in(_memory_backend, "pass memory_backend='auto'"))
    gsi_host: str = arg("127.0.0.1", "address the GSI receiver listens on",
                        text("127.0.0.1", "keep the default '127.0.0.1' (never expose the "
                                          "receiver)"))
    gsi_port: int | None = arg(None, "port of the GSI receiver (default 3000; replay: 0 = any "
                               "free port)", port_or_default)
    gsi_token: str | None = arg(None, "the GSI cfg's auth token (None accepts any; replay: a "
                                "fresh token)", text("", "pass the token of your GSI cfg, or "
                                                         "None to accept any", optional=True))
    offsets_path: Path | None = arg(None, "hazedumper ``csgo.json`` or a cs2-dumper folder's "
                                    "file; without it ``info[\"pose\"]`` is None (replay: its "
                                    "own offsets)", optional(existing_file))
    read_pose: bool = arg(True, "read position and view angles from memory", flag)
    split_mouse: bool = arg(True, "send each mouse move as two half-moves, as the dataset "
                            "authors' agent did", flag)
    replay_recordings: tuple[Path, ...] = arg((), "replay only: Pearce .hdf5 files to play "
                                              "(default: a generated synthetic one)", paths)
    replay_start_frame: int = arg(0, "replay only: the first frame shown",
                                  non_negative_int("use 0"))
    replay_input_log: Path | None = arg(None, "replay and arena: path of the stand-in's "
                                        "JSON-lines input log", optional(new_file_in_folder))
    replay_args: tuple[str, ...] = arg((), "replay and arena: extra command-line options of "
                                       "the stand-in game (e.g. ``(\"--opponents\", \"2\")`` "
                                       "in the arena)", strings("('--sensitivity', '1.0')"))
    openarena_map: str = arg("oa_dm1", "openarena only: the map", map_name)
    openarena_bots: int = arg(3, "openarena only: bots added to the match",
                              int_in(0, 15, "use 0..15 bots"))
    openarena_bot_skill: float = arg(4.0, "openarena only: the bots' skill, 1 (easiest) .. 5",
                                     number_in(1, 5, "use a skill from 1 to 5"))
    openarena_port: int | None = arg(None, "openarena only: the server's UDP port on "
                                     "127.0.0.1 (None: a free one)",
                                     optional(int_in(1024, 65535, "use None (a free port)")))
    openarena_max_fps: int = arg(60, "openarena only: the client's frame cap "
                                 "(``com_maxfps``)", int_in(10, 250, "use 30..125"))
    openarena_server_args: tuple[str, ...] = arg((), "openarena only: extra command-line "
                                                 "tokens of the dedicated server",
                                                 strings("('+set', 'g_gravity', '600')"))
    openarena_client_args: tuple[str, ...] = arg((), "openarena only: extra command-line "
                                                 "tokens of the client",
                                                 strings("('+set', 'cg_drawgun', '0')"))
    setup_console: tuple[str, ...] = arg((), "console commands typed at the first reset, e.g. "
                                         "``(\"bot_kick\", \"mp_warmup_end\")``",
                                         console_commands)
    startup_timeout_s: float = arg(20.0, "seconds allowed for the game to start or attach",
                                   positive("use 20"))
    step_timeout_s: float = arg(5.0, "seconds allowed for one step's reply from the stand-in",
                                positive("use 5"))


def validate_fields(cls: type[C], kwargs: dict[str, Any]) -> C:
    """Run every field's check of the dataclass ``cls`` over ``kwargs`` (defaults for the
    missing ones) and build it; unknown names and the geometry are checked here too."""
    fields = {f.name: f for f in dataclasses.fields(cast(Any, cls))}
    unknown = sorted(set(kwargs) - set(fields))
    if unknown:
        raise fail("unknown argument(s)", f"names from {sorted(fields)}", unknown,
                   "check the spelling against the env docstring")
    values = {name: f.metadata["check"](name, kwargs.get(name, f.default))
              for name, f in fields.items()}
    if "window_size" in values:
        _check_crop_fits(values["window_size"], values["crop"])
    return cls(**values)


def _check_crop_fits(size: tuple[int, int], crop: tuple[int, int, int, int]) -> None:
    left, top, right, bottom = crop
    if not (0 <= left < right <= size[0] and 0 <= top < bottom <= size[1]):
        raise fail("crop does not fit inside the window",
                   f"0 <= left < right <= {size[0]} and 0 <= top < bottom <= {size[1]}",
                   crop, f"crop inside the client area, e.g. {CROP} at "
                         f"{WINDOW_SIZE[0]}x{WINDOW_SIZE[1]}")


def validate_session_config(**kwargs: Any) -> SessionConfig:
    """A checked :class:`SessionConfig`, the profile's own rules applied."""
    from csgo_env.game.launch import launcher_for

    cfg = validate_fields(SessionConfig, kwargs)
    return launcher_for(cfg.game).check(cfg)


def arguments_doc(cls: type, skip: Callable[[str], bool] = lambda name: False) -> str:
    """The spec sheet's argument list: ``- ``name`` (default): doc`` per field, in order
    (fields whose name ``skip`` accepts are left out)."""
    return "\n".join(textwrap.fill(f"- ``{f.name}`` ({f.metadata['shown']}): "
                                   f"{f.metadata['doc']}.", width=88, subsequent_indent="  ")
                     for f in dataclasses.fields(cls) if not skip(f.name))
