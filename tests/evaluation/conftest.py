"""A real converted dataset for the evaluation tests: two synthetic dust2-expert recordings
(file 1 -> train split, file 10 -> test split) with their metadata, converted once."""

from __future__ import annotations

from pathlib import Path

import pytest

from csgo_env.datasets.minari_export import convert
from csgo_env.datasets.sample import write_sample_recordings

TRAIN = "csgo/dust2-expert-train-v0"
TEST = "csgo/dust2-expert-test-v0"


@pytest.fixture(scope="session")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``{"root": Minari root, "src": recordings + metadata folder}``."""
    src = tmp_path_factory.mktemp("eval_src")
    write_sample_recordings(src, family="dust2-expert", files=1, first_number=1, seed=3)
    write_sample_recordings(src, family="dust2-expert", files=1, first_number=10, seed=3)
    root = tmp_path_factory.mktemp("eval_root")
    report = convert([src], out_dir=root, workers=1, progress=False)
    assert report.ok, report.summary()
    return {"root": root, "src": src}
