"""The catalog of Minari dataset ids: one per file family and split, with the split rules.

Twelve ids, ``csgo/<family>-<split>-v0`` for the six families of
:mod:`csgo_env.datasets.pearce.families` and the splits ``train`` and ``test``:

* ``dust2-scraped``: test = the 500 file names of DIAMOND's held-out list
  (``csgo_env/data/diamond_test_split.txt``, MIT), matched by bare file name; every other
  scraped file is training data.
* every expert family: test = file number N divisible by 10; the rest is training data.

Counts and sizes are those the dataset authors publish; the expected file counts assume
files numbered 1..N without gaps (the DIAMOND count of 5,503 for the scraped family).
A converted episode keeps its source file name, so any split can be rebuilt.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import PurePath
from types import MappingProxyType
from typing import Literal

from csgo_env.datasets.pearce.families import FAMILIES, Family, family_of, get_family
from csgo_env.datasets.pearce.layout import FRAMES_PER_FILE
from csgo_env.errors import DatasetError, DatasetNotFound, explain
from csgo_env.observations import OBS_BYTES

Split = Literal["train", "test"]
SPLITS: tuple[Split, ...] = ("train", "test")
NAMESPACE = "csgo"
VERSION = 0
STEPS_PER_EPISODE = FRAMES_PER_FILE - 1
"""Transitions per converted episode: observations 0..999, actions 0..998."""
BYTES_PER_FRAME = OBS_BYTES
DIAMOND_SPLIT_FILE = "diamond_test_split.txt"
DIAMOND_TEST_COUNT = 500

_SOURCE_SIZES_GB: Mapping[str, float] = MappingProxyType({
    "dust2-scraped": 700.0, "dust2-expert": 24.0, "aim-expert": 6.0,
    "nuke-expert": 1.0, "mirage-expert": 1.0, "inferno-expert": 1.0,
})
"""Approximate size of each whole family as the authors publish it (GB, all splits)."""


@functools.lru_cache(maxsize=1)
def diamond_test_names() -> frozenset[str]:
    """The 500 bare file names of DIAMOND's scraped-data test split (packaged, MIT licence)."""
    packaged = resources.files("csgo_env").joinpath("data").joinpath(DIAMOND_SPLIT_FILE)
    text = packaged.read_text("utf-8")
    names = frozenset(line.strip() for line in text.splitlines() if line.strip())
    scraped = FAMILIES["dust2-scraped"]
    if len(names) != DIAMOND_TEST_COUNT or not all(scraped.number_of(n) for n in names):
        raise DatasetError(explain(
            f"packaged {DIAMOND_SPLIT_FILE} is damaged",
            expected=f"{DIAMOND_TEST_COUNT} distinct names like {scraped.file_name(3)}",
            got=f"{len(names)} names", fix="reinstall csgo-env"))
    return names


def is_test_file(family: Family, number: int, name: str) -> bool:
    """Whether file ``name`` (number ``number`` of ``family``) belongs to the test split."""
    if family.name == "dust2-scraped":
        return name in diamond_test_names()
    return number % 10 == 0


def split_rule(family: str | Family) -> str:
    """The split rule of a family, in words (recorded in dataset metadata and cards)."""
    fam = family if isinstance(family, Family) else get_family(family)
    if fam.name == "dust2-scraped":
        return (f"test = the {DIAMOND_TEST_COUNT} file names of DIAMOND's held-out list "
                f"({DIAMOND_SPLIT_FILE}, MIT), matched by bare file name; train = the rest")
    return "test = file number N divisible by 10; train = the rest"


def _parse_path(path: str | PurePath) -> tuple[Family, int, str]:
    name = PurePath(path).name
    found = family_of(name)
    if found is None:
        raise DatasetError(explain(
            "file name belongs to no family of the public recordings",
            expected="e.g. hdf5_dm_july2021_expert_12.hdf5 (see csgo_env.datasets.pearce.families)",
            got=repr(name), fix="keep the authors' file names; the split depends on them"))
    return found[0], found[1], name


def split_of(path: str | PurePath) -> Split:
    """``"train"`` or ``"test"`` for a recording, decided by its bare file name alone."""
    family, number, name = _parse_path(path)
    return "test" if is_test_file(family, number, name) else "train"


def dataset_id(family: str | Family, split: str) -> str:
    """The Minari id of a family and split, e.g. ``csgo/dust2-expert-test-v0``."""
    fam = family if isinstance(family, Family) else get_family(family)
    if split not in SPLITS:
        raise DatasetError(explain("unknown split", expected=f"one of {SPLITS}", got=repr(split)))
    return f"{NAMESPACE}/{fam.name}-{split}-v{VERSION}"


@dataclass(frozen=True)
class DatasetInfo:
    """One catalog entry: a Minari dataset id with its family, split and expected size.

    ``expected_files`` assumes the family's files are numbered 1..N without gaps;
    ``approx_size_gb`` is the converted, lossless size (raw frames, about 126 MB per episode).
    """

    dataset_id: str
    family: Family
    split: Split
    split_rule: str
    expected_files: int
    source_size_gb: float

    @property
    def expected_steps(self) -> int:
        """Transitions in the complete dataset (999 per file)."""
        return self.expected_files * STEPS_PER_EPISODE

    @property
    def expected_frames(self) -> int:
        """Observations in the complete dataset (1000 per file)."""
        return self.expected_files * FRAMES_PER_FILE

    @property
    def approx_size_gb(self) -> float:
        """Converted size in GB (lossless frames dominate; actions and flags add ~0.1%)."""
        return round(self.expected_frames * BYTES_PER_FRAME / 1e9, 1)

    @property
    def name(self) -> str:
        """The id without namespace and version, e.g. ``dust2-expert-test``."""
        return f"{self.family.name}-{self.split}"

    def contains(self, path: str | PurePath) -> bool:
        """Whether a recording's file name puts it in this dataset."""
        found = family_of(PurePath(path).name)
        return (found is not None and found[0] == self.family
                and split_of(path) == self.split)


def _count(family: Family, split: Split) -> int:
    test = DIAMOND_TEST_COUNT if family.name == "dust2-scraped" else family.expected_files // 10
    return test if split == "test" else family.expected_files - test


def _build() -> Mapping[str, DatasetInfo]:
    entries = {}
    for family in FAMILIES.values():
        for split in SPLITS:
            n = _count(family, split)
            share = n / family.expected_files
            entries[dataset_id(family, split)] = DatasetInfo(
                dataset_id(family, split), family, split, split_rule(family), n,
                round(_SOURCE_SIZES_GB[family.name] * share, 1))
    return MappingProxyType(entries)


CATALOG: Mapping[str, DatasetInfo] = _build()
"""Every dataset id of the benchmark, in family order, train before test."""


def get_dataset_info(dataset_id: str) -> DatasetInfo:
    """The catalog entry of ``dataset_id``.

    An unknown id gets a "did you mean" hint when one or two ids are close to it (compared
    without the shared ``csgo/`` and ``-v0``, which would make any two ids look alike), else
    the list of every valid id.
    """
    try:
        return CATALOG[dataset_id]
    except KeyError:
        pass
    names = {info.name: did for did, info in CATALOG.items()}
    close = difflib.get_close_matches(_bare_name(dataset_id), list(names), n=2,
                                      cutoff=SUGGEST_CUTOFF)
    if len(close) == 2 and difflib.SequenceMatcher(None, _bare_name(dataset_id),
                                                   close[0]).ratio() >= 0.9:
        close = close[:1]  # one near-exact match: the second would only distract
    if close:
        hint = "did you mean " + " or ".join(repr(names[c]) for c in close) + "?"
    else:
        hint = "use one of " + ", ".join(CATALOG) + " (`csgo-env datasets` lists them)"
    raise DatasetNotFound(explain("unknown dataset id", expected="an id of the catalog",
                                  got=repr(dataset_id), fix=hint))


SUGGEST_CUTOFF = 0.75
"""Similarity (difflib ratio of the bare names) above which an id is suggested."""


def _bare_name(dataset_id: str) -> str:
    """``csgo/dust2-expert-test-v0`` -> ``dust2-expert-test`` (also for malformed ids)."""
    name = dataset_id.strip().rsplit("/", 1)[-1]
    head, sep, tail = name.rpartition("-v")
    return head if sep and tail.isdigit() else name


def dataset_of(path: str | PurePath) -> DatasetInfo:
    """The catalog entry a recording belongs to, from its bare file name."""
    family, _, _ = _parse_path(path)
    return CATALOG[dataset_id(family, split_of(path))]
