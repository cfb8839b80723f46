"""``csgo-env benchmark``: the whole benchmark of a plan, end to end, resumable.

Stages (each skipped when its outputs exist, :mod:`csgo_env.benchmark.stages`), under one
results folder (the :class:`~csgo_env.benchmark.plan.BenchmarkPlan`'s ``out``); the first two
only for the quick benchmark, whose data it makes itself (the real benchmark checks that
its converted datasets are there instead)::

    demos/          1. arena demonstrations of the scripted expert, public layout + metadata
    minari/         2. converted to csgo/aim-expert-{train,test}-v0
    runs/ALGO-sSEED 3. BC, CQL and IQL, every seed (quick: baselines/quick/*.yaml) -> policy.pt2
    offline/        4. offline metrics of every policy on the test split (run records)
    live/runs.jsonl 5. live runs (quick: the arena, unpaced, rates per game minute) of the
                       random policy, (arena) the scripted expert and every trained agent,
                       scored for coverage EMD and outcome distributions against the train
                       split
    tables/         6. `publish` of the live and offline records: tables, JSON, figures
    summary.md      7. kills per minute per agent with 95% intervals, the claims checked,
                       where everything is

In the quick benchmark every file says SYNTHETIC: the arena is a toy game and its numbers
are not results.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csgo_env._atomic import atomic_write_text
from csgo_env.benchmark.plan import FAMILY, BenchmarkPlan
from csgo_env.benchmark.stages import Say, Stage, run_stages

MARKER_TEXT = ("SYNTHETIC - every number in this folder comes from csgo_env's arena, a toy "
               "deathmatch written for the project, and from its scripted expert's "
               "demonstrations. They test the pipeline; they are not Counter-Strike results.\n")


@dataclass
class Context:
    """What the stages share: the plan and where to say things."""

    plan: BenchmarkPlan
    say: Say

    @property
    def out(self) -> Path:
        return self.plan.out

    def path(self, *parts: str) -> Path:
        return self.out.joinpath(*parts)


def _demos(ctx: Context) -> dict[str, Any]:
    from csgo_env.datasets.synthetic.arena_recordings import write_arena_recordings

    demos = ctx.plan.demos
    assert demos is not None
    paths = write_arena_recordings(ctx.path("demos"), family=FAMILY, files=demos.files,
                                   seed=demos.seed, first_number=demos.first_number,
                                   num_frames=demos.frames, opponents=demos.opponents)
    ctx.say(f"    {len(paths)} SYNTHETIC demonstrations of the arena's scripted expert "
            f"({demos.frames} frames each, {demos.opponents} opponents) in "
            f"{ctx.path('demos')}")
    return {"files": [p.name for p in paths], **vars(demos)}


def _convert(ctx: Context) -> dict[str, Any]:
    from csgo_env.datasets.minari.export import convert

    report = convert([ctx.path("demos")], out_dir=ctx.path("minari"), progress=True)
    ctx.say(f"    {report.summary()}")
    if not report.ok:
        from csgo_env.errors import DatasetError

        raise DatasetError(f"conversion failed: {report.summary()}")
    return {"datasets": [ctx.plan.train_id, ctx.plan.test_id],
            "root": str(ctx.path("minari")), "frames": report.frames}


def _check(ctx: Context) -> dict[str, Any]:
    from csgo_env.baselines.config import load_config
    from csgo_env.evaluation.dataset_arrays import open_dataset

    plan = ctx.plan
    found = {i: open_dataset(i, plan.minari_root) for i in (plan.train_id, plan.test_id)}
    for algo in plan.algorithms:
        load_config(plan.config_file(algo), [f"train.out_dir={ctx.path('runs', algo)}"])
    ctx.say("    " + "; ".join(f"{i}: {len(d.episodes)} episodes, version {d.version}"
                               for i, d in found.items()))
    return {"datasets": {i: d.version for i, d in found.items()}}


def _train(ctx: Context) -> dict[str, Any]:
    from csgo_env.benchmark.training import train_all

    return {"runs": train_all(ctx.plan, ctx.path("runs"), ctx.plan.minari_root, ctx.say)}


def _offline(ctx: Context) -> dict[str, Any]:
    from csgo_env.benchmark.training import offline_records

    records = offline_records(ctx.plan, ctx.path("runs"), ctx.plan.minari_root, ctx.say)
    ctx.path("offline").mkdir(parents=True, exist_ok=True)
    atomic_write_text(ctx.path("offline", "records.json"),
                      json.dumps([r.to_json() for r in records], indent=1) + "\n")
    return {"records": len(records), "file": str(ctx.path("offline", "records.json"))}


def _live(ctx: Context) -> dict[str, Any]:
    import os

    from csgo_env.benchmark.live import evaluation_for
    from csgo_env.evaluation.live_runner import run_live
    from csgo_env.evaluation.live_status import StatusLine
    from csgo_env.game.screen.xvfb import virtual_display

    evaluation = evaluation_for(ctx.plan, ctx.path("runs"), ctx.path("live"))
    standin = ctx.plan.env_kwargs.get("game") in ("arena", "replay")
    display = virtual_display((1280, 1024)) if standin and not os.environ.get("DISPLAY") \
        else nullcontext(os.environ.get("DISPLAY", "(the desktop's)"))
    with display as name:
        ctx.say(f"    {ctx.plan.env_id} {ctx.plan.env_kwargs.get('game', '')} on display "
                f"{name}")
        records = run_live(evaluation, say=lambda t: ctx.say(f"\r\033[K    {t}"),
                           on_step=StatusLine(every=32, prefix="    "))
    return {"runs": len(records), "file": str(ctx.path("live", "runs.jsonl"))}


def _publish(ctx: Context) -> dict[str, Any]:
    from csgo_env.benchmark.report import publish_all

    return publish_all(ctx.plan, ctx.path("live", "runs.jsonl"),
                       ctx.path("offline", "records.json"), ctx.path("tables"))


def _summary(ctx: Context) -> dict[str, Any]:
    from csgo_env.benchmark.report import write_summary

    return write_summary(ctx.plan, ctx.path("live", "runs.jsonl"), ctx.path("tables"),
                         ctx.path("summary.md"), ctx.say)


DATA_STAGES = (
    Stage("demos", "record arena demonstrations of the scripted expert", _demos),
    Stage("convert", "convert them to Minari datasets (train / test split)", _convert),
)
CHECK_STAGE = Stage("check", "the converted datasets and the training configs", _check)
STAGES = (
    Stage("train", "train every algorithm, every seed", _train),
    Stage("offline", "offline metrics of every policy on the test split", _offline),
    Stage("live", "live runs of the random policy and every agent", _live),
    Stage("publish", "tables, aggregates and figures (csgo-env publish)", _publish),
    Stage("summary", "kills per minute with 95% intervals; where everything is", _summary),
)


def stages_of(plan: BenchmarkPlan) -> tuple[Stage, ...]:
    """The quick benchmark makes its data; the real one checks that its data are there."""
    return (*(DATA_STAGES if plan.demos is not None else (CHECK_STAGE,)), *STAGES)


def run_benchmark(plan: BenchmarkPlan, *, say: Say = print) -> dict[str, dict[str, Any]]:
    """Run every stage of ``plan`` (module docstring); the summaries by stage name."""
    plan.out.mkdir(parents=True, exist_ok=True)
    if plan.synthetic:
        atomic_write_text(plan.out / "SYNTHETIC", MARKER_TEXT)
    atomic_write_text(plan.out / "plan.json",
                      json.dumps(plan.describe(), indent=1, sort_keys=True) + "\n")
    return run_stages(stages_of(plan), Context(plan, say), plan.out, say=say)


__all__ = ["STAGES", "Context", "run_benchmark", "stages_of"]
