"""The converted dataset the evaluation tests share: two synthetic dust2-expert recordings
(file 1 -> the train split, file 10 -> the test split) with their metadata."""

from __future__ import annotations

from pathlib import Path

from csgo_env.datasets.minari.export import convert
from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings

TRAIN = "csgo/dust2-expert-train-v0"
TEST = "csgo/dust2-expert-test-v0"


def build_converted(src: Path, root: Path) -> dict[str, Path]:
    """Write the two recordings into ``src`` and convert them under Minari root ``root``."""
    write_synthetic_recordings(src, family="dust2-expert", files=1, first_number=1, seed=3)
    write_synthetic_recordings(src, family="dust2-expert", files=1, first_number=10, seed=3)
    report = convert([src], out_dir=root, workers=1, progress=False)
    assert report.ok, report.summary()
    return {"root": root, "src": src}
