"""The catalog: twelve ids, split rules, the packaged DIAMOND list, cards for every id."""

from __future__ import annotations

from pathlib import Path

import pytest

from csgo_env.datasets.minari import catalog
from csgo_env.datasets.pearce.families import FAMILIES
from csgo_env.errors import DatasetError, DatasetNotFound


def test_twelve_ids_one_per_family_and_split() -> None:
    assert len(catalog.CATALOG) == 12
    expected = {f"csgo/{f}-{s}-v0" for f in FAMILIES for s in ("train", "test")}
    assert set(catalog.CATALOG) == expected
    assert "csgo/dust2-scraped-train-v0" in catalog.CATALOG
    assert catalog.dataset_id("aim-expert", "test") == "csgo/aim-expert-test-v0"


def test_minari_parses_every_id() -> None:
    from minari.dataset.minari_dataset import parse_dataset_id

    for did, info in catalog.CATALOG.items():
        assert parse_dataset_id(did) == ("csgo", info.name, 0)


def test_packaged_diamond_list_has_500_scraped_names() -> None:
    names = catalog.diamond_test_names()
    assert len(names) == 500
    assert "hdf5_dm_july2021_3.hdf5" in names
    assert all(FAMILIES["dust2-scraped"].number_of(n) for n in names)
    text = (Path(catalog.__file__).parents[2] / "data" / "diamond_test_split.txt").read_text()
    assert text.count("\n") == 500 and text.endswith(".hdf5\n")


def test_scraped_split_follows_diamond_list_by_bare_name() -> None:
    names = catalog.diamond_test_names()
    numbers = [FAMILIES["dust2-scraped"].number_of(n) for n in names]
    inside = f"/data/1-200/hdf5_dm_july2021_{min(numbers)}.hdf5"
    outside_n = next(n for n in range(1, 6000) if f"hdf5_dm_july2021_{n}.hdf5" not in names)
    assert catalog.split_of(inside) == "test"
    assert catalog.split_of(f"hdf5_dm_july2021_{outside_n}.hdf5") == "train"
    # number 10 is not special for the scraped family: only the list decides
    ten = "hdf5_dm_july2021_10.hdf5"
    assert catalog.split_of(ten) == ("test" if ten in names else "train")
    tests = sum(catalog.split_of(f"hdf5_dm_july2021_{n}.hdf5") == "test"
                for n in range(1, 5504))
    assert tests == len([n for n in numbers if n <= 5503])


@pytest.mark.parametrize("family", [f for f in FAMILIES if f != "dust2-scraped"])
def test_expert_split_is_n_divisible_by_10(family: str) -> None:
    fam = FAMILIES[family]
    splits = {n: catalog.split_of(fam.file_name(n)) for n in range(1, fam.expected_files + 1)}
    assert [n for n, s in splits.items() if s == "test"] == \
        list(range(10, fam.expected_files + 1, 10))
    info = catalog.CATALOG[catalog.dataset_id(family, "test")]
    assert info.expected_files == len([s for s in splits.values() if s == "test"])
    assert info.contains(fam.file_name(10)) and not info.contains(fam.file_name(11))


def test_counts_and_sizes() -> None:
    c = catalog.CATALOG
    assert c["csgo/dust2-scraped-test-v0"].expected_files == 500
    assert c["csgo/dust2-scraped-train-v0"].expected_files == 5003
    assert c["csgo/dust2-expert-test-v0"].expected_files == 19
    assert c["csgo/dust2-expert-train-v0"].expected_files == 171
    assert c["csgo/aim-expert-test-v0"].expected_files == 4
    assert c["csgo/nuke-expert-train-v0"].expected_steps == 9 * 999
    assert c["csgo/dust2-expert-train-v0"].approx_size_gb == pytest.approx(21.5, abs=0.1)


def test_dataset_of_and_errors() -> None:
    assert catalog.dataset_of("hdf5_dm_mirage_expert_20.hdf5").dataset_id == \
        "csgo/mirage-expert-test-v0"
    with pytest.raises(DatasetError, match="no family"):
        catalog.split_of("frames_001.hdf5")
    with pytest.raises(DatasetNotFound, match="did you mean 'csgo/dust2-expert-test-v0'"):
        catalog.get_dataset_info("csgo/dust2-expert-tset-v0")
    with pytest.raises(DatasetError, match="unknown split"):
        catalog.dataset_id("aim-expert", "valid")


def test_a_card_for_every_id(repo_root: Path) -> None:
    cards = repo_root / "datasets"
    for did, info in catalog.CATALOG.items():
        card = cards / f"{info.name}-v0.md"
        text = card.read_text("utf-8")
        assert f"`{did}`" in text
        assert "Pearce" in text and "TeaPearce/Counter-Strike_Behavioural_Cloning" in text
        assert str(info.expected_files) in text.replace(",", "")
    assert "diamond_test_split" in (cards / "dust2-scraped-test-v0.md").read_text()
    index = (cards / "README.md").read_text("utf-8")
    assert all(did in index for did in catalog.CATALOG)
