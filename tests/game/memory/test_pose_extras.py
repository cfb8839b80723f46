"""The optional CS:GO pose fields (view height, item, scope, observer mode) and reading the
watched player of a spectator, against a real memory image read through /proc."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from csgo_env.game.memory.offsets import load_offsets
from csgo_env.game.memory.pose import Pose, PoseReader
from csgo_env.game.memory.readers import open_process
from csgo_env.game.profiles import REPLAY
from csgo_env.standin.memory_image import MemoryImage, write_replay_offsets

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc")

OWN = Pose(position=(10.0, 20.0, 30.0), velocity=(1.0, 2.0, 0.0), pitch_deg=-5.0,
           yaw_deg=45.0, health=100, fov=90.0, clip_ammo=17, view_height=46.04, item_def=9,
           scoped=True, observer_mode=0)
WATCHED = Pose(position=(-700.5, 1500.25, -64.0), velocity=(-120.0, 33.0, 12.5),
               pitch_deg=0.0, yaw_deg=0.0, health=42, fov=40.0, clip_ammo=5,
               view_height=64.06, item_def=7, scoped=False, observer_mode=4)


@pytest.fixture
def image(tmp_path: Path):
    offsets = load_offsets(write_replay_offsets(tmp_path / "offsets.json"), game="replay")
    with MemoryImage(REPLAY, offsets) as img:
        yield img, offsets


def test_optional_fields_round_trip(image) -> None:
    img, offsets = image
    img.set_pose(OWN)
    with open_process(os.getpid()) as mem:
        reader = PoseReader(mem, offsets, REPLAY)
        assert all(reader.available[k] for k in ("view_height", "item_def", "scoped",
                                                 "observer_mode", "observed"))
        got = reader.read()
    assert got.view_height == pytest.approx(46.04, abs=1e-5)
    assert (got.item_def, got.scoped, got.observer_mode, got.clip_ammo) == (9, True, 0, 17)


def test_spectator_reads_the_watched_player_when_asked(image) -> None:
    img, offsets = image
    img.set_pose(OWN)
    img.set_observed(WATCHED)
    with open_process(os.getpid()) as mem:
        own = PoseReader(mem, offsets, REPLAY).read()
        watched = PoseReader(mem, offsets, REPLAY, follow_observed=True).read()
    assert own.position == OWN.position and own.health == 100 and own.observer_mode == 4
    assert watched.position == WATCHED.position and watched.velocity == WATCHED.velocity
    assert (watched.health, watched.fov, watched.scoped) == (42, 40.0, False)
    assert watched.view_height == pytest.approx(64.06, abs=1e-5)
    assert watched.observer_mode == 4
    assert (watched.pitch_deg, watched.yaw_deg) == (OWN.pitch_deg, OWN.yaw_deg)  # own angles
    img.set_observed(None)
    with open_process(os.getpid()) as mem:
        back = PoseReader(mem, offsets, REPLAY, follow_observed=True).read()
    assert back.position == OWN.position and back.observer_mode == 0
