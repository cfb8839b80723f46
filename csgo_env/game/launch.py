"""Per-profile launchers: attach to a running csgo / cs2, start the stand-in game or a
local OpenArena match.

Everything that differs between the profiles lives here, so no other module asks which game
it is: a :class:`Launcher` checks the profile's own rules on a config (which GSI port, which
options only one profile takes), says whether the game reports through GSI and whether the
session makes a GSI token, starts or attaches to the game (:meth:`Launcher.launch`,
returning a :class:`RunningGame`, which may bring its own event feed and pose source) and
finds a game that is already running (:meth:`Launcher.find_running`, for the doctor).

:data:`LAUNCHERS` maps each ``game`` name to its launcher; :func:`launcher_for` looks one up.
``"csgo"`` and ``"cs2"`` attach (:class:`AttachLauncher`; written for real, not executed in
this project's CI, where no game can run); ``"replay"`` starts the stand-in game
(:class:`StandinLauncher`): a child process under the current ``DISPLAY`` (on Linux
without one, a private Xvfb that lives as long as the game:
:func:`csgo_env.game.screen.xvfb.ensure_display`) that plays a recording, with its own
offsets file and a fresh token; ``"arena"`` starts the same process
in its closed-loop arena (synthetic; :class:`~csgo_env.standin.arena_running.ArenaRunning`),
the one game that waits for every step, so the only one that may run unpaced
(``paced=False``); ``"openarena"`` starts a dedicated server with bots and a client
(:class:`~csgo_env.game.openarena.launcher.OpenArenaLauncher`), whose events come from the
server's log and whose pose comes from the client's memory.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from csgo_env.errors import ArgumentError, GameNotRunning, explain
from csgo_env.game.gsi.cfg import DEFAULT_GSI_PORT
from csgo_env.game.openarena.launcher import OpenArenaLauncher
from csgo_env.game.profiles import ARENA, CS2, CSGO, OPENARENA, REPLAY, GameProfile

if TYPE_CHECKING:
    from csgo_env.game.event_feed import EventFeed
    from csgo_env.game.input.backends import InputBackend
    from csgo_env.game.memory.attach import PoseProvider
    from csgo_env.game.session_config import SessionConfig
    from csgo_env.standin.game_process import ReplayProcess

C = TypeVar("C", bound="SessionConfig")


class RunningGame(Protocol):
    """A game the session plays: attached to, or started by the launcher.

    ``pid`` is the game's process id when the launcher knows it (``None``: the window is
    found by title and :meth:`process_id` looks the process up). ``offsets_path`` is what
    the pose reader follows (``None``: no pose). ``input_log`` is the stand-in's log of the
    input it received (``None`` for a real game). ``events`` is the game's own event feed
    (``None``: the session's GSI receiver is the feed). ``synthetic``: what the game shows
    is not real play (the stand-in plays recordings back with made-up GSI and memory), so
    data recorded from it must be labelled synthetic.
    """

    pid: int | None
    offsets_path: Path | None
    input_log: Path | None
    events: EventFeed | None
    synthetic: bool

    def process_id(self) -> int:
        """The game's process id (looked up when not known)."""
        ...

    def advance(self, timeout_s: float) -> None:
        """Before the tick: the stand-in shows its next frame; a real game runs by itself."""
        ...

    def restart(self, frame: int, timeout_s: float, *, seed: int | None = None) -> None:
        """At reset: the stand-in goes back to ``frame`` (the arena: a fresh world from
        ``seed``); a real game goes on."""
        ...

    def wrap_input(self, backend: InputBackend) -> InputBackend:
        """The input backend the session sends through (the arena counts the events)."""
        ...

    def shown_frame(self) -> int | None:
        """The recording frame on screen (stand-in only, else ``None``)."""
        ...

    def open_pose(self, backend: str) -> PoseProvider | None:
        """The pose source (memory ``backend``), ``None`` when the game gives no pose."""
        ...

    def close(self) -> None:
        """Stop what the launcher started and delete its files (idempotent)."""
        ...


class Launcher(Protocol):
    """How one profile is played (see the module docstring)."""

    @property
    def profile(self) -> GameProfile:
        """The game this launcher plays."""
        ...

    @property
    def uses_gsi(self) -> bool:
        """Whether the session runs a GSI receiver for this game (its URL goes to
        :meth:`launch`)."""
        ...

    def check(self, cfg: C) -> C:
        """``cfg`` with the profile's rules applied (``gsi_port`` resolved) or ArgumentError."""
        ...

    def token(self, given: str | None) -> str | None:
        """The GSI token the receiver checks."""
        ...

    def launch(self, cfg: SessionConfig, *, gsi_url: str | None, token: str | None
               ) -> RunningGame:
        """Start or attach to the game (``gsi_url``: the receiver's, when :attr:`uses_gsi`)."""
        ...

    def find_running(self, window_backend: str = "auto") -> tuple[int, str]:
        """``(pid, description)`` of the running game, or :class:`GameNotRunning`."""
        ...


def reject_options_of_others(cfg: SessionConfig, game: str) -> None:
    """ArgumentError when ``cfg`` sets an option that belongs to other profiles (fields
    named ``replay_*`` belong to ``replay`` and ``arena``, ``openarena_*`` to
    ``openarena``)."""
    owners = {"replay_": ("replay", "arena"), "openarena_": ("openarena",)}
    for f in dataclasses.fields(cfg):
        games = next((g for prefix, g in owners.items() if f.name.startswith(prefix)), None)
        if games is None or game in games:
            continue
        if getattr(cfg, f.name) != f.default:
            raise ArgumentError(explain(
                f"{f.name} only applies to game={games[0]!r}",
                expected=" or ".join(f"game={g!r}" for g in games), got=f"game={game!r}",
                fix=f"drop {f.name} or pass game={games[0]!r}"))


def _memory_pose(offsets_path: Path | None, profile: GameProfile, pid: int,
                 backend: str) -> PoseProvider | None:
    if offsets_path is None:
        return None
    from csgo_env.game.memory.attach import open_pose_source

    return open_pose_source(offsets_path, profile, pid, backend=backend)


# --- the real games ---------------------------------------------------------------------

@dataclasses.dataclass
class AttachedGame:
    """A game the user started: nothing to advance, restart or stop."""

    profile: GameProfile
    offsets_path: Path | None
    pid: int | None = None
    input_log: Path | None = None
    events: EventFeed | None = None
    synthetic: bool = False

    def process_id(self) -> int:
        from csgo_env.game.processes import find_game_process

        if self.pid is None:
            self.pid = find_game_process(self.profile).pid
        return self.pid

    def advance(self, timeout_s: float) -> None:
        """A real game runs by itself."""

    def restart(self, frame: int, timeout_s: float, *, seed: int | None = None) -> None:
        """A deathmatch goes on; the env waits for the player to be alive instead."""

    def wrap_input(self, backend: InputBackend) -> InputBackend:
        return backend

    def shown_frame(self) -> int | None:
        return None

    def open_pose(self, backend: str) -> PoseProvider | None:
        if self.offsets_path is None:  # no pose without offsets: no process to look up
            return None
        return _memory_pose(self.offsets_path, self.profile, self.process_id(), backend)

    def close(self) -> None:
        """The user's game keeps running."""


@dataclasses.dataclass(frozen=True)
class AttachLauncher:
    """Attach to a running Counter-Strike (csgo_legacy or CS2)."""

    profile: GameProfile
    uses_gsi: bool = True

    def check(self, cfg: C) -> C:
        port = DEFAULT_GSI_PORT if cfg.gsi_port is None else cfg.gsi_port
        if port == 0:
            raise ArgumentError(explain(
                "gsi_port=0 (ephemeral) cannot work with the real game",
                expected="the fixed port written in the game's GSI cfg", got=repr(port),
                fix=f"pass gsi_port={DEFAULT_GSI_PORT} or the port given to csgo-env "
                    "gsi-config"))
        reject_options_of_others(cfg, self.profile.name)
        _paced_only(cfg)
        return dataclasses.replace(cfg, gsi_port=port)

    def token(self, given: str | None) -> str | None:
        return given

    def launch(self, cfg: SessionConfig, *, gsi_url: str | None, token: str | None
               ) -> RunningGame:
        return AttachedGame(self.profile, cfg.offsets_path)

    def find_running(self, window_backend: str = "auto") -> tuple[int, str]:
        from csgo_env.game.processes import find_game_process

        proc = find_game_process(self.profile)
        return proc.pid, f"{proc.name} pid {proc.pid}"


# --- the stand-in game -------------------------------------------------------------------

class StandinGame:
    """The stand-in game process, its offsets file and its input log, and the private
    display it may run on (``display``: released last by :meth:`close`)."""

    def __init__(self, process: ReplayProcess, *, offsets_path: Path, input_log: Path,
                 tmpdir: Path, display: contextlib.ExitStack | None = None,
                 profile: GameProfile = REPLAY) -> None:
        self.process = process
        self._display = display
        self.profile = profile
        self.offsets_path: Path | None = offsets_path
        self.input_log: Path | None = input_log
        self.events: EventFeed | None = None
        self.pid: int | None = None
        self.synthetic = True
        self._tmpdir: Path | None = tmpdir
        self._shown: dict[str, Any] | None = None

    def start(self, timeout_s: float) -> None:
        ready = self.process.start(timeout_s)
        self.pid = self.process.pid
        self._shown = ready.get("first")

    def process_id(self) -> int:
        return self.process.pid

    def advance(self, timeout_s: float) -> None:
        self._shown = self.process.next(timeout_s)

    def restart(self, frame: int, timeout_s: float, *, seed: int | None = None) -> None:
        self._shown = self.process.reset(frame, timeout_s)

    def wrap_input(self, backend: InputBackend) -> InputBackend:
        return backend

    def shown_frame(self) -> int | None:
        return None if self._shown is None else int(self._shown["frame"])

    def open_pose(self, backend: str) -> PoseProvider | None:
        return _memory_pose(self.offsets_path, self.profile, self.process_id(), backend)

    def close(self) -> None:
        try:
            self.process.stop()
        finally:
            if self._tmpdir is not None:
                shutil.rmtree(self._tmpdir, ignore_errors=True)
                self._tmpdir = None
            if self._display is not None:  # what still holds the display may close after
                self._display.close()      # it (mss and python-xlib close a dead one fine)
                self._display = None


@dataclasses.dataclass(frozen=True)
class StandinLauncher:
    """Start the stand-in game: profile ``replay``, a recording played in a real window, or
    (``arena=True``, profile ``arena``) its closed-loop arena in the same window."""

    profile: GameProfile = REPLAY
    arena: bool = False
    uses_gsi: bool = True

    def check(self, cfg: C) -> C:
        from csgo_env.game.session_config import existing_file
        from csgo_env.observations import OBS_SIZE
        from csgo_env.standin.screen import exact_index_maps

        if self.arena and (cfg.replay_recordings or cfg.replay_start_frame):
            raise ArgumentError(explain(
                "the arena plays no recording",
                expected="no replay_recordings and replay_start_frame=0 with game='arena'",
                got=f"replay_recordings={[str(p) for p in cfg.replay_recordings]}, "
                    f"replay_start_frame={cfg.replay_start_frame}",
                fix="drop them, or pass game='replay' to play a recording"))
        if not self.arena:
            _paced_only(cfg)
        for path in cfg.replay_recordings:
            existing_file("replay_recordings", path)
        left, top, right, bottom = cfg.crop
        exact_index_maps((right - left, bottom - top), OBS_SIZE)  # ArgumentError: too small
        reject_options_of_others(cfg, self.profile.name)
        return dataclasses.replace(cfg, gsi_port=0 if cfg.gsi_port is None else cfg.gsi_port)

    def token(self, given: str | None) -> str | None:
        from csgo_env.game.gsi.cfg import new_token

        return given if given is not None else new_token()

    def launch(self, cfg: SessionConfig, *, gsi_url: str | None, token: str | None
               ) -> RunningGame:
        from csgo_env.game.screen.xvfb import ensure_display
        from csgo_env.standin.default_recording import default_recordings
        from csgo_env.standin.game_process import ReplayProcess
        from csgo_env.standin.memory_image import write_replay_offsets

        display = contextlib.ExitStack()
        display.enter_context(ensure_display())
        tmpdir = Path(tempfile.mkdtemp(prefix=f"csgo_env_{self.profile.name}_"))
        try:
            offsets = cfg.offsets_path or write_replay_offsets(tmpdir / "replay_offsets.json")
            input_log = cfg.replay_input_log or tmpdir / "input.jsonl"
            extra = list(cfg.replay_args)
            if self.arena:
                recordings: list[Path] = []
                extra = ["--mode", "arena", "--fps", f"{cfg.fps:g}", *extra]
            else:
                recordings = list(cfg.replay_recordings) or default_recordings()
            process = ReplayProcess(recordings, input_log=input_log, gsi_url=gsi_url,
                                    token=token, offsets=offsets,
                                    title=self.profile.window_titles[0],
                                    window_size=cfg.window_size, crop=cfg.crop,
                                    start_frame=cfg.replay_start_frame, extra_args=extra)
        except BaseException:
            shutil.rmtree(tmpdir, ignore_errors=True)
            display.close()
            raise
        kind = StandinGame
        if self.arena:
            from csgo_env.standin.arena_running import ArenaRunning

            kind = ArenaRunning
        game = kind(process, offsets_path=offsets, input_log=input_log, tmpdir=tmpdir,
                    display=display, profile=self.profile)
        try:
            game.start(cfg.startup_timeout_s)
        except BaseException:
            game.close()
            raise
        return game

    def find_running(self, window_backend: str = "auto") -> tuple[int, str]:
        from csgo_env.errors import CsgoEnvError
        from csgo_env.game.screen.windows import find_window

        name = self.profile.name
        start = (f"--mode arena --title '{self.profile.window_titles[0]}'" if self.arena
                 else "--recording FILE")
        try:
            info = find_window(self.profile.window_titles, backend=window_backend)
        except CsgoEnvError as exc:
            raise GameNotRunning(explain(
                f"no {name} game running ({exc})",
                fix=f"start it: python -m csgo_env.standin {start} --input-log LOG "
                    "--control free --gsi-url URL --token T")) from exc
        if info.pid is None or not Path(f"/proc/{info.pid}").exists():
            raise GameNotRunning(explain(f"window {info.title!r} has no live process",
                                         fix=f"restart the {name} game"))
        return info.pid, f"{name} game pid {info.pid}"


def _paced_only(cfg: SessionConfig) -> None:
    if not cfg.paced:
        raise ArgumentError(explain(
            "unpaced runs need a game that waits for each step",
            expected="paced=False only with game='arena'", got=f"game={cfg.game!r}",
            fix="keep paced=True (real time), or play the arena"))


LAUNCHERS: Mapping[str, Launcher] = MappingProxyType({
    CSGO.name: AttachLauncher(CSGO),
    CS2.name: AttachLauncher(CS2),
    REPLAY.name: StandinLauncher(),
    ARENA.name: StandinLauncher(ARENA, arena=True),
    OPENARENA.name: OpenArenaLauncher(),
})
"""``game`` name -> its launcher."""


def launcher_for(game: str | GameProfile) -> Launcher:
    """The launcher of ``game`` (a profile or its name); :class:`UnknownGame` otherwise."""
    from csgo_env.game.profiles import get_profile

    return LAUNCHERS[get_profile(game).name]
