"""Synthetic recordings shared by the conversion and loader tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings

SCRAPED = "hdf5_dm_july2021_{}.hdf5"


def synthetic_pool(factory: pytest.TempPathFactory) -> list[Path]:
    """Two distinct synthetic scraped-family recordings (numbers 3 and 4), generated once
    per test session under the session's base temporary folder."""
    pool = factory.getbasetemp() / "synthetic_pool"
    if not (pool / ".done").exists():
        write_synthetic_recordings(pool, family="dust2-scraped", files=2, first_number=3,
                                with_metadata=False)
        (pool / ".done").touch()
    return [pool / SCRAPED.format(3), pool / SCRAPED.format(4)]
