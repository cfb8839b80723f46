"""The stand-in game's arena mode: a closed-loop deathmatch in the same window and channels.

SYNTHETIC: the arena (:mod:`csgo_env.standin.arena_world`) is a toy game written for this
project; everything it reports is synthetic, and its GSI payloads say so
(``provider.synthetic``).

The process offers the env what the replay mode offers, over the same channels, but the
world answers the input:

- **screen**: the same real window (:class:`~csgo_env.standin.window.GameWindow`), its
  crop box painted pixel-exactly (:class:`~csgo_env.standin.screen.ReplayScreen`) with the
  frame :class:`~csgo_env.standin.arena_render.ArenaRenderer` draws from the player's pose;
- **input**: every key, button and motion event is logged as in replay mode; motion turns
  the view at once (raw counts, 0.055 degrees each at the default sensitivity); the keys
  and fire held at a tick move the player and shoot; ``r`` pressed reloads;
- **GSI**: the real counters (kills, deaths, health, clip) POSTed after every tick;
- **memory**: the pose (position, velocity, yaw, pitch, health, clip) at the offsets given.

Control (``control="stdio"``), one command per line: ``reset [seed=S] [events=N]`` starts
a fresh world from seed ``S`` (without one, the current world goes on and a dead player
respawns at once); ``next [events=N]`` plays one tick; ``quit``. ``N`` is the number of
input events (key, button, motion) the env has sent since the game started: the game first
takes input until it has logged that many (at most :data:`INPUT_WAIT_S`), so the tick sees
exactly the input sent before it, however fast the env steps (the unpaced mode). The
``shown`` reply adds ``"arena"`` (the
:class:`~csgo_env.standin.arena_snapshot.ArenaSnapshot` as JSON), ``"input_events"``
(logged so far) and ``"input_late"`` (the wait ran out). The match counters keep counting
over resets, as in a running match. ``control="free"`` ticks by itself at ``fps``. The
loop that reads the commands is :mod:`csgo_env.standin.arena_control`.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csgo_env.actions import SENSITIVITY
from csgo_env.game.profiles import ARENA
from csgo_env.observations import CROP, WINDOW_SIZE
from csgo_env.standin.arena_render import ArenaRenderer
from csgo_env.standin.arena_world import ArenaConfig, ArenaWorld
from csgo_env.standin.game_window import TappedLog
from csgo_env.standin.gsi_sender import GSISender, PlayerCounters, build_payload
from csgo_env.standin.screen import ReplayScreen
from csgo_env.standin.window import GameWindow

INPUT_WAIT_S = 1.0
"""Longest wait for the input a ``next``/``reset`` says was sent (then ``input_late``)."""
HEARTBEAT_S = 5.0
"""Unchanged state is POSTed again after this long, as the game's cfg heartbeat does."""
INPUT_KINDS = frozenset({"key_down", "key_up", "button_down", "button_up", "motion"})
PYGAME_TO_ACTION_KEY = {"w": "w", "a": "a", "s": "s", "d": "d", "space": "space",
                        "left ctrl": "ctrl", "left shift": "shift", "1": "1", "2": "2",
                        "3": "3", "r": "r"}
"""Key names pygame logs -> the action's key names (other keys are logged, not played)."""
MAP_NAME = "arena"


@dataclass
class ArenaOptions:
    """Options of the arena process (see :mod:`csgo_env.standin.main`)."""

    input_log: Path
    title: str = ARENA.window_titles[0]
    window_size: tuple[int, int] = WINDOW_SIZE
    crop: tuple[int, int, int, int] = CROP
    position: tuple[int, int] = (0, 0)
    gsi_url: str | None = None
    token: str | None = None
    offsets: Path | None = None
    control: str = "stdio"
    fps: float = 16.0
    sensitivity: float = SENSITIVITY
    mouse_to_view: bool = True
    seed: int = 0
    opponents: int = 3


class ArenaGame:
    """World, window, GSI and memory of one arena process; the same lifecycle as
    :class:`~csgo_env.standin.game.ReplayGame` (``open``, ``show``, ``heartbeat``, ``close``)."""

    def __init__(self, options: ArenaOptions) -> None:
        self.options = options
        self.world = self._new_world(options.seed)
        self.renderer = ArenaRenderer(self.world.plan)
        self.screen = ReplayScreen(options.window_size, options.crop)
        self.counters = PlayerCounters()
        self._base_kills = self._base_deaths = 0
        self.frame = -1
        self._painted = 0
        self.held: set[str] = set()
        self.fire_held = False
        self._reload = False
        self.events = 0
        self._sender = GSISender(options.gsi_url) if options.gsi_url else None
        self._memory: Any = None
        self._last_post = 0.0
        stream = open(options.input_log, "a", encoding="utf-8")  # noqa: SIM115 - window closes it
        self.window = GameWindow(options.title, options.window_size, self.screen,
                                 TappedLog(stream, self._on_input), position=options.position,
                                 update_region=options.crop)

    def _new_world(self, seed: int) -> ArenaWorld:
        return ArenaWorld(ArenaConfig(seed=int(seed), opponents=self.options.opponents,
                                      sensitivity=self.options.sensitivity,
                                      tick_hz=self.options.fps))

    # --- input -----------------------------------------------------------------------
    def _on_input(self, kind: str, fields: dict[str, Any]) -> None:
        if kind not in INPUT_KINDS:
            return
        self.events += 1
        if kind in ("key_down", "key_up"):
            key = PYGAME_TO_ACTION_KEY.get(str(fields.get("key")))
            if key is not None and kind == "key_down":
                self._reload |= key == "r" and key not in self.held
                self.held.add(key)
            elif key is not None:
                self.held.discard(key)
        elif kind in ("button_down", "button_up") and fields.get("button") == 1:
            self.fire_held = kind == "button_down"
        elif kind == "motion" and self.options.mouse_to_view:
            self.world.turn(int(fields.get("dx", 0)), int(fields.get("dy", 0)))
            if self.frame >= 0:
                self._write_memory()  # the view turns at once, not at the next tick

    def take_input(self, expected: int | None) -> bool:
        """Pump until ``expected`` input events are logged (None: what is there now);
        False when :data:`INPUT_WAIT_S` ran out first (the missing ones then count as lost,
        so one lost event delays one tick, not every tick after it)."""
        self.window.pump()
        if expected is None:
            return True
        deadline = time.monotonic() + INPUT_WAIT_S
        while self.events < expected:
            if time.monotonic() >= deadline:  # count the missing events as lost, go on
                print(f"arena: {expected - self.events} input events did not arrive within "
                      f"{INPUT_WAIT_S:g} s", file=sys.stderr)
                self.events = expected
                return False
            time.sleep(0.0002)
            self.window.pump()
        return True

    # --- ticks -----------------------------------------------------------------------
    def step(self, expected: int | None = None) -> dict[str, Any]:
        """Take the input sent so far, play one tick, show it (the ``shown`` reply)."""
        on_time = self.take_input(expected)
        result = self.world.tick(frozenset(self.held), self.fire_held, self._reload)
        self._reload = False
        return self._show(result.kill, result.death, on_time)

    def restart(self, seed: int | None, expected: int | None = None) -> dict[str, Any]:
        """A fresh world from ``seed`` (None: keep the world, respawn a dead player now)."""
        on_time = self.take_input(expected)
        if seed is not None:
            self._base_kills, self._base_deaths = self.counters.kills, self.counters.deaths
            self.world = self._new_world(seed)
        elif not self.world.player.alive:
            self.world.respawn_player()
        self._reload = False
        return self._show(0, 0, on_time)

    def _show(self, kill: int, death: int, on_time: bool) -> dict[str, Any]:
        snap = self.world.snapshot()
        c = self.counters
        c.kills, c.deaths = self._base_kills + snap.kills, self._base_deaths + snap.deaths
        c.round_kills = c.kills
        c.health, c.ammo_clip = snap.health, snap.clip
        self.frame = snap.tick
        self._painted += 1  # the window repaints when this index changes
        self.screen.show(self._painted, self.renderer.render(snap, flash=self.world.last.shot))
        self.window.pump()  # draws the new frame; SDL syncs with the X server
        self._write_memory()
        status = self.post()
        return {"type": "shown", "frame": snap.tick, "kill": kill, "death": death,
                "kills": c.kills, "deaths": c.deaths, "health": c.health, "ammo": c.ammo_clip,
                "gsi_status": status, "arena": snap.to_json(), "input_events": self.events,
                "input_late": not on_time}

    # --- channels --------------------------------------------------------------------
    def pose(self) -> Any:
        """The current :class:`~csgo_env.game.memory.pose.Pose`."""
        from csgo_env.game.memory.pose import Pose

        w, p = self.world, self.world.player
        return Pose(position=(p.x, p.y, 0.0), velocity=(p.vx, p.vy, 0.0),
                    pitch_deg=w.pitch_deg, yaw_deg=w.yaw_deg, health=p.health, fov=90.0,
                    clip_ammo=p.clip if p.alive else None)

    def _write_memory(self) -> None:
        if self._memory is not None:
            self._memory.set_pose(self.pose())

    def heartbeat_due(self) -> bool:
        return self._sender is not None and time.monotonic() - self._last_post > HEARTBEAT_S

    def heartbeat(self) -> int | None:
        return self.post()

    def post(self) -> int | None:
        """POST the current counters (returns the HTTP status, None if not sent)."""
        self._last_post = time.monotonic()
        if self._sender is None:
            return None
        payload = build_payload(self.counters, token=self.options.token, map_name=MAP_NAME,
                                frame=self.frame)
        payload["provider"]["synthetic"] = True
        try:
            return self._sender.post(payload)
        except Exception as exc:  # the real game keeps running when nobody listens
            print(f"arena: GSI POST failed: {exc}", file=sys.stderr)
            return None

    # --- lifecycle -------------------------------------------------------------------
    def open(self) -> None:
        """Lay out memory, open the window (logs ``ready``) and show tick 0."""
        if self.options.offsets is not None:
            from csgo_env.game.memory.offsets import load_offsets
            from csgo_env.standin.memory_image import MemoryImage

            offsets = load_offsets(self.options.offsets, game=ARENA.name)
            self._memory = MemoryImage(ARENA, offsets)
        snap = self.world.snapshot()
        self.screen.show(self._painted, self.renderer.render(snap))
        self.window.open()
        self.frame = snap.tick
        self._write_memory()

    def close(self, drain_s: float = 0.15) -> None:
        """Take the last input (key releases sent just before, for ``drain_s`` seconds),
        then close everything."""
        end = time.monotonic() + drain_s
        while time.monotonic() < end:
            self.window.pump()
            time.sleep(0.005)
        self.window.close()
        if self._sender is not None:
            self._sender.close()
        if self._memory is not None:
            self._memory.close()
