"""The OpenArena bot-demonstration datasets: ids, split rule and cards.

Two Minari ids beside the CS:GO catalog (:mod:`csgo_env.datasets.minari.catalog`), built
from demos recorded here (``scripts/openarena_demos.py``), not downloaded:

* ``openarena/dm1-bots-train-v0`` and ``openarena/dm1-bots-test-v0``: map ``oa_dm1``, 3 bots
  (skill 2) per recording (one match), each followed by its own spectator client, frames
  rendered offline at 16 per game second, actions inferred from the demos' poses with the
  authors' rules.
* Split: recording (match) number R (1, 2, ...) is test when R is divisible by 5, train
  otherwise; every demo of a match and all its files (1000 frames each, the last shorter)
  stay in one split, so no life of a bot, and no fight between two followed bots, is split
  across train and test.
"""

from __future__ import annotations

from dataclasses import dataclass

from csgo_env.errors import DatasetError, DatasetNotFound, explain

TRAIN_ID = "openarena/dm1-bots-train-v0"
TEST_ID = "openarena/dm1-bots-test-v0"
DATASET_IDS = (TRAIN_ID, TEST_ID)
TEST_EVERY = 5
SPLIT_RULE = ("recording (match) number R divisible by 5 is test; the rest train (whole "
              "matches, every followed bot)")


@dataclass(frozen=True)
class OpenArenaDatasetInfo:
    """One entry: id, split, the split rule and the dataset card (under ``datasets/``)."""

    dataset_id: str
    split: str
    split_rule: str
    card: str


CATALOG: dict[str, OpenArenaDatasetInfo] = {
    did: OpenArenaDatasetInfo(did, split, SPLIT_RULE, f"datasets/openarena-dm1-bots-{split}-v0.md")
    for did, split in ((TRAIN_ID, "train"), (TEST_ID, "test"))}


def split_of_recording(number: int) -> str:
    """The dataset id of recording (match) ``number`` (>= 1)."""
    if number < 1:
        raise DatasetError(explain("recording numbers start at 1", got=str(number)))
    return TEST_ID if number % TEST_EVERY == 0 else TRAIN_ID


def get_info(dataset_id: str) -> OpenArenaDatasetInfo:
    """The entry of ``dataset_id``; DatasetNotFound naming the valid ids otherwise."""
    try:
        return CATALOG[dataset_id]
    except KeyError:
        raise DatasetNotFound(explain("unknown OpenArena dataset id",
                                      expected=" or ".join(DATASET_IDS),
                                      got=repr(dataset_id))) from None


__all__ = ["CATALOG", "DATASET_IDS", "SPLIT_RULE", "TEST_ID", "TRAIN_ID",
           "OpenArenaDatasetInfo", "get_info", "split_of_recording"]
