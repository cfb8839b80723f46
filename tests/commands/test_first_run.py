"""What a new user meets first on the command line: an empty folder, a corrupt file, a
mistyped dataset id, and ``--help`` of every command, each answered once and clearly."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from csgo_env.datasets.minari.catalog import CATALOG, get_dataset_info
from csgo_env.errors import DatasetNotFound

READ_ERROR = "not a readable HDF5 file"


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "csgo_env.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def truncated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with one recording cut after its first MiB (as an interrupted download)."""
    from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings

    folder = tmp_path_factory.mktemp("truncated")
    path = write_synthetic_recordings(folder, files=1, with_metadata=False, num_frames=1000)[0]
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    path.write_bytes(head)
    return folder


def test_convert_of_a_folder_without_recordings_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no recordings here")
    out = tmp_path / "out"
    run = cli("convert", empty, "--out-dir", out, "--quiet")
    assert run.returncode == 2, run.stdout
    assert "no recordings to convert" in run.stderr and str(empty) in run.stderr
    assert "converted 0 recordings" not in run.stdout
    assert not out.exists()


def test_failed_conversion_leaves_nothing_behind(truncated: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = cli("convert", truncated, "--out-dir", out, "--workers", "1", "--quiet")
    assert run.returncode == 1
    assert "FAILED hdf5_dm_july2021_expert_1.hdf5: RecordingCorrupt" in run.stdout
    assert run.stdout.count(READ_ERROR) == 1, run.stdout  # the error, printed once
    assert not out.exists(), sorted(out.rglob("*"))  # no dataset folder, no namespace file
    # into an existing root, with --strict: the root stays, holding nothing of this run
    out.mkdir()
    run = cli("convert", truncated, "--out-dir", out, "--workers", "1", "--quiet", "--strict")
    assert run.returncode == 1 and run.stdout.count(READ_ERROR) == 1, run.stdout
    assert list(out.iterdir()) == []


def test_inspect_prints_each_error_once(truncated: Path) -> None:
    run = cli("inspect", truncated)
    assert run.returncode == 1
    assert run.stdout.count(READ_ERROR) == 1, run.stdout
    assert "no statistics: the file cannot be read (see its problems)" in run.stdout


def test_unknown_dataset_id_suggests_only_close_ids(tmp_path: Path) -> None:
    run = cli("convert", tmp_path, "--dataset-id", "csgo/nope-v0")
    assert run.returncode == 2
    assert "did you mean" not in run.stderr
    assert all(did in run.stderr for did in CATALOG)
    for typo, meant in [("csgo/dust2-expert-tset-v0", "csgo/dust2-expert-test-v0"),
                        ("csgo/inferno-test-v0", "csgo/inferno-expert-test-v0"),
                        ("aim-expert-train", "csgo/aim-expert-train-v0")]:
        with pytest.raises(DatasetNotFound) as caught:
            get_dataset_info(typo)
        assert str(caught.value).endswith(f"Fix: did you mean {meant!r}?")


def test_every_cli_option_has_help() -> None:
    from csgo_env.cli import build_parser

    parser = build_parser()
    missing = [f"csgo-env {a.option_strings or a.dest}" for a in parser._actions
               if not a.help]
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        missing += [f"csgo-env {name} {'/'.join(a.option_strings) or a.dest}"
                    for a in sub._actions if not a.help]
    assert missing == []
