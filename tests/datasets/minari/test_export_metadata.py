"""Game state from the metadata files in the converted episodes, and metadata that does not
match its recordings: reported by name, not merged."""

from __future__ import annotations

import math
import os
from pathlib import Path

import h5py
import numpy as np
import pytest

from csgo_env.datasets.loader import SequenceDataset
from csgo_env.datasets.minari import storage as ms
from csgo_env.datasets.minari.episode_meta import FIELDS, meta_arrays
from csgo_env.datasets.minari.export import convert
from csgo_env.datasets.pearce.metadata import load_metadata, write_metadata
from csgo_env.datasets.synthetic.recordings import SYNTHETIC_MARKER, write_synthetic_recordings

NAME = "hdf5_dm_july2021_expert_{}.hdf5"
TRAIN = "csgo/dust2-expert-train-v0"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("meta_sample")
    write_synthetic_recordings(folder, family="dust2-expert", files=2, seed=3)
    return folder


def _curr_vars(meta: dict, number: int) -> list[dict]:
    return [meta[f"file_num{number}_frame_{j}"][0] for j in range(1000)]


def _episode(root: Path, name: str) -> Path:
    return ms.data_dir(root, TRAIN) / ms.EPISODES_DIR / name


def _copy(sample: Path, folder: Path, names: list[str]) -> None:
    folder.mkdir()
    for name in [*names, SYNTHETIC_MARKER]:
        os.link(sample / name, folder / name)


def test_metadata_beside_is_merged_with_units_and_missing_marked(sample: Path,
                                                                 tmp_path: Path) -> None:
    root = tmp_path / "minari"
    report = convert([sample], out_dir=root, workers=1, progress=False)
    assert report.ok and sorted(report.with_metadata) == [NAME.format(1), NAME.format(2)]
    assert not report.metadata_rejected and "merged into 2 episodes" in report.summary()
    meta = load_metadata(sample / "currvarsv2_dm_july2021_expert_1_to_2.npy")
    curr_vars = _curr_vars(meta, 2)
    values, known = meta_arrays(curr_vars)
    with h5py.File(_episode(root, NAME.format(2)), "r") as f:
        g = f["episode"]
        assert g.attrs["metadata_file"] == "currvarsv2_dm_july2021_expert_1_to_2.npy"
        for field in FIELDS:
            np.testing.assert_array_equal(g[f"infos/meta/{field.name}"][()],
                                          values[field.name])
            np.testing.assert_array_equal(g[f"infos/meta_known/{field.name}"][()],
                                          known[field.name])
        assert g["infos/meta/position"].shape == (1000, 3)
    # units and frames of reference as documented
    np.testing.assert_array_equal(values["position"][:, 0], [cv["localpos1"] for cv in curr_vars])
    np.testing.assert_array_equal(values["yaw_deg"], [cv["viewangle_xy"] for cv in curr_vars])
    np.testing.assert_array_equal(values["kills"], [cv["gsi_kills"] for cv in curr_vars])
    dead = values["health"] == 0
    assert dead.any() and not known["weapon"][dead].any()  # no weapon while dead: unknown
    assert np.isnan(values["armor"]).all() and not known["armor"].any()  # never recorded
    # the loader returns the same values with a sequence, on request
    data = SequenceDataset(TRAIN, root=root, seq_len=40, metadata=True)
    item = data.sequence_at(1, 500)
    np.testing.assert_array_equal(item["meta"]["position"].numpy(), values["position"][500:540])
    np.testing.assert_array_equal(item["meta_known"]["armor"].numpy(), np.zeros(40, bool))
    assert "meta" not in SequenceDataset(TRAIN, root=root, seq_len=40).sequence_at(1, 500)
    data.close()
    # straight from the recordings (public layout), the metadata beside them is read
    direct = SequenceDataset(sample / NAME.format(2), seq_len=40, metadata=True)
    np.testing.assert_array_equal(direct.sequence_at(0, 500)["meta"]["clip_ammo"].numpy(),
                                  values["clip_ammo"][500:540])
    direct.close()


def test_metadata_with_another_frame_count_is_reported_and_not_merged(sample: Path,
                                                                      tmp_path: Path) -> None:
    folder = tmp_path / "src"
    _copy(sample, folder, [NAME.format(1), NAME.format(2)])
    meta = load_metadata(sample / "currvarsv2_dm_july2021_expert_1_to_2.npy")
    del meta["file_num2_frame_999"]  # file 2 loses its last frame
    write_metadata(folder / "currvarsv2_dm_july2021_expert_1_to_2.npy", meta)
    root = tmp_path / "minari"
    report = convert([folder], out_dir=root, workers=1, progress=False)
    assert report.ok  # the recordings themselves are fine and converted
    assert list(report.with_metadata) == [NAME.format(1)]
    why = report.metadata_rejected[NAME.format(2)]
    assert "currvarsv2_dm_july2021_expert_1_to_2.npy" in why and NAME.format(2) in why
    assert "another frame count" in why and "999" in why
    assert f"METADATA NOT MERGED for {NAME.format(2)}" in report.summary()
    with h5py.File(_episode(root, NAME.format(2)), "r") as f:
        assert "meta" not in f["episode/infos"] and f["episode"].attrs["metadata_file"] == ""
    item = SequenceDataset(TRAIN, root=root, seq_len=10, metadata=True).sequence_at(1, 0)
    assert not item["meta_known"]["position"].any()
    assert all(math.isnan(v) for v in item["meta"]["health"].tolist())


def test_metadata_of_other_file_numbers_is_reported_and_not_merged(sample: Path,
                                                                   tmp_path: Path) -> None:
    folder = tmp_path / "src"
    _copy(sample, folder, [NAME.format(1)])
    meta = load_metadata(sample / "currvarsv2_dm_july2021_expert_1_to_2.npy")
    other = {k.replace("file_num1_", "file_num5_"): v for k, v in meta.items()
             if k.startswith("file_num1_")}
    given = write_metadata(tmp_path / "currvarsv2_dm_july2021_expert_5_to_6.npy", other)
    renamed = write_metadata(tmp_path / "my_metadata.npy", other)
    report = convert([folder], out_dir=tmp_path / "a", workers=1, progress=False,
                     metadata=[given])
    why = report.metadata_rejected[NAME.format(1)]
    assert "currvarsv2_dm_july2021_expert_5_to_6.npy" in why and NAME.format(1) in why
    assert not report.with_metadata
    report = convert([folder], out_dir=tmp_path / "b", workers=1, progress=False,
                     metadata=[renamed])
    why = report.metadata_rejected[NAME.format(1)]
    assert "my_metadata.npy" in why and "file number 1" in why and "5" in why
    assert not report.with_metadata and report.ok
