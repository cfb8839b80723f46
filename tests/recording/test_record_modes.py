"""Recorder modes on the stand-in game: spectating sends nothing but the target switch, own
play without a policy sends nothing at all; bad options are refused before anything starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from csgo_env.datasets.pearce.metadata import load_metadata
from csgo_env.errors import ArgumentError
from csgo_env.game.session_config import validate_session_config
from csgo_env.policy import RandomPolicy
from csgo_env.recording.recorder import Recorder, RecordOptions
from csgo_env.standin.gsi_sender import REPLAY_STEAMID
from tests.support import standin as rs

pytestmark = pytest.mark.xvfb


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rs.synthetic_recording(tmp_path_factory)


def _config(recording: Path, log: Path, start: int = 0):
    return validate_session_config(game="replay", replay_recordings=[str(recording)],
                                   replay_input_log=str(log), replay_start_frame=start,
                                   fps=64)


def test_spectator_sends_only_the_switch_key(xvfb_display: str, recording: Path,
                                             tmp_path: Path) -> None:
    log = tmp_path / "input.jsonl"
    start = rs.DEATH_FRAME - 20  # the watched player dies during the recording
    options = RecordOptions(out_dir=tmp_path / "rec", mode="spectate", frames_per_file=30,
                            files=2, switch_every=12, switch_cooldown=5)
    recorder = Recorder(_config(recording, log, start), options)
    summary = recorder.run()
    assert [t.recording.name for t in summary.written] == ["hdf5_dm_july2021_1.hdf5",
                                                           "hdf5_dm_july2021_2.hdf5"]
    assert summary.targets == [REPLAY_STEAMID] and summary.deaths == 1
    events = rs.logged_events(log)
    assert events and all(e[1] == "1" for e in events), events  # nothing but the switch
    downs = [e for e in events if e[0] == "key_down"]
    assert len(downs) == recorder.spectator.presses >= 5  # 60 ticks / 12, plus the death
    assert rs.held_at_end(events) == set()
    meta = load_metadata(tmp_path / "rec" / "currvarsv2_dm_july2021_2_to_2.npy")
    cv = meta["file_num2_frame_0"][0]
    assert cv["gsi_steamid"] == REPLAY_STEAMID and "tp_wasd" not in cv
    assert cv["obs_mode"] == 0  # the stand-in's memory: not observing


def test_own_play_without_a_policy_sends_nothing(xvfb_display: str, recording: Path,
                                                  tmp_path: Path) -> None:
    log = tmp_path / "input.jsonl"
    options = RecordOptions(out_dir=tmp_path / "rec", frames_per_file=20, files=1,
                            keys="x11")
    summary = Recorder(_config(recording, log), options).run()
    assert len(summary.written) == 1 and summary.ticks == 20
    assert rs.logged_events(log) == []
    meta = load_metadata(summary.written[0].metadata)
    assert all(entry[0]["tp_wasd"] == [] and entry[0]["tp_lclick"] == 0
               for entry in meta.values())


def test_bad_options_are_refused_before_anything_starts(recording: Path,
                                                         tmp_path: Path) -> None:
    config = _config(recording, tmp_path / "log.jsonl")
    with pytest.raises(ArgumentError, match="policy"):
        Recorder(config, RecordOptions(out_dir=tmp_path, mode="spectate"),
                 policy=RandomPolicy(0))
    with pytest.raises(ArgumentError, match="mode"):
        Recorder(config, RecordOptions(out_dir=tmp_path, mode="watch"))
    with pytest.raises(ArgumentError, match="files"):
        Recorder(config, RecordOptions(out_dir=tmp_path, files=0))
    with pytest.raises(ArgumentError, match="switch key"):
        Recorder(config, RecordOptions(out_dir=tmp_path, mode="spectate", switch_key="z"))
    with pytest.raises(ArgumentError, match="no policy"):
        Recorder(config, RecordOptions(out_dir=tmp_path, keys="sent"))
    assert not list(tmp_path.glob("*.hdf5"))
