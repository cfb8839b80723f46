"""The benchmark scripts' shared helpers: verdicts, interleaving, tree memory."""

from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from bench_support import at_least, at_most, interleaved, percentile, report, tree_memory


def test_verdicts_and_lines() -> None:
    assert at_least("x", 10.0, 10.0).met and not at_least("x", 9.99, 10.0).met
    assert at_most("y", 2.0, 2.0, " ms").met and not at_most("y", 2.01, 2.0, " ms").met
    assert not at_least("z", math.nan, 1.0).met and not at_most("z", math.nan, 1.0).met
    assert at_most("lateness", 0.5, 2.0, " ms").line().startswith("PASS  lateness  0.5 ms")
    assert "(target >= 10x)" in at_least("ratio", 3.1, 10.0, "x").line()
    assert at_least("ratio", 3.1, 10.0, "x").line().startswith("MISS")


def test_report_returns_1_on_any_miss(capsys) -> None:
    assert report([at_least("a", 2, 1)]) == 0
    assert report([at_least("a", 2, 1), at_most("b", 2, 1)]) == 1
    out = capsys.readouterr().out
    assert out.count("PASS  a") == 2 and out.count("MISS  b") == 1


def test_interleaving_alternates_the_order() -> None:
    calls: list[str] = []
    runs = {name: (lambda name=name: calls.append(name) or len(calls)) for name in "ABC"}
    result = interleaved(runs, 3)
    assert calls == list("ABCCBAABC")
    assert result["A"] == [1, 6, 7] and result["C"] == [3, 4, 9]


def test_percentile_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 99) == 99 and percentile(values, 50) == 50
    assert math.isnan(percentile([], 99))


def test_tree_memory_counts_grandchildren() -> None:
    """A child that starts a grandchild holding 200 MB: the tree's peak includes it."""
    grandchild = "import time; b = bytes(range(256)) * 800_000; time.sleep(1.0)"
    code = f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {grandchild!r}])\n"
    m = tree_memory([sys.executable, "-c", code], interval_s=0.05)
    assert m.processes >= 2
    assert m.peak_rss_mb > 200 and m.sum_hwm_mb > 200
