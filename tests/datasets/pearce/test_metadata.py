"""Metadata .npy files: the np.save format, safe loading, refusal of code in pickles."""

from __future__ import annotations

import io
import os
import pickle
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

from csgo_env.actions import Action
from csgo_env.datasets.pearce.metadata import load_metadata, load_npy, write_metadata
from csgo_env.datasets.pearce.reader import Recording
from csgo_env.errors import DatasetError, UnsafePickle

CURR_VARS_KEYS = {
    "gsi_team", "gsi_health", "gsi_kills", "gsi_deaths", "gsi_weapons", "found_active",
    "obs_mode", "obs_health", "obs_fov", "obs_scope", "localpos1", "localpos2", "localpos3",
    "height", "vel_1", "vel_2", "vel_3", "vel_mag", "viewangle_vert", "viewangle_xy",
    "zvert_rads", "xy_rad", "vel_theta_abs", "itemdef", "ammo_active", "tp_wasd", "tp_lclick"}


def plain_metadata() -> dict:
    return {
        "file_num1_frame_0": [
            {"gsi_team": "CT", "gsi_health": 100, "vel_mag": np.float64(173.3),
             "found_active": np.bool_(True), "itemdef": np.int64(7),
             "gsi_weapons": {"weapon_0": {"name": "weapon_knife", "state": "holstered"}},
             "tags": {"a", "b"}, "frozen": frozenset({1}), "z": 1 + 2j, "none": None},
            [["w", "a"], 9.2392, -3.0797, 0, 0],
            np.array([0.0, 1.0])],
        "ordered": OrderedDict(x=1), "table": np.arange(12, dtype=np.float32).reshape(3, 4),
        "blob": b"\x00\x01", "buffer": bytearray(b"ab"), "tuple": (1, 2.5, "s")}


def test_write_metadata_matches_np_save_byte_for_byte(tmp_path: Path) -> None:
    data = plain_metadata()
    ours = write_metadata(tmp_path / "currvarsv2_dm_july2021_1_to_100.npy", data)
    reference = io.BytesIO()
    np.save(reference, data, allow_pickle=True)
    assert ours.read_bytes() == reference.getvalue()
    assert not list(tmp_path.glob(".*partial"))


def test_round_trip_keeps_values_and_types(tmp_path: Path) -> None:
    data = plain_metadata()
    got = load_metadata(write_metadata(tmp_path / "m.npy", data))
    curr_vars, infer_a, helper = got["file_num1_frame_0"]
    assert curr_vars["vel_mag"] == 173.3 and isinstance(curr_vars["vel_mag"], np.float64)
    assert isinstance(curr_vars["found_active"], np.bool_)
    assert curr_vars["tags"] == {"a", "b"} and curr_vars["z"] == 1 + 2j
    assert infer_a == [["w", "a"], 9.2392, -3.0797, 0, 0]
    np.testing.assert_array_equal(helper, [0.0, 1.0])
    np.testing.assert_array_equal(got["table"], data["table"])
    assert got["table"].dtype == np.float32 and got["ordered"] == OrderedDict(x=1)
    assert got["blob"] == b"\x00\x01" and got["tuple"] == (1, 2.5, "s")


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_every_pickle_protocol_of_plain_data_loads(tmp_path: Path, protocol: int) -> None:
    path = tmp_path / f"p{protocol}.pkl"
    data = plain_metadata()
    path.write_bytes(pickle.dumps(np.asarray(data, dtype=object), protocol=protocol))
    assert load_npy(path).item()["tuple"] == (1, 2.5, "s")


class _OsSystem:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (os.system, (f"touch {self.marker}",))


class _OpenFile:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (open, (str(self.marker), "w"))


@pytest.mark.parametrize("payload", [_OsSystem, _OpenFile])
def test_code_in_a_pickle_is_refused_without_running(tmp_path: Path, payload: type) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "currvarsv2_dm_july2021_1_to_100.npy"
    with open(path, "wb") as fh:  # what a malicious metadata file looks like
        np.save(fh, {"file_num1_frame_0": [payload(marker), [], None]}, allow_pickle=True)
    with pytest.raises(UnsafePickle) as info:
        load_metadata(path)
    assert str(path) in str(info.value)
    assert "system" in str(info.value) or "open" in str(info.value)
    assert not marker.exists()
    # the payload is live: numpy's own loader runs it
    np.load(path, allow_pickle=True)
    assert marker.exists()


def test_bare_pickle_and_persistent_ids_are_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    bare = tmp_path / "bare.pkl"
    bare.write_bytes(pickle.dumps([_OsSystem(marker)]))
    with pytest.raises(UnsafePickle, match=r"(posix|nt)\.system"):
        load_npy(bare)
    pid = tmp_path / "pid.pkl"
    pid.write_bytes(b"\x80\x04P0\n.")  # PERSID '0'
    with pytest.raises(UnsafePickle, match="persistent"):
        load_npy(pid)
    assert not marker.exists()


def test_damaged_and_wrong_files(tmp_path: Path) -> None:
    good = write_metadata(tmp_path / "m.npy", plain_metadata())
    cut = tmp_path / "cut.npy"
    cut.write_bytes(good.read_bytes()[:300])
    with pytest.raises(DatasetError, match=r"cut\.npy"):
        load_metadata(cut)
    plain = tmp_path / "plain.npy"
    np.save(plain, np.arange(5))
    np.testing.assert_array_equal(load_npy(plain), np.arange(5))
    with pytest.raises(DatasetError, match="must hold a dict"):
        load_metadata(plain)
    with pytest.raises(UnsafePickle):
        write_metadata(tmp_path / "evil.npy", {"x": _OpenFile(tmp_path / "pwned")})
    assert not (tmp_path / "evil.npy").exists() and not (tmp_path / "pwned").exists()


def test_sample_metadata_matches_its_recording(sample_dir: Path, full_file: Path) -> None:
    meta = load_metadata(sample_dir / "currvarsv2_dm_july2021_expert_1_to_1.npy")
    assert len(meta) == 1000 and "file_num1_frame_999" in meta
    with Recording(full_file) as rec:
        vectors, helper, xaux = rec.action_vectors(), rec.helper(), rec.xaux()
    kills = [meta[f"file_num1_frame_{j}"][0]["gsi_kills"] for j in range(1000)]
    for j in range(1000):
        curr_vars, infer_a, flags = meta[f"file_num1_frame_{j}"]
        assert set(curr_vars) >= CURR_VARS_KEYS and curr_vars["synthetic"] is True
        np.testing.assert_array_equal(Action.from_infer_a(infer_a).to_vector(), vectors[j])
        np.testing.assert_array_equal(flags, helper[j])
        if curr_vars["found_active"]:
            assert {"gsi_weap_active", "gsi_ammo"} <= set(curr_vars)
            if j < 999:  # xaux of the next frame carries this frame's clip ammo / 30
                assert xaux[j + 1, 16] * 30 == pytest.approx(curr_vars["gsi_ammo"])
        if j:
            assert (kills[j] - kills[j - 1] == 1) == bool(helper[j, 0])
    assert meta["file_num1_frame_0"][1] == [[], 0.0, 0.0, 0, 0]
