"""Human references from a converted dataset's flags and its metadata, and their cache."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from csgo_env.datasets.pearce.metadata import load_metadata
from csgo_env.datasets.pearce.reader import Recording
from csgo_env.evaluation import human_reference as hr
from csgo_env.evaluation.maps import get_map
from tests.support.evaluation import TEST, TRAIN


def flags(src: Path, number: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with Recording(src / f"hdf5_dm_july2021_expert_{number}.hdf5") as rec:
        helper = rec.helper(1, 1000)
        fire = rec.actions(0, 999)[:, 11]
    return helper[:, 0] == 1, helper[:, 1] == 1, fire


def test_rates_from_the_flags(converted: dict[str, Path]) -> None:
    numbers, grids = hr.human_reference(TRAIN, converted["root"])
    kill, death, _ = flags(converted["src"], 1)
    minutes = 999 / 16 / 60
    assert numbers["kills"] == kill.sum() and numbers["deaths"] == death.sum()
    assert numbers["kills_per_minute"] == pytest.approx(kill.sum() / minutes)
    assert numbers["kd"] == pytest.approx(kill.sum() / max(death.sum(), 1))
    assert numbers["synthetic"] is True and numbers["dataset_id"] == TRAIN
    assert "respawn" in numbers["lifetime_method"] and grids == {}
    deaths = np.flatnonzero(death)
    assert numbers["samples"]["lifetime"] == pytest.approx(list(np.diff(deaths) / 16))


def test_positions_from_metadata_and_the_cache(converted: dict[str, Path],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    numbers, grids = hr.human_reference(TEST, converted["root"], metadata=[converted["src"]])
    meta = load_metadata(converted["src"] / "currvarsv2_dm_july2021_expert_10_to_10.npy")
    xs = np.array([meta[f"file_num10_frame_{j}"][0]["localpos1"] for j in range(1, 1000)])
    ys = np.array([meta[f"file_num10_frame_{j}"][0]["localpos2"] for j in range(1, 1000)])
    health = np.array([meta[f"file_num10_frame_{j}"][0]["gsi_health"] for j in range(1, 1000)])
    kill, death, _ = flags(converted["src"], 10)
    frame = get_map("de_dust2")
    _, _, inside = frame.world_to_cell(xs, ys)
    assert numbers["positions_known"] == 999 and numbers["frame"]["map"] == "de_dust2"
    assert grids["occupancy/all"].sum() == inside.sum()
    team = meta["file_num10_frame_1"][0]["gsi_team"]
    assert grids[f"occupancy/{team}"].sum() == inside.sum()
    assert grids["kills/all"].sum() == (kill & inside).sum()
    assert numbers["lifetime_method"].startswith("alive ticks")
    deaths = np.flatnonzero(death)
    alive = health > 0
    expected = [alive[a + 1:b + 1].sum() / 16 for a, b in itertools.pairwise(deaths)]
    assert numbers["samples"]["lifetime"] == pytest.approx(expected)
    cached = list((hr.cache_root() / TEST).glob("*+positions.json"))
    assert len(cached) == 1 and numbers["dataset_version"] in cached[0].name

    def broken(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(hr, "compute_reference", broken)
    again, grids_again = hr.human_reference(TEST, converted["root"], metadata=[converted["src"]])
    assert again == numbers
    assert set(grids_again) == set(grids)
    for key in grids:
        np.testing.assert_array_equal(grids_again[key], grids[key])
