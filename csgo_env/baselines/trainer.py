"""The training loop: streamed sequences -> gradient steps -> logs, validation, checkpoints.

Everything a run can get wrong is checked before the first step: config keys, dataset ids
(unknown, not converted, test split, empty), the run folder (an existing ``last.pt``
needs ``train.resume``), and resume/initial checkpoints (same algorithm, action space and
network). A run folder holds ``config.yaml``, ``metrics.csv`` (loss, samples/s, share of
step time spent waiting for data, validation metrics), ``last.pt`` (every
``checkpoint_every`` steps and at the end), ``best.pt`` (lowest validation loss) and
``policy.pt2`` (exported from ``best.pt``, else ``last.pt``). A resumed run continues the
same stream of batches and random draws, so its losses equal the uninterrupted run's.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from csgo_env import _provenance
from csgo_env._atomic import atomic_write_text
from csgo_env.baselines import checkpoint as ck
from csgo_env.baselines import data as bd
from csgo_env.baselines import distributed
from csgo_env.baselines.algorithm import Algorithm, Batch
from csgo_env.baselines.config import TrainConfig, dump_config
from csgo_env.baselines.logs import RunLog
from csgo_env.baselines.registry import algorithm_class
from csgo_env.errors import CheckpointError, TrainConfigError, explain
from csgo_env.rewards import RewardSpec


@dataclass
class TrainResult:
    """What a run did: steps, per-step training losses of this process, best validation."""

    out_dir: Path
    start_step: int
    steps: int
    losses: list[float] = field(default_factory=list)
    best: dict[str, float] | None = None
    last_validation: dict[str, float] | None = None
    policy: Path | None = None
    synthetic: bool = False
    samples_per_s: float = 0.0
    data_wait_fraction: float = 0.0


def prepare(raw: dict[str, torch.Tensor], reward: RewardSpec, burn_in: int,
            device: torch.device) -> Batch:
    """The loader's batch on ``device`` with rewards from ``reward`` and the loss mask."""
    actions = raw["actions"]
    rewards = reward(raw["kill"].numpy(), raw["death"].numpy(), actions[..., 11].numpy())
    mask = torch.ones(actions.shape[:2], dtype=torch.bool)
    mask[:, :burn_in] = False
    return {"observations": raw["observations"].to(device, non_blocking=True),
            "actions": actions.to(device), "rewards": torch.from_numpy(rewards).float().to(device),
            "terminations": raw["terminations"].to(device), "mask": mask.to(device)}


def _autocast(dev: torch.device, amp: bool) -> Callable[[], Any]:
    if dev.type == "cuda" and amp:
        return lambda: torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext


def sources_synthetic(base: Any) -> bool:
    """Whether any episode comes from synthetic data (dataset metadata or SYNTHETIC marker)."""
    from csgo_env.datasets.minari import storage as ms
    from csgo_env.datasets.synthetic.recordings import is_synthetic

    folders = {Path(r.path).parent for r in base.episodes if r.kind == "store"}
    for folder in folders | {f.parent for f in folders}:
        if (folder / ms.METADATA_FILE).is_file():
            meta = ms.read_metadata(folder).get("csgo_env") or {}
            if meta.get("synthetic", False):
                return True
    return any(is_synthetic(r.path) for r in base.episodes if r.kind == "recording")


def _check_run_folder(cfg: TrainConfig) -> dict[str, Any] | None:
    """The checkpoint to resume from (None for a fresh run); refuses to overwrite a run."""
    out = Path(cfg.train.out_dir)
    last = out / "last.pt"
    if cfg.train.resume:
        if not last.is_file():
            raise CheckpointError(explain("nothing to resume", expected=f"{last}",
                                          got="no such file", fix="drop --resume to start"))
        ckpt = ck.load_checkpoint(last)
        ck.check_same_algorithm(ckpt, cfg.algo, last)
        ck.check_same_model(ckpt, cfg.to_dict()["model"], last)
        return ckpt
    if last.exists():
        raise TrainConfigError(explain(
            "the run folder already holds a run", expected="an empty train.out_dir",
            got=str(out), fix="pass --resume to continue it or choose another out_dir"))
    return None


def train(cfg: TrainConfig, *, on_step: Callable[[int, dict[str, float]], None] | None = None
          ) -> TrainResult:
    """Run (or resume) the training described by ``cfg`` (module docstring)."""
    run = cfg.train
    if run.steps < 1 or cfg.data.seq_len < 2 or run.burn_in >= cfg.data.seq_len - 1:
        raise TrainConfigError(explain("nothing to train", expected="train.steps >= 1, "
                                       "data.seq_len >= 2, train.burn_in < seq_len - 1",
                                       got=f"{run.steps}, {cfg.data.seq_len}, {run.burn_in}"))
    cls = algorithm_class(cfg.algo)
    reward = RewardSpec.parse(cfg.data.reward)
    resume = _check_run_folder(cfg)
    init = None
    if run.init_from:
        init = ck.load_checkpoint(run.init_from)
        ck.check_same_algorithm(init, cfg.algo, run.init_from)
        ck.check_same_model(init, cfg.to_dict()["model"], run.init_from)
    base = bd.open_sequences(cfg.data, cfg.model.frame_stack)
    names = [Path(r.source).name for r in base.episodes]
    train_eps, val_eps = bd.split_episodes(names, cfg.data.val_fraction, cfg.data.val_seed)
    train_data = bd.EpisodeSequences(base, train_eps, seed=cfg.seed)
    val_data = (bd.EpisodeSequences(base, val_eps, seed=10_007 + cfg.data.val_seed)
                if val_eps else None)
    synthetic = sources_synthetic(base)

    dist = distributed.setup(run.device)
    if run.threads:
        torch.set_num_threads(int(run.threads))
    torch.use_deterministic_algorithms(bool(run.deterministic))
    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)
    random.seed(cfg.seed)
    algo: Algorithm = cls(cfg.algo_config, cfg.model, dist.device)
    start, best = 0, None
    if resume is not None:
        algo.load_state_dict(resume["state"])
        ck.set_rng_state(resume["rng"])
        start, best = int(resume["step"]), resume.get("best")
    elif init is not None:
        algo.load_state_dict(init["state"], optimizer=False)
    for k in list(algo.nets):
        algo.nets[k] = distributed.wrap(algo.nets[k], dist)

    out = Path(run.out_dir)
    if dist.main:
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out / "config.yaml", ("# SYNTHETIC DATA\n" if synthetic else "")
                          + dump_config(cfg))
    log = RunLog(out, resume_step=start if resume is not None else None, enabled=dist.main,
                 synthetic=synthetic)
    result = TrainResult(out, start, start, synthetic=synthetic, best=best)
    autocast = _autocast(dist.device, run.amp)

    def payload(step: int) -> dict[str, Any]:
        return {"algo": cfg.algo, "config": cfg.to_dict(), "commit": _provenance.git_commit(),
                "step": step, "state": algo.state_dict(), "rng": ck.rng_state(),
                "best": result.best, "metrics": result.last_validation, "synthetic": synthetic,
                "datasets": list(cfg.data.dataset), "world_size": dist.world}

    loader = bd.train_loader(train_data, cfg.data.batch_size, start=start, rank=dist.rank,
                             world=dist.world, stop=run.steps, num_workers=cfg.data.num_workers)
    from tqdm.auto import tqdm

    bar = tqdm(total=run.steps, initial=start, disable=not (run.progress and dist.main),
               desc=f"train {cfg.algo}{' (SYNTHETIC data)' if synthetic else ''}",
               dynamic_ncols=True, smoothing=0.05)
    wait = busy = 0.0
    logged_steps = 0
    t_prev = time.perf_counter()
    step = start
    for raw in loader:
        t_data = time.perf_counter()
        metrics = algo.update(prepare(raw, reward, run.burn_in, dist.device), step, autocast)
        t_end = time.perf_counter()
        wait, busy, t_prev = wait + (t_data - t_prev), busy + (t_end - t_prev), t_end
        step += 1
        logged_steps += 1
        result.losses.append(metrics["loss"])
        result.steps = step
        bar.update(1)
        bar.set_postfix(loss=f"{metrics['loss']:.4g}")
        if on_step is not None:
            on_step(step, metrics)
        if step % run.log_every == 0 or step == run.steps:
            samples = logged_steps * cfg.data.batch_size * cfg.data.seq_len * dist.world
            result.samples_per_s = samples / max(busy, 1e-9)
            result.data_wait_fraction = wait / max(busy, 1e-9)
            log.log(step, {**{f"train/{k}": v for k, v in metrics.items()},
                           "samples_per_s": result.samples_per_s,
                           "data_wait_fraction": result.data_wait_fraction})
            wait = busy = 0.0
            logged_steps = 0
        if dist.main and val_data is not None and (step % run.val_every == 0
                                                   or step == run.steps):
            result.last_validation = validate(algo, val_data, cfg, autocast, dist.device)
            log.log(step, {f"val/{k}": v for k, v in result.last_validation.items()})
            if result.best is None or result.last_validation["loss"] < result.best["loss"]:
                result.best = {"loss": result.last_validation["loss"], "step": float(step)}
                ck.save_checkpoint(out / "best.pt", payload(step))
        if dist.main and (step % run.checkpoint_every == 0 or step == run.steps):
            ck.save_checkpoint(out / "last.pt", payload(step))
        t_prev = time.perf_counter()
    bar.close()
    log.close()
    distributed.barrier(dist)
    if dist.main:
        from csgo_env.baselines.export import export_policy

        source = out / "best.pt" if (out / "best.pt").is_file() else out / "last.pt"
        result.policy = export_policy(source, out / "policy.pt2", sampling=run.export_sampling)
    distributed.teardown(dist)
    return result


def validate(algo: Algorithm, data: bd.EpisodeSequences, cfg: TrainConfig,
             autocast: Callable[[], Any], device: torch.device) -> dict[str, float]:
    """Mean of :meth:`Algorithm.evaluate` over the fixed validation sequences."""
    reward = RewardSpec.parse(cfg.data.reward)
    totals: dict[str, float] = {}
    n = 0
    for raw in bd.validation_batches(data, cfg.data.batch_size, cfg.data.val_sequences):
        values = algo.evaluate(prepare(raw, reward, cfg.train.burn_in, device), autocast)
        for k, v in values.items():
            totals[k] = totals.get(k, 0.0) + v
        n += 1
    return {k: v / max(n, 1) for k, v in totals.items()}
