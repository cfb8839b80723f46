"""The quick benchmark's tables, figures and closing summary.

:func:`publish_all` runs ``csgo-env publish`` on the live runs (``tables/live``) and the
offline records (``tables/offline``) and draws, beside them, the coverage heat maps (the
demonstrations against every agent's pooled live positions) and the outcome distributions
(``figures/``). :func:`write_summary` writes ``summary.md`` (and ``summary.json``): per
agent the mean kills per minute with rliable's 95% stratified-bootstrap interval, the IQM,
deaths per minute, K/D, coverage EMD and rliable's probability of improvement over the
random policy; the claims checked (:mod:`csgo_env.benchmark.claims`); and where every
output is. SYNTHETIC when the data are.
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
                           metrics=list(plan.live_metrics), improvement=plan.live_metrics[:1],
                           title=f"Benchmark {plan.name}, live: {_setting(plan)}")
    offline_summary = publish([offline], tables / "offline", reps=plan.reps, force=True,
                              metrics=list(plan.offline_metrics),
                              improvement=plan.offline_metrics[:1],
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


def _estimate(results: dict[str, Any], label: str, agg: str) -> dict[str, float] | None:
    try:
        est = results["aggregates"]["kills_per_minute"]["intervals"]["estimates"][label][agg]
    except KeyError:
        return None
    return {k: float(est[k]) for k in ("point", "low", "high")}


def _improvement(results: dict[str, Any], label: str) -> dict[str, float] | None:
    try:
        pair = results["aggregates"]["kills_per_minute"]["improvement"]["pairs"][
            f"{label},random"]
    except KeyError:
        return None
    return {k: float(pair[k]) for k in ("point", "low", "high")}


def _cell(est: dict[str, float] | None, fmt: str = ".1f") -> str:
    if est is None:
        return "n/a"
    return f"{est['point']:{fmt}} [{est['low']:{fmt}}, {est['high']:{fmt}}]"


def _mean(records: list[dict[str, Any]], metric: str) -> str:
    values = [r["metrics"].get(metric) for r in records]
    kept = [v for v in values if v is not None]
    return f"{np.mean(kept):.2f}" if kept else "n/a"


def write_summary(plan: BenchmarkPlan, live: Path, tables: Path, out: Path,
                  say: Say) -> dict[str, Any]:
    """summary.md / summary.json (module docstring); prints the table."""
    from csgo_env.benchmark.claims import claim_for, claim_line

    records = _live_records(live)
    results = json.loads((tables / "live" / "results.json").read_text(encoding="utf-8"))
    by_agent: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_agent.setdefault(r["algorithm"], []).append(r)
    kpm = {a: np.array([r["metrics"]["kills_per_minute"] for r in rs], float)
           for a, rs in by_agent.items()}
    order = [a for a in ("random", EXPERT, *plan.references, *plan.algorithms) if a in by_agent]
    header = ("| agent | runs | kills/min mean [95% CI] | kills/min IQM [95% CI] | "
              "deaths/min | K/D | coverage EMD | P(kills/min > random's) [95% CI] |")
    rows, claims = [], {}
    for agent in order:
        mean = _estimate(results, agent, "mean")
        rows.append(f"| {agent} | {len(kpm[agent])} | {_cell(mean)} | "
                    f"{_cell(_estimate(results, agent, 'iqm'))} | "
                    f"{_mean(by_agent[agent], 'deaths_per_minute')} | "
                    f"{_mean(by_agent[agent], 'kd')} | "
                    f"{_mean(by_agent[agent], 'coverage_emd')} | "
                    f"{'-' if agent == 'random' else _cell(_improvement(results, agent), '.2f')} |")
        if agent != "random":
            claims[agent] = claim_for(kpm[agent], kpm["random"], mean)
    synthetic = any(r["synthetic"] for r in records)
    basis = records[0]["time_basis"] if records else "wall-clock"
    reps = results["aggregates"].get("kills_per_minute", {}).get("intervals", {}).get("reps")
    claim_lines = [claim_line(agent, c) for agent, c in claims.items()]
    lines = [f"# Benchmark {plan.name}", "", BANNER if synthetic else "", "",
             f"Live setting: {_setting(plan)}; {plan.live_runs} runs of "
             f"{plan.live_budget.describe(basis == 'wall-clock')} per agent; kills per "
             f"{basis} minute. Intervals: rliable's stratified bootstrap ({reps} "
             "replications, the protocol's), P(X > Y): rliable's probability of improvement.",
             "", header, "|" + "---|" * 8, *rows, "", "## Claims", "", *claim_lines]
    where: dict[str, Path] = {"tables (live)": tables / "live" / "table.md",
                              "tables (offline)": tables / "offline" / "table.md",
                              "aggregates and per-seed values": tables / "live" / "results.json",
                              "rliable figures": tables / "live" / "figures",
                              "coverage and outcome figures": plan.out / "figures",
                              "live run records": live, "trained policies": plan.out / "runs"}
    if plan.demos is not None:
        where.update({"demonstrations": plan.out / "demos",
                      "Minari datasets": plan.out / "minari"})
    lines += ["", "## Where everything is", "", *[f"- {k}: `{v}`" for k, v in where.items()]]
    atomic_write_text(out, "\n".join(lines) + "\n")
    atomic_write_text(out.with_suffix(".json"), json.dumps(
        {"synthetic": synthetic, "claims": claims, "setting": _setting(plan),
         "kills_per_minute": {a: v.tolist() for a, v in kpm.items()},
         "where": {k: str(v) for k, v in where.items()}}, indent=1) + "\n")
    say("\n".join(["", *lines[2:3], "", header, "|" + "---|" * 8, *rows, "", *claim_lines,
                   "", f"summary: {out}"]))
    return {"claims": claims, "summary": str(out)}


__all__ = ["BANNER", "publish_all", "write_summary"]
