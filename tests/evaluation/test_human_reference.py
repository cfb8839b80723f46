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


def test_positions_from_per_file_metadata_are_matched_by_file_name(tmp_path: Path) -> None:
    # The recorder's and the OpenArena builder's layout: {file name: [curr_vars per frame]};
    # Minari names the episode "<file>:/episode". File 2's metadata must not be used.
    from csgo_env.datasets.pearce.metadata import write_metadata
    from csgo_env.evaluation.dataset_arrays import EpisodeArrays

    steps = 40
    rng = np.random.default_rng(0)
    cvs = {name: [{"localpos1": float(x), "localpos2": float(y), "gsi_health": 100}
                  for x, y in rng.uniform(0, 500, (steps + 1, 2))]
           for name in ("oa_a_r1_1.hdf5", "oa_a_r2_1.hdf5")}
    write_metadata(tmp_path / "currvars_oa_a_r1.npy", {"oa_a_r1_1.hdf5": cvs["oa_a_r1_1.hdf5"]})
    write_metadata(tmp_path / "currvars_oa_a_r2.npy", {"oa_a_r2_1.hdf5": cvs["oa_a_r2_1.hdf5"]})
    ep = EpisodeArrays(np.zeros((steps, 15), np.int64), np.zeros(steps, bool),
                       np.zeros(steps, bool), "oa_a_r1_1.hdf5:/episode", None)
    positions = hr.metadata_positions([tmp_path], {"oa_a_r1_1.hdf5"})
    assert set(positions) == {"oa_a_r1_1.hdf5"} and len(positions["oa_a_r1_1.hdf5"]) == steps + 1
    numbers, grids = hr.compute_reference([ep], map_name=None, positions=positions)
    assert numbers["positions_known"] == steps  # frames 1..T: the step's next frame
    xs = [cv["localpos1"] for cv in cvs["oa_a_r1_1.hdf5"][1:]]
    assert numbers["frame"]["pos_x"] < min(xs) and grids["occupancy/all"].sum() == steps
