"""Conversion of public-layout recordings into Minari datasets, checked through Minari itself."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
from pathlib import Path

import numpy as np
import pytest

from csgo_env.actions import NOOP
from csgo_env.datasets.minari import storage as ms
from csgo_env.datasets.minari.catalog import diamond_test_names
from csgo_env.datasets.minari.export import build_episode, convert, merge
from csgo_env.datasets.pearce.reader import Recording
from csgo_env.datasets.synthetic.recordings import SYNTHETIC_MARKER
from csgo_env.errors import DatasetError
from csgo_env.rewards import DEFAULT_REWARD
from tests.support.synthetic import synthetic_pool

SCRAPED = "hdf5_dm_july2021_{}.hdf5"
EXPERT = "hdf5_dm_july2021_expert_{}.hdf5"




def link_sources(folder: Path, pool: list[Path], names: list[str]) -> dict[str, Path]:
    """Hard-link pool files under ``names`` (alternating), marked synthetic like the pool."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for i, name in enumerate(names):
        os.link(pool[i % len(pool)], folder / name)
        out[name] = pool[i % len(pool)]
    (folder / SYNTHETIC_MARKER).write_text(json.dumps({"synthetic": True, "files": names}))
    return out


def diamond_split_names() -> tuple[list[str], list[str]]:
    names = diamond_test_names()
    inside = sorted((n for n in names), key=lambda n: int(n.split("_")[-1][:-5]))[:3]
    outside = [SCRAPED.format(n) for n in range(1, 60) if SCRAPED.format(n) not in names][:1]
    return inside, outside


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """DIAMOND test names, scraped train names and two expert files, converted once."""
    pool = synthetic_pool(tmp_path_factory)
    inside, outside = diamond_split_names()
    src = tmp_path_factory.mktemp("sources")
    expert = [EXPERT.format(9), EXPERT.format(10)]
    origin = link_sources(src, pool, inside + outside + expert)
    root = tmp_path_factory.mktemp("minari")
    report = convert([src], out_dir=root, workers=2, progress=False)
    return {"root": root, "report": report, "origin": origin, "inside": inside,
            "outside": outside, "src": src}


def load(root: Path, dataset_id: str, monkeypatch: pytest.MonkeyPatch):
    import minari

    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
    return minari.load_dataset(dataset_id)


def test_build_episode_alignment() -> None:
    n = 6
    frames = np.arange(n * 150 * 280 * 3, dtype=np.uint64).astype(np.uint8).reshape(n, 150,
                                                                                     280, 3)
    vectors = np.tile(NOOP.to_vector(), (n, 1))
    vectors[2, 11] = 1  # fire at step 2
    helper = np.zeros((n, 2))
    helper[3, 0] = 1  # kill seen at frame 3 -> caused after action 2
    helper[5, 1] = 1  # death seen at frame 5 -> after action 4 (the last transition)
    ep = build_episode(frames, vectors, helper)
    assert ep.observations.shape == (6, 150, 280, 3) and ep.actions.shape == (5, 15)
    assert ep.rewards.tolist() == pytest.approx([0, 0, 1 - 0.02, 0, -0.5])
    assert ep.kill.tolist() == [False, False, False, True, False, False]
    assert ep.death[5] and ep.truncations.tolist() == [False] * 4 + [True]
    assert not ep.terminations.any()
    helper[1, 1] = 0.5
    with pytest.raises(DatasetError, match="frame 1 is not 0 or 1"):
        build_episode(frames, vectors, helper)


def test_minari_opens_exact_copies_of_the_sources(converted: dict,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    report = converted["report"]
    assert report.ok and len(report.converted) == 6
    assert report.finalized == {"csgo/dust2-scraped-test-v0": 3,
                                "csgo/dust2-scraped-train-v0": 1,
                                "csgo/dust2-expert-train-v0": 1,
                                "csgo/dust2-expert-test-v0": 1}
    ds = load(converted["root"], "csgo/dust2-scraped-test-v0", monkeypatch)
    assert ds.total_episodes == 3 and ds.total_steps == 3 * 999
    metas = list(ds.storage.get_episode_metadata(range(3)))
    assert [m["source_file"] for m in metas] == converted["inside"]
    for i, episode in enumerate(ds.iterate_episodes()):
        source = converted["origin"][metas[i]["source_file"]]
        with Recording(source) as rec:
            frames, actions, helper = rec.frames(), rec.actions(), rec.helper()
        assert episode.observations.dtype == np.uint8
        np.testing.assert_array_equal(episode.observations, frames)
        np.testing.assert_array_equal(episode.actions, actions[:-1])
        expected = DEFAULT_REWARD(helper[1:, 0], helper[1:, 1], actions[:-1, 11])
        np.testing.assert_allclose(episode.rewards, expected)
        np.testing.assert_array_equal(episode.infos["kill"], helper[:, 0] == 1)
        np.testing.assert_array_equal(episode.infos["death"], helper[:, 1] == 1)
        assert episode.truncations.tolist() == [False] * 998 + [True]
        assert not episode.terminations.any()
        assert metas[i]["source_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert ds.env_spec.id == "CSGO-Deathmatch-v0"
    assert str(ds.action_space) == "MultiDiscrete([ 2  2  2  2  2  2  2  2  2  2  2  2  2 23 15])"
    assert ds.observation_space.shape == (150, 280, 3)


def test_split_membership_follows_the_rules(converted: dict,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def sources(did: str) -> list[str]:
        ds = load(converted["root"], did, monkeypatch)
        return [m["source_file"] for m in ds.storage.get_episode_metadata(ds.episode_indices)]

    assert sources("csgo/dust2-scraped-test-v0") == converted["inside"]
    assert sources("csgo/dust2-scraped-train-v0") == converted["outside"]
    assert sources("csgo/dust2-expert-test-v0") == [EXPERT.format(10)]
    assert sources("csgo/dust2-expert-train-v0") == [EXPERT.format(9)]


def test_metadata_records_provenance(converted: dict) -> None:
    from csgo_env import __version__

    meta = ms.read_metadata(ms.data_dir(converted["root"], "csgo/dust2-scraped-train-v0"))
    block = meta["csgo_env"]
    assert meta["jpeg_encoding"] is False and block["encoding"] == "lossless"
    assert block["tool_version"] == __version__ and block["env_id"] == "CSGO-Deathmatch-v0"
    assert block["synthetic"] is True and "DIAMOND" in block["split_rule"]
    assert [s["file"] for s in block["sources"]] == converted["outside"]
    first = converted["origin"][converted["outside"][0]]
    assert block["sources"][0]["sha256"] == hashlib.sha256(first.read_bytes()).hexdigest()
    assert "frame t+1" in block["reward"]["alignment"]
    assert json.loads(meta["env_spec"])["id"] == "CSGO-Deathmatch-v0"


def test_rerun_converts_nothing_twice(converted: dict) -> None:
    report = convert([converted["src"]], out_dir=converted["root"], workers=1, progress=False)
    assert report.converted == [] and report.already_done == 6 and report.ok
    meta = ms.read_metadata(ms.data_dir(converted["root"], "csgo/dust2-scraped-test-v0"))
    assert meta["total_episodes"] == 3


def test_corrupt_file_is_skipped_and_reported(tmp_path: Path,
                                              tmp_path_factory: pytest.TempPathFactory,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    pool = synthetic_pool(tmp_path_factory)
    src = tmp_path / "src"
    link_sources(src, pool, [EXPERT.format(1), EXPERT.format(2)])
    bad = src / EXPERT.format(3)
    bad.write_bytes(pool[0].read_bytes()[: 60_000_000])  # truncated download
    report = convert([src], out_dir=tmp_path / "out", workers=1, progress=False)
    assert not report.ok and list(report.failed) == [bad.name]
    assert any("truncated" in p or "beyond the end" in p for p in report.failed[bad.name])
    ds = load(tmp_path / "out", "csgo/dust2-expert-train-v0", monkeypatch)
    assert ds.total_episodes == 2
    skipped = ds.storage.metadata["csgo_env"]["skipped"]
    assert [s["file"] for s in skipped] == [bad.name]

    strict = convert([src], out_dir=tmp_path / "strict", workers=1, strict=True,
                     progress=False, dataset_ids=["csgo/dust2-expert-train-v0"])
    assert strict.stopped_early and not (tmp_path / "strict" / "csgo" /
                                         "dust2-expert-train-v0" / "data").exists()


def test_tar_archive_is_streamed(tmp_path: Path, converted: dict,
                                 tmp_path_factory: pytest.TempPathFactory,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    names = converted["inside"][1:2]
    archive = tmp_path / "hdf5_dm_july2021_1_to_200.tar"
    with tarfile.open(archive, "w") as tf:  # laid out like the authors' archives
        tf.add(converted["src"] / SYNTHETIC_MARKER, arcname=f"1-200/{SYNTHETIC_MARKER}")
        for name in names:
            tf.add(converted["src"] / name, arcname=f"1-200/{name}")
    out = tmp_path / "out"
    report = convert([archive], out_dir=out, workers=2, progress=False)
    assert report.ok and report.finalized == {"csgo/dust2-scraped-test-v0": 1}
    ds = load(out, "csgo/dust2-scraped-test-v0", monkeypatch)
    ref = load(converted["root"], "csgo/dust2-scraped-test-v0", monkeypatch)
    for a, b in zip(ds.iterate_episodes(), ref.iterate_episodes([1]), strict=True):
        np.testing.assert_array_equal(a.observations, b.observations)
        np.testing.assert_array_equal(a.actions, b.actions)
    block = ds.storage.metadata["csgo_env"]
    ref_block = ref.storage.metadata["csgo_env"]
    assert [s["sha256"] for s in block["sources"]] == \
        [s["sha256"] for s in ref_block["sources"][1:2]]
    assert block["synthetic"] is True
    leftovers = [p for p in out.rglob("*") if p.is_file() and p.suffix == ".hdf5"
                 and "episodes" not in p.parts and p.name != ms.MAIN_FILE]
    assert leftovers == []


def test_shards_then_merge(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    pool = synthetic_pool(tmp_path_factory)
    src = tmp_path / "src"
    names = [EXPERT.format(n) for n in (1, 2, 3)]
    link_sources(src, pool, names)
    out = tmp_path / "out"
    first = convert([src], out_dir=out, workers=1, shard=(1, 2), progress=False)
    assert first.converted == [names[0], names[2]] and first.finalized == {}
    with pytest.raises(DatasetError, match=r"missing shards \[2\]"):
        merge(out)
    second = convert([src], out_dir=out, workers=1, shard=(2, 2), progress=False)
    assert second.converted == [names[1]]
    assert merge(out) == {"csgo/dust2-expert-train-v0": 3}
    ds = load(out, "csgo/dust2-expert-train-v0", monkeypatch)
    assert [m["source_file"] for m in ds.storage.get_episode_metadata(range(3))] == names


def test_dataset_folder_can_move(converted: dict, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    moved = tmp_path / "elsewhere"
    shutil.copytree(converted["root"] / "csgo" / "dust2-expert-test-v0",
                    moved / "csgo" / "dust2-expert-test-v0")
    monkeypatch.chdir(tmp_path)
    ds = load(moved, "csgo/dust2-expert-test-v0", monkeypatch)
    assert ds[0].observations.shape == (1000, 150, 280, 3)


def test_jpeg_is_opt_in_and_recorded(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    pool = synthetic_pool(tmp_path_factory)
    src = tmp_path / "src"
    origin = link_sources(src, pool, [EXPERT.format(20)])
    report = convert([src], out_dir=tmp_path / "out", workers=1, jpeg=True, progress=False)
    assert report.ok
    ds = load(tmp_path / "out", "csgo/dust2-expert-test-v0", monkeypatch)
    assert ds.storage.metadata["jpeg_encoding"] is True
    assert ds.storage.metadata["csgo_env"]["encoding"] == "jpeg"
    with Recording(origin[EXPERT.format(20)]) as rec:
        frames = rec.frames()
    got = ds[0].observations
    error = np.abs(got.astype(np.int16) - frames).mean()
    assert got.shape == frames.shape and 0 < error < 10
