"""Shared helpers of the replay-game tests: one sample recording per session, the input
events an action sequence implies, and reading the replay game's input log."""

from __future__ import annotations

import socket
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from csgo_env.actions import Action
from csgo_env.standin.window import read_log

PYGAME_KEY = {"w": "w", "a": "a", "s": "s", "d": "d", "space": "space", "ctrl": "left ctrl",
              "shift": "left shift", "1": "1", "2": "2", "3": "3", "r": "r"}
"""Action key name -> the key name pygame logs for it."""
BUTTON = {"fire": 1, "scope": 3}
INPUT_KINDS = ("key_down", "key_up", "button_down", "button_up", "motion")

KILL_FRAMES = (470, 492)
DEATH_FRAME = 498
EPISODE_START = 465
"""The sample recording (seed 0, file 1) has kills at 470 and 492 and a death at 498."""


def synthetic_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic dust2-expert recording 1 (seed 0, 1000 frames), written once per run."""
    from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings

    folder = tmp_path_factory.getbasetemp() / "replay_sample"
    existing = sorted(folder.glob("*.hdf5"))
    if existing:
        return existing[0]
    return write_synthetic_recordings(folder, files=1, seed=0, with_metadata=False)[0]


def expected_events(actions: Iterable[Action], *, split_mouse: bool = True,
                    release_at_end: bool = True) -> list[tuple[Any, ...]]:
    """The input events the controller sends for ``actions`` (from nothing held), as
    ``(kind, key-or-button)`` and ``("motion", dx, dy)`` tuples, in order."""
    held_keys: set[str] = set()
    held_buttons: set[str] = set()
    out: list[tuple[Any, ...]] = []
    for action in actions:
        want_buttons = {n for n in BUTTON if getattr(action, n)}
        out += [("key_up", PYGAME_KEY[k]) for k in sorted(held_keys - action.keys)]
        out += [("button_up", BUTTON[b]) for b in sorted(held_buttons - want_buttons)]
        out += [("key_down", PYGAME_KEY[k]) for k in sorted(action.keys - held_keys)]
        out += [("button_down", BUTTON[b]) for b in sorted(want_buttons - held_buttons)]
        held_keys, held_buttons = set(action.keys), want_buttons
        dx, dy = action.mouse_dx, action.mouse_dy
        if split_mouse:
            first = (int(dx / 2), int(dy / 2))
            moves = [first, (dx - first[0], dy - first[1])]
        else:
            moves = [(dx, dy)]
        out += [("motion", mx, my) for mx, my in moves if (mx, my) != (0, 0)]
    if release_at_end:
        out += [("key_up", PYGAME_KEY[k]) for k in sorted(held_keys)]
        out += [("button_up", BUTTON[b]) for b in sorted(held_buttons)]
    return out


def event_tuples(records: Iterable[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Input records as tuples without timestamps, e.g. ``("key_down", "w")``,
    ``("button_up", 1)``, ``("motion", 37, -12)``; other records are left out."""
    out: list[tuple[Any, ...]] = []
    for r in records:
        kind = r.get("type")
        if kind in ("key_down", "key_up"):
            out.append((kind, r["key"]))
        elif kind in ("button_down", "button_up"):
            out.append((kind, r["button"]))
        elif kind == "motion":
            out.append((kind, r["dx"], r["dy"]))
    return out


def logged_events(path: Path) -> list[tuple[Any, ...]]:
    """The input records of a replay input log in the same tuple form."""
    return event_tuples(read_log(path))


def held_at_end(events: list[tuple[Any, ...]]) -> set[Any]:
    """Keys and buttons still down after ``events``."""
    held: set[Any] = set()
    for event in events:
        if event[0] in ("key_down", "button_down"):
            held.add(event[1])
        elif event[0] in ("key_up", "button_up"):
            held.discard(event[1])
    return held


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def scripted_actions(n: int, seed: int = 0) -> list[Action]:
    """A fixed opening that touches every key, button and both mouse extremes, then
    seeded random actions."""
    from csgo_env.actions import action_space

    opening = [
        Action(frozenset({"w"}), fire=True, mouse_x_bin=18),
        Action(frozenset({"w", "a"}), mouse_x_bin=6, mouse_y_bin=10),
        Action(),
        Action(frozenset({"space", "ctrl", "shift"}), scope=True, mouse_x_bin=22, mouse_y_bin=0),
        Action(frozenset({"1", "r"}), fire=True, mouse_x_bin=0, mouse_y_bin=14),
        Action(frozenset({"d", "2", "3", "s"}), fire=True, scope=True, mouse_x_bin=12),
    ]
    space = action_space(seed)
    rest = [Action.from_multidiscrete(space.sample()) for _ in range(max(0, n - len(opening)))]
    return (opening + rest)[:n]


def as_array(action: Action) -> np.ndarray:
    return action.to_multidiscrete()
