"""The quick benchmark's tables, figures and closing summary.

:func:`publish_all` runs ``csgo-env publish`` on the live runs (``tables/live``) and the
offline records (``tables/offline``) and draws, beside them, the coverage heat maps (the
demonstrations against every agent's pooled live positions) and the outcome distributions
(``figures/``). :func:`write_summary` writes ``summary.md`` (and ``summary.json``): per
agent the mean kills per minute with rliable's 95% stratified-bootstrap interval, the IQM,
deaths per minute, K/D and coverage EMD; the difference to the random policy with Welch's
95% interval; the claims checked (the scripted expert and BC above random, intervals
excluding it); and where every output is. SYNTHETIC throughout.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from csgo_env._atomic import atomic_write_text
from csgo_env.benchmark.live import EXPERT
from csgo_env.benchmark.plan import BenchmarkPlan
from csgo_env.benchmark.stages import Say

BANNER = ("**SYNTHETIC: the arena is a toy deathmatch written for csgo_env and the "
          "demonstrations are its scripted expert's; these numbers test the pipeline and "
          "are not Counter-Strike results.**")


def _live_records(path: Path) -> list[dict[str, Any]]:
    from csgo_env.evaluation.live_store import LiveStore

    return LiveStore(path).records()


def publish_all(plan: BenchmarkPlan, live: Path, offline: Path, tables: Path
                ) -> dict[str, Any]:
    """Tables of both record sets and the extra figures (module docstring)."""
    from csgo_env.evaluation.publish import publish

    live_summary = publish([live], tables / "live", reps=plan.reps, force=True,
                           metrics=list(plan.live_metrics),
                           title=f"Benchmark {plan.name}, live: {_setting(plan)}")
    offline_summary = publish([offline], tables / "offline", reps=plan.reps, force=True,
                              metrics=list(plan.offline_metrics),
                              title=f"Benchmark {plan.name}, offline: {plan.test_id}")
    figures = _figures(_live_records(live), plan, plan.out / "figures")
    return {"live": live_summary, "offline": offline_summary, "figures": figures}


def _setting(plan: BenchmarkPlan) -> str:
    return plan.setting or f"{plan.env_id} {plan.env_kwargs.get('game', '')}"


def _figures(records: list[dict[str, Any]], plan: BenchmarkPlan, folder: Path) -> list[str]:
    from csgo_env.evaluation.coverage import occupancy_grid
    from csgo_env.evaluation.figures import plot_distributions, plot_heatmaps
    from csgo_env.evaluation.live_reference import LiveReference
    from csgo_env.evaluation.outcomes import UNITS, samples_for_plot

    reference = LiveReference.from_dataset(plan.train_id, plan.minari_root,
                                           metadata=plan.reference_metadata,
                                           frame=plan.reference_frame)
    synthetic = bool(plan.synthetic) or reference.synthetic
    agents = sorted({r["agent"] for r in records})
    written = []
    if reference.occupancy is not None:
        grids = {"train split": reference.occupancy.grid}
        for agent in agents:
            xs = [np.array(r["track"]["x"] or [], float) for r in records if r["agent"] == agent]
            ys = [np.array(r["track"]["y"] or [], float) for r in records if r["agent"] == agent]
            x, y = np.concatenate(xs), np.concatenate(ys)
            keep = np.isfinite(x) & np.isfinite(y)
            grids[agent] = occupancy_grid(x[keep], y[keep], reference.occupancy.frame,
                                          cells=reference.occupancy.grid.shape[0]).grid
        written.append(str(plot_heatmaps(grids, reference.occupancy.frame,
                                         folder / "coverage.png", synthetic=synthetic,
                                         title="occupancy (live runs pooled)")))
    pooled = {"train split": reference.outcomes}
    for agent in agents:
        pooled[agent] = _pooled_lives([r for r in records if r["agent"] == agent])
    written.append(str(plot_distributions(samples_for_plot(pooled), folder / "outcomes.png",
                                          units=UNITS, synthetic=synthetic)))
    return written


def _pooled_lives(records: list[dict[str, Any]]) -> Any:
    from csgo_env.evaluation.outcomes import LifeStats

    lives = [seg for r in records for seg in r["lives"] if seg["complete"]]
    return LifeStats(np.array([s["lifetime_s"] for s in lives], float),
                     np.array([s["kills"] for s in lives], float), np.zeros(0),
                     "alive ticks between deaths / hz")


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Mean difference a - b and Welch's 95% interval (NaN when undefined)."""
    from scipy import stats

    diff = float(a.mean() - b.mean())
    if a.var(ddof=1) + b.var(ddof=1) == 0:
        return diff, diff, diff  # no spread in either sample: the difference is exact
    ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    return diff, float(ci.low), float(ci.high)


def _interval(results: dict[str, Any], metric: str, label: str, agg: str) -> str:
    try:
        est = results["aggregates"][metric]["intervals"]["estimates"][label][agg]
    except KeyError:
        return "n/a"
    return f"{est['point']:.1f} [{est['low']:.1f}, {est['high']:.1f}]"


def _mean(records: list[dict[str, Any]], metric: str) -> str:
    values = [r["metrics"].get(metric) for r in records]
    kept = [v for v in values if v is not None]
    return f"{np.mean(kept):.2f}" if kept else "n/a"


def write_summary(plan: BenchmarkPlan, live: Path, tables: Path, out: Path,
                  say: Say) -> dict[str, Any]:
    """summary.md / summary.json (module docstring); prints the table."""
    records = _live_records(live)
    results = json.loads((tables / "live" / "results.json").read_text(encoding="utf-8"))
    by_agent: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_agent.setdefault(r["algorithm"], []).append(r)
    kpm = {a: np.array([r["metrics"]["kills_per_minute"] for r in rs], float)
           for a, rs in by_agent.items()}
    order = [a for a in ("random", EXPERT, *plan.algorithms) if a in by_agent]
    rows, claims = [], {}
    header = ("| agent | runs | kills/min mean [95% CI] | kills/min IQM [95% CI] | "
              "deaths/min | K/D | coverage EMD | minus random [95% CI, Welch] |")
    for agent in order:
        diff = _welch(kpm[agent], kpm["random"]) if agent != "random" else None
        rows.append(f"| {agent} | {len(kpm[agent])} | "
                    f"{_interval(results, 'kills_per_minute', agent, 'mean')} | "
                    f"{_interval(results, 'kills_per_minute', agent, 'iqm')} | "
                    f"{_mean(by_agent[agent], 'deaths_per_minute')} | "
                    f"{_mean(by_agent[agent], 'kd')} | "
                    f"{_mean(by_agent[agent], 'coverage_emd')} | "
                    + ("-" if diff is None else f"{diff[0]:+.1f} [{diff[1]:+.1f}, {diff[2]:+.1f}]")
                    + " |")
        if diff is not None:
            claims[agent] = {"difference": diff[0], "low": diff[1], "high": diff[2],
                             "above_random": bool(diff[1] > 0)}
    synthetic = any(r["synthetic"] for r in records)
    basis = records[0]["time_basis"] if records else "wall-clock"
    reps = results["aggregates"].get("kills_per_minute", {}).get("intervals", {}).get("reps")
    lines = [f"# Benchmark {plan.name}", "", BANNER if synthetic else "", "",
             f"Live setting: {_setting(plan)}; {plan.live_runs} runs of "
             f"{plan.live_budget.describe(basis == 'wall-clock')} per agent; kills per "
             f"{basis} minute. Intervals: rliable's stratified bootstrap ({reps} reps); "
             "differences: Welch's t interval.", "", header,
             "|" + "---|" * 8, *rows, "", "## Claims", ""]
    for agent, claim in claims.items():
        verdict = "holds" if claim["above_random"] else "DOES NOT hold"
        lines.append(f"- {agent} kills/min above random, 95% interval of the difference "
                     f"[{claim['low']:+.1f}, {claim['high']:+.1f}] excludes 0: {verdict}")
    where: dict[str, Path] = {"tables (live)": tables / "live" / "table.md",
             "tables (offline)": tables / "offline" / "table.md",
             "aggregates and per-seed values": tables / "live" / "results.json",
             "rliable figures": tables / "live" / "figures",
             "coverage and outcome figures": plan.out / "figures",
             "live run records": live, "trained policies": plan.out / "runs"}
    if plan.demos is not None:
        where.update({"demonstrations": plan.out / "demos",
                      "Minari datasets": plan.out / "minari"})
    lines += ["", "## Where everything is", ""]
    lines += [f"- {k}: `{v}`" for k, v in where.items()]
    atomic_write_text(out, "\n".join(lines) + "\n")
    atomic_write_text(out.with_suffix(".json"), json.dumps(
        {"synthetic": synthetic, "claims": claims, "setting": _setting(plan),
         "kills_per_minute": {a: v.tolist() for a, v in kpm.items()},
         "where": {k: str(v) for k, v in where.items()}}, indent=1) + "\n")
    say("\n".join(["", *lines[2:3], "", header, "|" + "---|" * 8, *rows, "",
                   *lines[lines.index("## Claims") + 2:], "", f"summary: {out}"]))
    return {"claims": claims, "summary": str(out)}


__all__ = ["BANNER", "publish_all", "write_summary"]
