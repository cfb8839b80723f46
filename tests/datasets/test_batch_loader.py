"""Whole batches from the workers: the same batches as the standard loader, and slots that
are reused only once the trainer let go of them."""

from __future__ import annotations

import json
import os

import pytest
import torch

from csgo_env.datasets.batch_loader import make_batch_loader
from csgo_env.datasets.loader import SequenceDataset, make_loader
from csgo_env.datasets.minari.export import convert
from csgo_env.datasets.synthetic.recordings import SYNTHETIC_MARKER
from tests.support.synthetic import synthetic_pool

TRAIN = "csgo/dust2-expert-train-v0"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory):
    pool = synthetic_pool(tmp_path_factory)
    src = tmp_path_factory.mktemp("batch_src")
    names = ["hdf5_dm_july2021_expert_1.hdf5", "hdf5_dm_july2021_expert_2.hdf5"]
    for path, name in zip(pool, names, strict=True):
        os.link(path, src / name)
    (src / SYNTHETIC_MARKER).write_text(json.dumps({"synthetic": True, "files": names}))
    out = tmp_path_factory.mktemp("batch_root")
    assert convert([src], out_dir=out, workers=1, progress=False).ok
    return out


def _assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].dtype == b[key].dtype and a[key].shape == b[key].shape, key
        assert torch.equal(a[key], b[key]), key


@pytest.mark.parametrize("workers", [0, 2])
@pytest.mark.parametrize("options", [{}, {"frame_stack": 3, "resize": (75, 140),
                                          "channels_first": True}])
def test_same_batches_as_the_standard_loader(root, workers: int, options: dict) -> None:
    ds = SequenceDataset(TRAIN, root=root, seq_len=16, samples_per_epoch=30, **options)
    standard = make_loader(ds, batch_size=4, num_workers=workers)
    whole = make_batch_loader(ds, batch_size=4, num_workers=workers)
    count = 0
    for a, b in zip(standard, whole, strict=True):  # streamed: slots are reused
        _assert_same(a, b)
        count += 1
    assert count == len(whole) == 8  # 30 samples in batches of 4, the last one short
    assert whole.fresh_batches == 0


def test_a_kept_batch_is_never_overwritten(root) -> None:
    ds = SequenceDataset(TRAIN, root=root, seq_len=16, samples_per_epoch=64)
    loader = make_batch_loader(ds, batch_size=4, num_workers=2)
    kept_views, copies = [], []
    for i, batch in enumerate(loader):
        if i in (0, 3):  # keep a view only: it alone must keep the slot taken
            kept_views.append(batch["observations"][1:3])
            copies.append(batch["observations"][1:3].clone())
    for view, copy in zip(kept_views, copies, strict=True):
        assert torch.equal(view, copy)
    assert loader.fresh_batches > 0  # the slots held by the views were not handed out
    kept = list(make_batch_loader(ds, batch_size=4, num_workers=2))  # every batch kept
    for a, b in zip(make_loader(ds, batch_size=4, num_workers=0), kept, strict=True):
        _assert_same(a, b)
