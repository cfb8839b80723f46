"""``csgo-env publish``: run records -> tables, raw per-seed JSON, aggregates and figures.

Output folder (written under a temporary name and renamed when complete)::

    results.json      rows (mean, std, n, per-seed values of every metric), rliable
                      aggregates per headline metric (with seed, reps, bootstrap method),
                      the synthetic flag, the protocol version
    runs.json         the run records exactly as read (raw per-seed results) + source files
    table.md          Markdown table of the headline metrics (mean ± std over seeds)
    table.tex         the same as a LaTeX booktabs table
    table.csv         every metric: <metric>_mean, _std, _n per row
    figures/<metric>_intervals.png, _profiles.png, _improvement.png   rliable's plots

Aggregates use one score matrix per headline metric: rows are seeds, columns the settings
where every algorithm reported the metric for every seed; algorithms are labelled by name,
or ``name[config|checkpoint]`` when a name has several configs or checkpoints. Synthetic
inputs are labelled in every file.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from csgo_env._atomic import atomic_write_text
from csgo_env.errors import ResultsRefused, explain
from csgo_env.evaluation import tables
from csgo_env.evaluation.aggregates import (
    DEFAULT_REPS,
    improvement_probabilities,
    interval_estimates,
    performance_profiles,
    taus_for,
)
from csgo_env.evaluation.results_schema import (
    PROTOCOL_VERSION,
    RunRecord,
    check_consistent,
    load_results,
)

PROFILE_REPS = 2000


def algorithm_labels(records: Sequence[RunRecord]) -> dict[tuple[str, str, str], str]:
    """A short label per (algorithm, config, checkpoint) group (see the module docstring)."""
    groups = sorted({r.group for r in records})
    count: dict[str, int] = defaultdict(int)
    for algorithm, _, _ in groups:
        count[algorithm] += 1
    return {g: g[0] if count[g[0]] == 1 else f"{g[0]}[{g[1]}|{g[2]}]" for g in groups}


def score_matrices(records: Sequence[RunRecord], metric: str
                   ) -> tuple[dict[str, np.ndarray], list[str]]:
    """``({label: (seeds, settings)}, settings)`` for one metric, over the settings where
    every group reported a number for every seed; empty when there is none."""
    labels = algorithm_labels(records)
    by_task: dict[str, dict[str, dict[int, float | None]]] = defaultdict(
        lambda: defaultdict(dict))
    for r in records:
        by_task[r.task][labels[r.group]][r.seed] = r.metrics.get(metric)
    names = sorted(set(labels.values()))
    tasks = [t for t, groups in sorted(by_task.items())
             if set(groups) == set(names)
             and all(v is not None for g in groups.values() for v in g.values())]
    if not tasks:
        return {}, []
    out = {}
    for name in names:
        seeds = sorted(by_task[tasks[0]][name])
        out[name] = np.array([[by_task[t][name][s] for t in tasks] for s in seeds],
                             dtype=np.float64)
    return out, tasks


def aggregate_all(records: Sequence[RunRecord], metrics: Sequence[str], *, seed: int,
                  reps: int, improvement: Sequence[str] | None = None) -> dict[str, Any]:
    """rliable intervals, profiles and P(X > Y) for each metric (seeded before each call);
    P(X > Y) only for the metrics in ``improvement`` when given (it is the costly one:
    one Mann-Whitney test per pair, setting and replication)."""
    out: dict[str, Any] = {}
    for metric in metrics:
        scores, tasks = score_matrices(records, metric)
        if not scores:
            continue
        out[metric] = {
            "settings": tasks,
            "intervals": interval_estimates(scores, seed=seed, reps=reps),
            "profiles": performance_profiles(scores, taus_for(scores), seed=seed,
                                             reps=min(reps, PROFILE_REPS)),
        }
        if improvement is None or metric in improvement:
            out[metric]["improvement"] = improvement_probabilities(
                scores, seed=seed, reps=min(reps, PROFILE_REPS))
    return out


def _figures(aggregates: dict[str, Any], folder: Path, synthetic: bool) -> list[str]:
    from csgo_env.evaluation.aggregate_plots import (
        plot_improvement,
        plot_intervals,
        plot_profiles,
    )

    written = []
    for metric, agg in aggregates.items():
        stem = metric.replace("/", "_")
        written.append(plot_intervals(agg["intervals"], folder / f"{stem}_intervals.png",
                                      xlabel=metric, synthetic=synthetic))
        written.append(plot_profiles(agg["profiles"], folder / f"{stem}_profiles.png",
                                     xlabel=f"{metric} (tau)", synthetic=synthetic))
        if "improvement" not in agg:
            continue
        extra = plot_improvement(agg["improvement"], folder / f"{stem}_improvement.png",
                                 synthetic=synthetic)
        if extra is not None:
            written.append(extra)
    return [p.name for p in written]


def publish(paths: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str], *,
            seed: int = 0, reps: int = DEFAULT_REPS, metrics: Sequence[str] | None = None,
            force: bool = False, title: str | None = None,
            improvement: Sequence[str] | None = None) -> dict[str, Any]:
    """Read, check and publish the run records in ``paths`` into folder ``out``
    (``improvement``: the metrics that get P(X > Y), default every headline metric).

    Refuses (ResultsRefused, nothing written) inconsistent inputs and an existing ``out``
    unless ``force``. Returns a summary: output folder, files, rows, synthetic flag.
    """
    records = check_consistent(load_results(paths))
    target = Path(out)
    if target.exists() and not force:
        raise ResultsRefused(explain(f"{target} exists", fix="choose another --out or pass "
                                                             "--force to replace it"))
    headline = list(metrics) if metrics else tables.headline_metrics(records)
    unknown = sorted(set(headline) - set(tables.all_metrics(records)))
    if unknown:
        raise ResultsRefused(explain("unknown metrics asked for", got=", ".join(unknown)))
    synthetic = any(r.synthetic for r in records)
    rows = tables.build_rows(records, tables.all_metrics(records))
    aggregates = aggregate_all(records, headline, seed=seed, reps=reps, improvement=improvement)
    name = title or target.name
    staging = target.with_name(f".{target.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "figures").mkdir(parents=True)
    try:
        document = {"protocol_version": PROTOCOL_VERSION, "title": name,
                    "synthetic": synthetic,
                    "synthetic_note": tables.SYNTHETIC_BANNER if synthetic else None,
                    "headline_metrics": headline, "aggregation_seed": seed,
                    "rows": rows, "aggregates": aggregates}
        _write_json(staging / "results.json", document)
        _write_json(staging / "runs.json", {"synthetic": synthetic, "runs": [
            {**r.to_json(), "source_file": r.source} for r in records]})
        atomic_write_text(staging / "table.md", tables.to_markdown(rows, headline, title=name))
        atomic_write_text(staging / "table.tex", tables.to_latex(rows, headline, caption=name))
        atomic_write_text(staging / "table.csv", tables.to_csv(rows, tables.all_metrics(records)))
        figures = _figures(aggregates, staging / "figures", synthetic)
        _replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    files = ["results.json", "runs.json", "table.md", "table.tex", "table.csv",
             *[f"figures/{f}" for f in figures]]
    return {"out": str(target), "files": files, "rows": len(rows), "runs": len(records),
            "synthetic": synthetic}


def _write_json(path: Path, obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, indent=1, sort_keys=True, allow_nan=False) + "\n",
                      durable=False)


def _replace(staging: Path, target: Path) -> None:
    """Put ``staging`` in place of ``target`` (an old ``target`` is removed only after)."""
    old = target.with_name(f".{target.name}.old")
    if target.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


__all__ = ["aggregate_all", "algorithm_labels", "publish", "score_matrices"]
