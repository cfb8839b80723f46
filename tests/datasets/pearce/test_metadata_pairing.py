"""Pairing recordings with metadata files: names, file numbers, frame counts, bad fields."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from csgo_env.datasets.pearce.infer_batch import MetadataIndex
from csgo_env.datasets.pearce.metadata import write_metadata
from csgo_env.datasets.pearce.metadata_columns import columns_from_curr_vars
from csgo_env.datasets.pearce.metadata_pairing import (
    MetadataFile,
    metadata_beside,
    recording_number,
)
from csgo_env.datasets.synthetic.kinematics import simulate_curr_vars
from csgo_env.errors import DatasetError, MetadataMismatch
from tests.support.kinematics import blank, hold


def metadata_of(number: int, frames: int) -> dict:
    curr_vars = simulate_curr_vars(hold(blank(frames), "w", 1, frames))
    return {f"file_num{number}_frame_{j}": [cv, [[], 0.0, 0.0, 0, 0], np.zeros(2)]
            for j, cv in enumerate(curr_vars)}


def test_recording_numbers_of_public_names() -> None:
    assert recording_number("a/hdf5_dm_july2021_expert_12.hdf5") == ("dm_july2021_expert_", 12)
    assert recording_number("hdf5_dm_july2021_7.hdf5") == ("dm_july2021_", 7)
    with pytest.raises(DatasetError, match="hdf5_\\{stub\\}\\{N\\}"):
        recording_number("recording.hdf5")


def test_metadata_beside_is_the_file_whose_name_covers_the_number(tmp_path: Path) -> None:
    for name in ("currvarsv2_dm_july2021_1_to_100.npy", "currvarsv2_dm_july2021_101_to_200.npy",
                 "currvarsv2_dm_july2021_expert_101_to_190.npy"):
        (tmp_path / name).touch()
    found = metadata_beside(tmp_path / "hdf5_dm_july2021_150.hdf5")
    assert found is not None and found.name == "currvarsv2_dm_july2021_101_to_200.npy"
    found = metadata_beside(tmp_path / "hdf5_dm_july2021_expert_150.hdf5")
    assert found is not None and found.name == "currvarsv2_dm_july2021_expert_101_to_190.npy"
    assert metadata_beside(tmp_path / "hdf5_dm_july2021_201.hdf5") is None


def test_a_metadata_file_without_the_number_is_named(tmp_path: Path) -> None:
    path = write_metadata(tmp_path / "currvarsv2_dm_july2021_1_to_100.npy", metadata_of(2, 30))
    meta = MetadataFile.load(path)
    with pytest.raises(MetadataMismatch) as err:
        meta.curr_vars(1, 30, recording="hdf5_dm_july2021_1.hdf5")
    text = str(err.value)
    assert "currvarsv2_dm_july2021_1_to_100.npy" in text and "hdf5_dm_july2021_1.hdf5" in text
    assert "file numbers 2" in text


def test_another_frame_count_is_a_mismatch(tmp_path: Path) -> None:
    meta = MetadataFile.load(write_metadata(tmp_path / "m.npy", metadata_of(1, 30)))
    with pytest.raises(MetadataMismatch, match=r"expected 40 frames .* got 30 frames"):
        meta.curr_vars(1, 40, recording="hdf5_x_1.hdf5")
    assert len(meta.curr_vars(1, 30)) == 30


def test_missing_frames_are_a_mismatch(tmp_path: Path) -> None:
    content = metadata_of(1, 30)
    del content["file_num1_frame_12"]
    meta = MetadataFile.load(write_metadata(tmp_path / "m.npy", content))
    with pytest.raises(MetadataMismatch, match=r"not contiguous.*missing frames \[12\]"):
        meta.curr_vars(1)


def test_explicit_metadata_must_hold_the_family_and_number(tmp_path: Path) -> None:
    other = write_metadata(tmp_path / "currvarsv2_dm_july2021_expert_1_to_1.npy",
                           metadata_of(1, 10))
    index = MetadataIndex([other])
    with pytest.raises(MetadataMismatch, match="none of the metadata files given"):
        index.for_recording(tmp_path / "hdf5_dm_july2021_1.hdf5")  # another family
    assert index.for_recording(tmp_path / "hdf5_dm_july2021_expert_1.hdf5").path == other


def test_a_missing_field_names_the_frame_and_key() -> None:
    curr_vars = simulate_curr_vars(blank(10))
    del curr_vars[4]["height"]
    with pytest.raises(MetadataMismatch, match=r"m\.npy: frame 4: curr_vars lacks 'height'"):
        columns_from_curr_vars(curr_vars, source="m.npy")
    curr_vars = simulate_curr_vars(blank(10))
    curr_vars[3]["vel_1"] = "fast"
    with pytest.raises(MetadataMismatch, match="frame 3: 'vel_1' is not a number"):
        columns_from_curr_vars(curr_vars)


def test_derived_fields_are_recomputed_from_raw_ones() -> None:
    play = hold(blank(40), "w", 1, 40)
    play.mouse[5:20, 0] = 30
    full = simulate_curr_vars(play)
    raw = [{k: v for k, v in cv.items()
            if k not in ("xy_rad", "zvert_rads", "vel_mag", "vel_theta_abs")} for cv in full]
    a, b = columns_from_curr_vars(full), columns_from_curr_vars(raw)
    for name in ("xy_rad", "zvert_rads", "vel_mag", "vel_theta_abs"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), atol=1e-12)
