"""Each benchmark script turns its target line to MISS when the code under test is slowed.

The script runs as a user runs it, in a child process whose ``sitecustomize`` wraps one
function of csgo_env with a sleep (in every process of the run: workers and fork servers
start the same interpreter). The injected delay is far larger than anything the
benchmark's reference or machine load can make up for, so the outcome does not depend on
the speed of the machine. Sizes are small: these are tests of the scripts, not figures.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

SITECUSTOMIZE = '''
import functools, importlib, time

def _slow(module, qualname, seconds, after):
    owner_name, _, attr = qualname.rpartition(".")
    owner = importlib.import_module(module)
    if owner_name:
        owner = getattr(owner, owner_name)
    original = getattr(owner, attr)

    @functools.wraps(original)
    def slowed(*args, **kwargs):
        if not after:
            time.sleep(seconds)
        result = original(*args, **kwargs)
        if after:
            time.sleep(seconds)
        return result

    setattr(owner, attr, slowed)

_slow({module!r}, {qualname!r}, {seconds!r}, {after!r})
'''


def run_slowed(tmp_path: Path, script: str, args: list[str], *, module: str, qualname: str,
               seconds: float, after: bool = False, timeout: float = 300
               ) -> tuple[int, dict[str, str], str]:
    """Run ``scripts/<script>`` with ``module.qualname`` slowed by ``seconds``; return the
    exit code, {target name: "PASS figure" / "MISS figure"} and the output."""
    site = tmp_path / "slowed"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE.format(
        module=module, qualname=qualname, seconds=seconds, after=after))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / script), *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=timeout)
    out = proc.stdout + proc.stderr
    verdicts = {}
    for line in proc.stdout.splitlines():
        word, _, rest = line.partition("  ")
        if word in ("PASS", "MISS"):
            name, figure = rest.split("  ")[:2]
            verdicts[name] = f"{word} {figure}"
    assert verdicts, f"no PASS/MISS lines:\n{out[-3000:]}"
    return proc.returncode, verdicts, out


def _all_missed(code: int, verdicts: dict[str, str], out: str, names: list[str],
                at_least: float | None = None) -> None:
    """Every target line whose name contains one of ``names`` says MISS (with a figure of at
    least ``at_least``: the injected delay itself shows in it), and the exit code is 1."""
    for name in names:
        matching = [v for k, v in verdicts.items() if name in k]
        assert matching and {v.split()[0] for v in matching} == {"MISS"}, \
            (name, verdicts, out[-3000:])
        if at_least is not None:
            for v in matching:
                figure = float(re.sub(r"[^0-9.]", "", v.split()[1]))
                assert figure >= at_least, (name, v)
    assert code == 1, out[-3000:]


pytestmark = pytest.mark.slow


def test_clock_script_misses_when_tick_returns_late(tmp_path: Path) -> None:
    code, verdicts, out = run_slowed(
        tmp_path, "bench_clock.py", ["--seconds", "1", "--round-s", "0.5", "--busy", "0"],
        module="csgo_env.game.clock", qualname="TickClock.tick", seconds=0.01, after=True)
    _all_missed(code, verdicts, out, ["TickClock real-time", "TickClock unprivileged"],
                at_least=10.0)  # ms


@pytest.mark.xvfb
def test_env_script_misses_when_the_step_is_late(tmp_path: Path) -> None:
    code, verdicts, out = run_slowed(
        tmp_path, "bench_env.py", ["--steps", "8", "--reps", "1", "--busy", "0",
                                   "--guardian", "on"],
        module="csgo_env.game.clock", qualname="TickClock.tick", seconds=0.01, after=True)
    _all_missed(code, verdicts, out, ["p99 tick at return", "p99 frame grab start"],
                at_least=10.0)  # ms


@pytest.mark.xvfb
def test_capture_script_misses_when_grab_is_slow(tmp_path: Path) -> None:
    code, verdicts, out = run_slowed(
        tmp_path, "bench_capture.py", ["--rounds", "1", "--grabs", "5"],
        module="csgo_env.game.screen.capture", qualname="Capturer.grab", seconds=0.02)
    _all_missed(code, verdicts, out, ["capture:"])


def test_gsi_script_misses_when_accepting_is_slow(tmp_path: Path) -> None:
    code, verdicts, out = run_slowed(
        tmp_path, "bench_gsi.py", ["--seconds", "1", "--serial-seconds", "0.5",
                                   "--authors-seconds", "0.5", "--reps", "1", "--procs", "1"],
        module="csgo_env.game.gsi.receiver", qualname="_State.accept", seconds=0.02)
    _all_missed(code, verdicts, out, ["ours flood throughput", "ours / stdlib"])


def test_reader_script_misses_when_frames_are_slow(tmp_path: Path) -> None:
    code, verdicts, out = run_slowed(
        tmp_path, "bench_reader.py", ["--reps", "1", "--windows", "3"],
        module="csgo_env.datasets.pearce.reader", qualname="Recording.frames", seconds=0.5)
    _all_missed(code, verdicts, out, ["RGB frames, cold", "RGB frames, warm"])


def test_loader_script_misses_when_sequences_are_slow(tmp_path: Path) -> None:
    code, verdicts, out = run_slowed(
        tmp_path, "bench_loader.py", ["--seq-len", "16", "--batch-size", "2", "--batches", "3",
                                      "--authors-batches", "3", "--reps", "1", "--files", "2",
                                      "--distinct", "1"],
        module="csgo_env.datasets.sequence_store", qualname="SequenceReader.read", seconds=0.2)
    _all_missed(code, verdicts, out, ["loader:"])


def test_datasets_script_misses_when_conversion_is_slow(tmp_path: Path) -> None:
    code, verdicts, out = run_slowed(
        tmp_path, "bench_datasets.py", ["--files", "2", "--distinct", "1", "--reps", "1",
                                        "--no-memory"],
        module="csgo_env.datasets.pearce.reader", qualname="Recording.read_all", seconds=5.0)
    _all_missed(code, verdicts, out, ["convert, 1 worker / plain h5py"])


def test_memory_script_misses_when_pose_reads_are_slow(tmp_path: Path) -> None:
    code, verdicts, out = run_slowed(
        tmp_path, "bench_memory.py", ["--reads", "50"],
        module="csgo_env.game.memory.pose", qualname="PoseReader.read", seconds=0.005)
    _all_missed(code, verdicts, out, ["memory: pose read p99"], at_least=5000.0)  # us
