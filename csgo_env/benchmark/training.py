"""The quick benchmark's training and offline stages: every algorithm x seed, resumable.

Run ``runs/<algo>-s<seed>/`` trains the plan's config of the algorithm (quick:
``baselines/quick/<algo>.yaml``) with that seed on the plan's train split
(:func:`train_all`): a run with a ``policy.pt2`` is kept, one with only a ``last.pt``
(killed mid-way) is resumed, the rest start. Then every policy
run is scored on the test split from the checkpoint its policy file was exported from
(:func:`offline_records`, :mod:`csgo_env.baselines.predict`): one results-schema record per
run (setting ``<test id> (offline)``), synthetic when the data are.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

from csgo_env import _provenance
from csgo_env.benchmark.plan import BenchmarkPlan
from csgo_env.benchmark.stages import Say
from csgo_env.evaluation.results_schema import RunRecord

OFFLINE_SEQ_LEN = 32


def run_dir(runs: Path, algo: str, seed: int) -> Path:
    """The run folder of one algorithm and seed."""
    return runs / f"{algo}-s{seed}"


def checkpoint_of(run: Path) -> str:
    """Which checkpoint the run's policy file was exported from (the trainer's rule)."""
    return "best" if (run / "best.pt").is_file() else "last"


def train_all(plan: BenchmarkPlan, runs: Path, root: Path | None, say: Say) -> list[dict[str, Any]]:
    """Train (or keep, or resume) every run of the plan; one summary per run."""
    from csgo_env.baselines.config import load_config
    from csgo_env.baselines.trainer import train
    from csgo_env.evaluation.live_agents import file_sha256

    out = []
    total = len(plan.algorithms) * len(plan.train_seeds)
    n = 0
    for algo in plan.algorithms:
        for seed in plan.train_seeds:
            n += 1
            run = run_dir(runs, algo, seed)
            policy = run / "policy.pt2"
            if policy.is_file():
                say(f"    [{n}/{total}] {algo} seed {seed}: kept ({policy})")
                out.append({"algo": algo, "seed": seed, "policy": str(policy), "kept": True,
                            "sha256": file_sha256(policy)})
                continue
            overrides = [f"seed={seed}", f"data.dataset=[{plan.train_id}]",
                         f"train.out_dir={run}", *plan.train_overrides]
            if root is not None:
                overrides.append(f"data.root={root}")
            resumed = (run / "last.pt").is_file()
            if resumed:
                overrides.append("train.resume=true")
            config = load_config(plan.config_file(algo), overrides)
            say(f"    [{n}/{total}] {algo} seed {seed}: {config.train.steps} steps"
                f"{' (resumed)' if resumed else ''} -> {run}")
            t0 = time.perf_counter()
            result = train(config)
            out.append({"algo": algo, "seed": seed, "policy": str(result.policy),
                        "kept": False, "resumed": resumed, "steps": result.steps,
                        "best": result.best, "seconds": round(time.perf_counter() - t0, 1),
                        "synthetic": result.synthetic,
                        "sha256": file_sha256(result.policy) if result.policy else None})
    return out


def _clean(values: dict[str, Any], prefix: str = "") -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            out.update(_clean(value, f"{prefix}{key}/"))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[prefix + key] = float(value) if math.isfinite(value) else None
    return out


def offline_records(plan: BenchmarkPlan, runs: Path, root: Path | None,
                    say: Say) -> list[RunRecord]:
    """Score every run's policy on the test split (module docstring)."""
    from csgo_env.baselines.predict import checkpoint_predictor
    from csgo_env.evaluation.offline_eval import evaluate_offline

    records = []
    for algo in plan.algorithms:
        for seed in plan.train_seeds:
            run = run_dir(runs, algo, seed)
            checkpoint = run / f"{checkpoint_of(run)}.pt"  # what policy.pt2 was made from
            predict, stack = checkpoint_predictor(checkpoint)
            report = evaluate_offline(predict, plan.test_id, train_ids=[plan.train_id],
                                      root=root, seq_len=OFFLINE_SEQ_LEN, frame_stack=stack)
            metrics = {**_clean(report["model"]),
                       **_clean(report["normalised"], "normalised/")}
            say(f"    {algo} seed {seed}: NLL {report['model']['nll_bits']:.2f} bits/frame, "
                f"fire F1 {report['model']['fire_f1']:.3f}, mouse x top-1 "
                f"{report['model']['mouse_x_top1']:.3f} ({report['frames']} test frames)")
            records.append(RunRecord(
                algorithm=algo, config=plan.config_label(algo), env_id=plan.env_id,
                dataset_id=plan.train_id, dataset_version=report["train_datasets"][0]["version"],
                seed=seed, checkpoint=checkpoint_of(run), commit=_provenance.git_commit(),
                hardware=_provenance.hardware(), synthetic=bool(report["synthetic"]),
                metrics=metrics, setting=f"{plan.test_id} (offline)",
                notes=f"checkpoint {checkpoint} (policy.pt2 exported from it); "
                      f"{report['frames']} test frames"
                      f"{'; SYNTHETIC data' if report['synthetic'] else ''}"))
    return records


__all__ = ["checkpoint_of", "offline_records", "run_dir", "train_all"]
