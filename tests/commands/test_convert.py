"""``csgo-env convert`` and ``csgo-env datasets`` as real child processes: kill and resume,
exit status on a corrupt file, and memory that does not grow with the number of files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from csgo_env.datasets.minari import storage as ms
from csgo_env.datasets.synthetic.recordings import SYNTHETIC_MARKER
from tests.support.synthetic import synthetic_pool

EXPERT = "hdf5_dm_july2021_expert_{}.hdf5"
TRAIN = "csgo/dust2-expert-train-v0"




def sources(folder: Path, pool: list[Path], numbers: list[int]) -> list[str]:
    """Hard-link the pool under expert names ``numbers``; returns the names."""
    folder.mkdir(parents=True, exist_ok=True)
    names = [EXPERT.format(n) for n in numbers]
    for i, name in enumerate(names):
        os.link(pool[i % 2], folder / name)
    (folder / SYNTHETIC_MARKER).write_text(json.dumps({"synthetic": True, "files": names}))
    return names


def cli(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "csgo_env.cli", *map(str, args)]


def episode_sources(root: Path, dataset_id: str) -> list[str]:
    import minari

    os.environ["MINARI_DATASETS_PATH"] = str(root)  # restored by the autouse fixture
    ds = minari.load_dataset(dataset_id)
    return [m["source_file"] for m in ds.storage.get_episode_metadata(ds.episode_indices)]


def test_sigkill_then_rerun_resumes_without_duplicates(tmp_path: Path,
                                                       tmp_path_factory: pytest.TempPathFactory
                                                       ) -> None:
    names = sources(tmp_path / "src", synthetic_pool(tmp_path_factory), [1, 2, 3, 4, 5])
    out = tmp_path / "out"
    episodes = ms.staging_dir(out, TRAIN) / ms.EPISODES_DIR
    proc = subprocess.Popen(cli("convert", tmp_path / "src", "--out-dir", out, "--workers", "1",
                                "--quiet"), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    committed: list[Path] = []
    while time.monotonic() < deadline and proc.poll() is None:
        if episodes.is_dir():
            committed = [p for p in episodes.iterdir() if not p.name.startswith(".")]
            writing = [p for p in episodes.iterdir() if p.name.endswith(".tmp")]
            if committed and writing:  # killed in the middle of writing an episode
                break
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the conversion ended before it could be killed"
    assert 1 <= len(committed) < 5
    assert not ms.data_dir(out, TRAIN).exists()  # Minari sees nothing half-made

    rerun = subprocess.run(cli("convert", tmp_path / "src", "--out-dir", out, "--workers", "1",
                               "--quiet"), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(committed)} already done" in rerun.stdout or \
        f"{len(committed) + 1} already done" in rerun.stdout
    train = [n for n in names if n != EXPERT.format(10)]
    assert episode_sources(out, TRAIN) == train
    leftovers = [p for p in out.rglob("*") if p.name.endswith(".tmp") or ".partial" in p.parts]
    assert leftovers == []


def test_exit_status_1_names_the_corrupt_file(tmp_path: Path,
                                              tmp_path_factory: pytest.TempPathFactory) -> None:
    pool = synthetic_pool(tmp_path_factory)
    sources(tmp_path / "src", pool, [1])
    bad = tmp_path / "src" / EXPERT.format(2)
    with open(pool[0], "rb") as fh:
        bad.write_bytes(fh.read(1 << 20))
    out = tmp_path / "out"
    run = subprocess.run(cli("convert", tmp_path / "src", "--out-dir", out, "--workers", "1",
                             "--quiet"), capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    assert f"FAILED {bad.name}" in run.stdout and "converted 1 recordings" in run.stdout
    assert episode_sources(out, TRAIN) == [EXPERT.format(1)]

    listing = subprocess.run(cli("datasets", "--out-dir", out), capture_output=True, text=True,
                             timeout=120)
    assert listing.returncode == 0
    line = next(x for x in listing.stdout.splitlines() if x.startswith(TRAIN))
    assert "loadable: 1 episode (the full dataset has 171), lossless, SYNTHETIC, 1 skipped" \
        in line
    assert sum("csgo/" in x for x in listing.stdout.splitlines()) == 12


_MEASURE = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(proc.pid, 0)
code = os.waitstatus_to_exitcode(status)
sys.stderr.write(proc.stderr.read().decode(errors="replace"))
print(usage.ru_maxrss, code)
"""


def _peak_rss_mb(args: list[str]) -> float:
    """Peak RSS of the command, in MB. Linux carries a process's peak RSS across fork and
    exec, so the command is started by a small measuring process, not by this (possibly
    large) test process, whose own peak would otherwise be reported."""
    run = subprocess.run([sys.executable, "-c", _MEASURE, *map(str, args)],
                         capture_output=True, text=True, timeout=600)
    maxrss_kib, code = run.stdout.split()
    assert int(code) == 0, run.stderr
    return int(maxrss_kib) / 1024  # KiB on Linux


def test_memory_does_not_grow_with_the_number_of_files(tmp_path: Path,
                                                       tmp_path_factory: pytest.TempPathFactory
                                                       ) -> None:
    pool = synthetic_pool(tmp_path_factory)
    sources(tmp_path / "few", pool, [1, 2])
    sources(tmp_path / "many", pool, [1, 2, 3, 4, 5, 6])
    few = _peak_rss_mb(cli("convert", tmp_path / "few", "--out-dir", tmp_path / "o1",
                           "--workers", "1", "--quiet"))
    many = _peak_rss_mb(cli("convert", tmp_path / "many", "--out-dir", tmp_path / "o2",
                            "--workers", "1", "--quiet"))
    assert many < 1500 and few < 1500
    assert many < few * 1.15 + 30, (few, many)


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    run = subprocess.run(cli("convert", tmp_path / "missing", "--out-dir", tmp_path / "o"),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "source not found" in run.stderr
    run = subprocess.run(cli("convert", tmp_path, "--dataset-id", "csgo/dust2-expert-tset-v0"),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "did you mean 'csgo/dust2-expert-test-v0'" in run.stderr
    run = subprocess.run(cli("convert", "--merge", "--out-dir", tmp_path / "o"),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "no shard manifests" in run.stderr
