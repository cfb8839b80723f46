"""SequenceDataset: exact sequences, uniform deterministic sampling, workers, stacking, resizing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from csgo_env.datasets.loader import SequenceDataset, make_loader
from csgo_env.datasets.minari.export import convert
from csgo_env.datasets.pearce.reader import Recording
from csgo_env.datasets.synthetic.recordings import SYNTHETIC_MARKER
from csgo_env.errors import DatasetError, DatasetNotFound
from csgo_env.rewards import DEFAULT_REWARD
from tests.support.synthetic import synthetic_pool

TRAIN = "csgo/dust2-expert-train-v0"




@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> dict:
    pool = synthetic_pool(tmp_path_factory)
    src = tmp_path_factory.mktemp("loader_src")
    names = ["hdf5_dm_july2021_expert_1.hdf5", "hdf5_dm_july2021_expert_2.hdf5"]
    for path, name in zip(pool, names, strict=True):
        os.link(path, src / name)
    (src / SYNTHETIC_MARKER).write_text(json.dumps({"synthetic": True, "files": names}))
    root = tmp_path_factory.mktemp("loader_root")
    assert convert([src], out_dir=root, workers=1, progress=False).ok
    return {"root": root, "src": src, "files": [src / n for n in names]}


def test_sequences_equal_the_source_recordings(store: dict) -> None:
    ds = SequenceDataset(TRAIN, root=store["root"], seq_len=96)
    assert len(ds.episodes) == 2 and ds.total_sequences == 2 * (999 - 96 + 1)
    for index in range(6):
        episode, start = ds.locate(index)
        item = ds[index]
        with Recording(store["files"][episode]) as rec:
            frames = rec.frames(start, start + 96)
            actions = rec.actions(start, start + 96)
            helper = rec.helper(start + 1, start + 97)
        assert item["observations"].dtype == torch.uint8
        np.testing.assert_array_equal(item["observations"].numpy(), frames)
        np.testing.assert_array_equal(item["actions"].numpy(), actions)
        np.testing.assert_array_equal(item["kill"].numpy(), helper[:, 0] == 1)
        np.testing.assert_array_equal(item["death"].numpy(), helper[:, 1] == 1)
        expected = DEFAULT_REWARD(helper[:, 0], helper[:, 1], actions[:, 11])
        np.testing.assert_allclose(item["rewards"].numpy(), expected, rtol=1e-6)
        assert int(item["episode"]) == episode and int(item["start"]) == start
        assert item["truncations"].numpy().any() == (start + 96 == 999)


def test_recordings_give_the_same_sequences_as_the_store(store: dict) -> None:
    fast = SequenceDataset(TRAIN, root=store["root"], seq_len=32, seed=3)
    slow = SequenceDataset(store["src"], seq_len=32, seed=3)
    assert [e.source for e in slow.episodes] == [e.source for e in fast.episodes]
    for index in (0, 1, 7):
        a, b = fast[index], slow[index]
        assert a.keys() == b.keys()
        for key in a:
            np.testing.assert_array_equal(a[key].numpy(), b[key].numpy(), err_msg=key)
    last = fast.sequence_at(1, 999 - 32)
    np.testing.assert_array_equal(last["truncations"].numpy(),
                                  slow.sequence_at(1, 999 - 32)["truncations"].numpy())
    assert last["truncations"].numpy().tolist() == [False] * 31 + [True]


def test_sampling_is_uniform_and_reproducible(store: dict) -> None:
    ds = SequenceDataset(TRAIN, root=store["root"], seq_len=32, seed=7, samples_per_epoch=4000)
    places = np.array([ds.locate(i) for i in range(4000)])
    assert 0.45 < places[:, 0].mean() < 0.55  # two episodes of equal length
    assert places[:, 1].min() < 20 and places[:, 1].max() > 999 - 32 - 20
    assert places[:, 1].max() <= 999 - 32
    again = SequenceDataset(TRAIN, root=store["root"], seq_len=32, seed=7, samples_per_epoch=4000)
    assert [again.locate(i) for i in range(50)] == [tuple(p) for p in places[:50]]
    ds.set_epoch(1)
    assert [ds.locate(i) for i in range(50)] != [tuple(p) for p in places[:50]]


def test_dataloader_workers_give_the_same_batches(store: dict) -> None:
    ds = SequenceDataset(TRAIN, root=store["root"], seq_len=16, seed=1, samples_per_epoch=8)
    serial = [b["start"] for b in make_loader(ds, batch_size=4, num_workers=0)]
    batches = list(make_loader(ds, batch_size=4, num_workers=2))
    assert [b["start"].tolist() for b in batches] == [s.tolist() for s in serial]
    assert batches[0]["observations"].shape == (4, 16, 150, 280, 3)
    assert batches[0]["actions"].shape == (4, 16, 15)


def test_frame_stacking_resizing_channels_first(store: dict) -> None:
    stacked = SequenceDataset(TRAIN, root=store["root"], seq_len=8, frame_stack=4)
    episode, start = 0, 3
    item = stacked.sequence_at(episode, start)
    assert item["observations"].shape == (8, 4, 150, 280, 3)
    with Recording(store["files"][episode]) as rec:
        frames = rec.frames(0, 11)
    np.testing.assert_array_equal(item["observations"][0].numpy(), frames[0:4])
    np.testing.assert_array_equal(item["observations"][7].numpy(), frames[7:11])
    assert min(stacked.locate(i)[1] for i in range(200)) >= 3
    small = SequenceDataset(TRAIN, root=store["root"], seq_len=4, resize=(75, 140),
                          channels_first=True)
    obs = small.sequence_at(0, 10)["observations"]
    assert obs.shape == (4, 3, 75, 140) and obs.dtype == torch.uint8
    full = SequenceDataset(TRAIN, root=store["root"], seq_len=4).sequence_at(0, 10)["observations"]
    pooled = full.float().reshape(4, 75, 2, 140, 2, 3).mean((2, 4)).permute(0, 3, 1, 2)
    assert (obs.float() - pooled).abs().mean() < 3.0


def test_bad_arguments(store: dict, tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFound, match="convert first"):
        SequenceDataset("csgo/aim-expert-test-v0", root=store["root"])
    with pytest.raises(DatasetError, match="seq_len longer than every episode"):
        SequenceDataset(TRAIN, root=store["root"], seq_len=1000)
    with pytest.raises(DatasetError, match="seq_len must be positive"):
        SequenceDataset(TRAIN, root=store["root"], seq_len=0)
    with pytest.raises(IndexError):
        SequenceDataset(TRAIN, root=store["root"], samples_per_epoch=3).locate(3)
