"""The replay game: a recording played back in a real window, standing in for Counter-Strike.

It runs as its own process (``python -m csgo_env.standin``, see :mod:`csgo_env.standin.main`)
and offers the environment everything the real game offers, over the same channels:

- **screen**: a real X11 window titled ``"csgo_env replay"`` (1024x768 by default) whose
  crop box shows the current recorded frame, painted so that the env's capture -> crop ->
  INTER_LINEAR resize returns it pixel-exactly (:mod:`csgo_env.standin.screen`);
- **input**: the window grabs keyboard and mouse (relative mode) and logs every key,
  button and motion event as a JSON line (:mod:`csgo_env.standin.window`); fire held makes
  the clip drain, ``r`` reloads, mouse motion turns the view;
- **GSI**: real HTTP POSTs of a payload per shown frame to the env's receiver, with the
  env's token (:mod:`csgo_env.standin.gsi_sender`); the match counters follow the
  recording's ``[kill, death]`` flags, health is 0 on a death frame and 100 again on the
  next frame (respawn);
- **memory**: the pose lives in this process's memory at the offsets of an offsets file,
  for the env's Linux memory reader (:mod:`csgo_env.standin.memory_image`).

Pose model (deterministic): ``yaw = wrap(-(recorded_dx_sum + received_dx) * 0.022 * sens)``
where ``recorded_dx_sum`` adds the recorded mouse_x counts of the frames played since the
last ``reset`` (only when ``pose_from_recording``, the default under ``control="stdio"``),
and ``received_dx`` the relative mouse counts the window received since then (unless
``mouse_to_view`` is off); +x turns right, i.e. the yaw (counter-clockwise) decreases.
Pitch likewise from y (+y looks down, pitch positive
down), clipped to +-89. The position walks a circle of radius 300 around (-500, 1000, 0)
once every 400 frames; the velocity is its derivative at 16 frames/s. The view height is
64.06 (standing), the active item the AK-47 (item 7, none while dead), never scoped,
observer mode 0 (playing).

Two ways to advance:

- ``control="stdio"`` (the env): commands on stdin, one per line — ``reset N`` shows frame
  N with the player alive (health 100, full clip, facing yaw 0; the match counters keep
  their values, as in a running match), ``next`` shows the following frame
  (wrapping at the end of the last recording) and applies its flags, ``quit`` ends. Each
  ``reset``/``next`` is answered on stdout with one JSON line ``{"type": "shown", "frame",
  "kill", "death", "kills", "deaths", "health", "ammo", "gsi_status"}`` sent only after the
  frame is on screen (the X server has the pixels), the memory pose is updated, and the
  GSI POST was answered by the receiver — so the env sees a consistent world, and tests
  are deterministic.
- ``control="free"``: the game advances by itself at ``fps``, like a running game (the
  view then turns only with the mouse it receives, like a player standing still while
  ``csgo-env doctor`` runs); ``quit`` or end of input still stop it.

Ctrl-C in a terminal does not reach the game when the env starts it (own session); SIGTERM
and end of input end it cleanly: it takes the input still pending (the key releases of a
dying agent; after end of input without ``quit`` for :data:`ORPHAN_DRAIN_S`, long enough
for a release guardian's), logs ``quit`` and exits 0.
"""

from __future__ import annotations

import json
import math
import os
import select
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from csgo_env.actions import M_YAW_DEG, SENSITIVITY
from csgo_env.game.profiles import REPLAY
from csgo_env.observations import CROP, WINDOW_SIZE
from csgo_env.standin.game_window import TappedLog
from csgo_env.standin.gsi_sender import GSISender, PlayerCounters, build_payload
from csgo_env.standin.screen import ReplayScreen
from csgo_env.standin.timeline import Timeline
from csgo_env.standin.window import GameWindow

STAND_HEIGHT = 64.06
"""View height of a standing player (world units), what the game's view offset holds."""
AK47_ITEMDEF = 7
"""Item definition index of the AK-47, the weapon the stand-in's GSI shows active."""
HEARTBEAT_S = 5.0
"""Unchanged state is POSTed again after this long, as the game's cfg heartbeat does."""
ORPHAN_DRAIN_S = 0.6
"""When the controlling process vanished (end of input without ``quit``), input is still
taken and logged this long before the window closes, as a running game would: the key-ups
of the agent's release guardian arrive then."""


@dataclass
class ReplayOptions:
    """Options of the replay game process (see the module docstring)."""

    recordings: tuple[Path, ...]
    input_log: Path
    title: str = REPLAY.window_titles[0]
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
    pose_from_recording: bool | None = None
    start_frame: int = 0


def wrap_degrees(angle: float) -> float:
    """Wrap to [-180, 180)."""
    return (angle + 180.0) % 360.0 - 180.0


class ReplayGame:
    """The game logic: timeline, counters, view, screen, GSI and memory of one process."""

    def __init__(self, options: ReplayOptions) -> None:
        self.options = options
        self.timeline = Timeline(options.recordings)
        self.screen = ReplayScreen(options.window_size, options.crop)
        self.counters = PlayerCounters()
        self.frame = -1
        self.fire_held = False
        self._recorded_dx = 0.0
        self._recorded_dy = 0.0
        self._received_dx = 0
        self._received_dy = 0
        self._pose_from_recording = (options.control == "stdio"
                                     if options.pose_from_recording is None
                                     else options.pose_from_recording)
        self._sender = GSISender(options.gsi_url) if options.gsi_url else None
        self._memory: Any = None
        self._last_post = 0.0
        stream = open(options.input_log, "a", encoding="utf-8")  # noqa: SIM115 - window closes it
        # Only the capture's crop box changes from frame to frame.
        self.window = GameWindow(options.title, options.window_size, self.screen,
                                 TappedLog(stream, self._on_input), position=options.position,
                                 update_region=options.crop)

    # --- input ---------------------------------------------------------------------
    def _on_input(self, kind: str, fields: dict[str, Any]) -> None:
        if kind in ("button_down", "button_up") and fields.get("button") == 1:
            self.fire_held = kind == "button_down"
        elif kind == "key_down" and fields.get("key") == "r":
            self.counters.ammo_clip = self.counters.ammo_clip_max
        elif kind == "motion" and self.options.mouse_to_view:
            self._received_dx += int(fields.get("dx", 0))
            self._received_dy += int(fields.get("dy", 0))
            if self.frame >= 0:
                self._write_memory()  # the view turns at once, not at the next frame

    # --- pose ----------------------------------------------------------------------
    def pose(self) -> Any:
        """The current :class:`~csgo_env.game.memory.pose.Pose` (see the module docstring)."""
        from csgo_env.game.memory.pose import Pose

        scale = M_YAW_DEG * self.options.sensitivity
        yaw = wrap_degrees(-(self._recorded_dx + self._received_dx) * scale)
        pitch = max(-89.0, min(89.0, (self._recorded_dy + self._received_dy) * scale))
        phase = 2.0 * math.pi * max(self.frame, 0) / 400.0
        position = (-500.0 + 300.0 * math.cos(phase), 1000.0 + 300.0 * math.sin(phase), 0.0)
        speed = 300.0 * 2.0 * math.pi / 400.0 * self.options.fps
        velocity = (-speed * math.sin(phase), speed * math.cos(phase), 0.0)
        alive = self.counters.health > 0
        return Pose(position=position, velocity=velocity, pitch_deg=pitch, yaw_deg=yaw,
                    health=self.counters.health, fov=90.0,
                    clip_ammo=self.counters.ammo_clip if alive else None,
                    view_height=STAND_HEIGHT, item_def=AK47_ITEMDEF if alive else None,
                    scoped=False, observer_mode=0)

    # --- frames --------------------------------------------------------------------
    def show(self, frame: int, *, apply_flags: bool) -> dict[str, Any]:
        """Show ``frame`` (mod the timeline length); with ``apply_flags`` play its events."""
        self.window.pump()  # take the input that arrived before this tick
        frame %= len(self.timeline)
        kill = death = 0
        if apply_flags:
            kill, death = self.timeline.flags(frame)
            dx, dy = self.timeline.recorded_mouse(self.frame)
            if self._pose_from_recording:
                self._recorded_dx += dx
                self._recorded_dy += dy
            if self.fire_held and self.counters.health > 0:
                self.counters.ammo_clip = max(0, self.counters.ammo_clip - 1)
            self.counters.kills += kill
            self.counters.round_kills += kill
            self.counters.deaths += death
            self.counters.health = 0 if death else 100
            if death:
                self.counters.ammo_clip = self.counters.ammo_clip_max
        else:  # a (re)spawn: alive, facing the way the recording starts
            self.counters.health = 100
            self._recorded_dx = self._recorded_dy = 0.0
            self._received_dx = self._received_dy = 0
        self.frame = frame
        self.screen.show(frame, self.timeline.frame(frame))
        self.window.pump()  # draws the new frame; SDL syncs with the X server
        self._write_memory()
        status = self._post(frame)
        return {"type": "shown", "frame": frame, "kill": kill, "death": death,
                "kills": self.counters.kills, "deaths": self.counters.deaths,
                "health": self.counters.health, "ammo": self.counters.ammo_clip,
                "gsi_status": status}

    def heartbeat_due(self) -> bool:
        """Whether :data:`HEARTBEAT_S` passed since the last POST (the cfg's heartbeat)."""
        return self._sender is not None and time.monotonic() - self._last_post > HEARTBEAT_S

    def heartbeat(self) -> int | None:
        """POST the unchanged state again (returns the HTTP status, None if not sent)."""
        return self._post(self.frame)

    def _post(self, frame: int) -> int | None:
        self._last_post = time.monotonic()
        if self._sender is None:
            return None
        payload = build_payload(self.counters, token=self.options.token, frame=frame)
        try:
            return self._sender.post(payload)
        except Exception as exc:  # the real game keeps running when nobody listens
            print(f"replay: GSI POST failed: {exc}", file=sys.stderr)
            return None

    def _write_memory(self) -> None:
        if self._memory is not None:
            self._memory.set_pose(self.pose())

    # --- lifecycle -----------------------------------------------------------------
    def open(self) -> None:
        """Lay out memory, open the window (logs ``ready``) and show the start frame."""
        if self.options.offsets is not None:
            from csgo_env.game.memory.offsets import load_offsets
            from csgo_env.standin.memory_image import MemoryImage

            offsets = load_offsets(self.options.offsets, game="replay")
            self._memory = MemoryImage(REPLAY, offsets)
        self.screen.show(self.options.start_frame % len(self.timeline),
                         self.timeline.frame(self.options.start_frame % len(self.timeline)))
        self.window.open()
        self.frame = self.screen.index
        self._write_memory()

    def close(self, drain_s: float = 0.15) -> None:
        """Take the last input (key releases sent just before), then close everything."""
        end = time.monotonic() + drain_s
        while time.monotonic() < end:
            self.window.pump()
            time.sleep(0.005)
        self.window.close()
        if self._sender is not None:
            self._sender.close()
        if self._memory is not None:
            self._memory.close()
        self.timeline.close()


class _Lines:
    """Non-blocking line reader on a file descriptor."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._buf = b""
        self.eof = False

    def poll(self, timeout: float) -> list[str]:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            chunk = os.read(self.fd, 65536)
            if not chunk:
                self.eof = True
            self._buf += chunk
        *lines, self._buf = self._buf.split(b"\n")
        return [line.decode("utf-8", "replace").strip() for line in lines if line.strip()]


def run(options: ReplayOptions, *, reply: IO[str], commands_fd: int = 0) -> int:
    """Run the game until ``quit``, end of input, SIGTERM or (free mode) forever."""
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__("now", True))
    game = ReplayGame(options)

    def send(record: dict[str, Any]) -> None:
        reply.write(json.dumps(record) + "\n")
        reply.flush()

    lines = _Lines(commands_fd)
    try:
        game.open()
        first = game.show(options.start_frame, apply_flags=False)
        send({"type": "ready", "pid": os.getpid(), "title": options.title,
              "frames": len(game.timeline), "first": first})
        if options.control == "free":
            _run_free(game, stop, lines)
        else:
            _run_stdio(game, stop, lines, send)
    finally:
        game.close(ORPHAN_DRAIN_S if lines.eof and not stop["now"] else 0.15)
    return 0


def _run_stdio(game: ReplayGame, stop: dict[str, bool], lines: _Lines,
               send: Callable[[dict[str, Any]], None]) -> None:
    while not stop["now"] and not lines.eof:
        for line in lines.poll(0.004):
            word, _, arg = line.partition(" ")
            if word == "next":
                send(game.show(game.frame + 1, apply_flags=True))
            elif word == "reset":
                send(game.show(int(arg or 0), apply_flags=False))
            elif word == "quit":
                stop["now"] = True
                break
            else:
                send({"type": "error", "message": f"unknown command {line!r}"})
        game.window.pump()
        if game.heartbeat_due():
            game.heartbeat()


def _run_free(game: ReplayGame, stop: dict[str, bool], lines: _Lines) -> None:
    """Advance at ``fps`` by itself; still obeys ``quit`` and end of input on stdin."""
    period = 1.0 / game.options.fps
    deadline = time.monotonic() + period
    while not stop["now"] and not lines.eof:
        now = time.monotonic()
        if now >= deadline:
            game.show(game.frame + 1, apply_flags=True)
            deadline = max(deadline + period, now)
        if not game.window.pump():
            break
        if "quit" in lines.poll(min(0.004, max(0.0, deadline - time.monotonic()))):
            break
