"""Benchmark: acting latency of every shipped baseline config, and training throughput.

Acting: for each ``baselines/*/*.yaml`` an (untrained) checkpoint is exported to a policy
file and played through :class:`csgo_env.policy.ExportedPolicy` (frame stack,
recurrent state and the authors' sampling rule included) on one CPU thread
(``torch.set_num_threads(1)``), interleaved with the reference: a plain small CNN (the
DQN "Nature" network, 3 convolutions + 512 units) on the same uint8 150x280 frame.
Targets: the default config (``bc/dust2-expert.yaml``) <= 5 ms per step, every config
<= 30 ms (the 16 Hz tick is 62.5 ms). Medians and p99 of per-step times are printed with
the ratio to the reference and PASS/MISS.

Training: a few gradient steps of BC, CQL and IQL with the default network on SYNTHETIC
recordings (``csgo-env sample``, converted), on this CPU: samples/s and the share of step
time spent waiting for data, beside the loader alone reading the same batches.

    python scripts/bench_policy.py
    python scripts/bench_policy.py --act-steps 300 --train-steps 20 --json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from csgo_env.baselines import checkpoint as ck  # noqa: E402
from csgo_env.baselines.config import load_config  # noqa: E402
from csgo_env.baselines.export import export_policy  # noqa: E402
from csgo_env.baselines.registry import algorithm_class  # noqa: E402
from csgo_env.policy import ExportedPolicy  # noqa: E402

DEFAULT = "bc/dust2-expert.yaml"
TARGET_DEFAULT_MS, TARGET_ALL_MS = 5.0, 30.0


class NatureCNN(nn.Module):
    """The reference: uint8 (1, 150, 280, 3) -> 64 logits through the DQN Nature CNN."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 32, 8, 4), nn.ReLU(), nn.Conv2d(32, 64, 4, 2), nn.ReLU(),
            nn.Conv2d(64, 64, 3, 1), nn.ReLU(), nn.Flatten(), nn.Linear(64 * 15 * 31, 512),
            nn.ReLU(), nn.Linear(512, 64))

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.net(obs.permute(0, 3, 1, 2).float() / 255.0)


def policy_file(config: Path, folder: Path) -> Path:
    """Export an untrained checkpoint of ``config`` (latency does not depend on weights)."""
    cfg = load_config(config)
    algo = algorithm_class(cfg.algo)(cfg.algo_config, cfg.model, torch.device("cpu"))
    name = str(config.relative_to(REPO / "baselines")).replace("/", "_").removesuffix(".yaml")
    path = folder / f"{name}.pt"
    ck.save_checkpoint(path, {"algo": cfg.algo, "config": cfg.to_dict(), "step": 0,
                              "state": algo.state_dict(), "rng": ck.rng_state(),
                              "synthetic": False})
    return export_policy(path, folder / f"{name}.pt2", sampling="authors")


def act_latency(configs: list[Path], steps: int, reps: int) -> list[dict]:
    torch.set_num_threads(1)
    frames = np.random.default_rng(0).integers(0, 256, (64, 150, 280, 3), dtype=np.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        players = {"reference: Nature CNN": _reference()}
        for cfg in configs:
            policy = ExportedPolicy(policy_file(cfg, Path(tmp)))
            players[str(cfg.relative_to(REPO / "baselines"))] = policy.act
        times: dict[str, list[float]] = {name: [] for name in players}
        for act in players.values():  # warm-up
            for f in frames[:5]:
                act(f)
        for _ in range(reps):
            for name, act in players.items():
                for i in range(steps // reps):
                    t = time.perf_counter()
                    act(frames[i % len(frames)])
                    times[name].append(time.perf_counter() - t)
    ref = float(np.median(times["reference: Nature CNN"])) * 1e3
    rows = []
    for name, ts in times.items():
        med, p99 = float(np.median(ts)) * 1e3, float(np.percentile(ts, 99)) * 1e3
        target = None if name.startswith("reference") else (
            TARGET_DEFAULT_MS if name == DEFAULT else TARGET_ALL_MS)
        rows.append({"policy": name, "median_ms": med, "p99_ms": p99, "ratio": med / ref,
                     "target_ms": target,
                     "verdict": "" if target is None else ("PASS" if med <= target else "MISS")})
    return rows


def _reference() -> object:
    net = NatureCNN().eval()

    def act(frame: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return net(torch.from_numpy(frame)[None]).numpy()
    return act


def training_throughput(steps: int, batch: int, seq_len: int, workers: int) -> list[dict]:
    from csgo_env.baselines.data import EpisodeSequences, open_sequences, train_loader
    from csgo_env.baselines.trainer import train
    from csgo_env.datasets.minari.export import convert
    from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings

    torch.set_num_threads(os.cpu_count() or 1)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "recordings"
        write_synthetic_recordings(src, family="dust2-expert", files=3, with_metadata=False)
        root = Path(tmp) / "minari"
        convert([src], out_dir=root, workers=1, progress=False)
        for algo in ("bc", "cql", "iql"):
            cfg = load_config(REPO / "baselines" / algo / "dust2-expert.yaml", [
                f"data.root={root}", f"data.batch_size={batch}", f"data.seq_len={seq_len}",
                f"data.num_workers={workers}", "data.val_fraction=0", f"train.steps={steps}",
                f"train.out_dir={Path(tmp) / algo}", f"train.log_every={steps}",
                "train.device=cpu", "train.progress=false"])
            result = train(cfg)
            rows.append({"what": f"{algo} train (SYNTHETIC data)",
                         "samples_per_s": result.samples_per_s,
                         "data_wait_fraction": result.data_wait_fraction})
        base = open_sequences(cfg.data, cfg.model.frame_stack)
        data = EpisodeSequences(base, range(len(base.episodes)), seed=0)
        loader = train_loader(data, batch, start=0, rank=0, world=1, stop=steps,
                              num_workers=workers)
        t = time.perf_counter()
        n = sum(int(b["actions"].shape[0] * b["actions"].shape[1]) for b in loader)
        rows.append({"what": "reference: loader alone", "samples_per_s":
                     n / (time.perf_counter() - t), "data_wait_fraction": 1.0})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--act-steps", type=int, default=200, help="timed acts per policy")
    parser.add_argument("--reps", type=int, default=4, help="interleaved repetitions")
    parser.add_argument("--train-steps", type=int, default=10)
    parser.add_argument("--batch", type=int, default=4, help="sequences per training step")
    parser.add_argument("--seq-len", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="DataLoader workers")
    parser.add_argument("--skip-train", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    configs = sorted((REPO / "baselines").glob("*/*.yaml"))
    act = act_latency(configs, args.act_steps, args.reps)
    tr = [] if args.skip_train else training_throughput(args.train_steps, args.batch,
                                                        args.seq_len, args.workers)
    if args.json:
        print(json.dumps({"act": act, "train": tr}, indent=1))
        return
    print(f"acting on one CPU thread ({args.act_steps} steps each, interleaved x{args.reps})")
    for r in act:
        target = f"<= {r['target_ms']:.0f} ms {r['verdict']}" if r["target_ms"] else ""
        print(f"  {r['policy']:32s} median {r['median_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms"
              f"  x{r['ratio']:5.2f} of reference  {target}")
    if tr:
        print(f"training on this CPU ({torch.get_num_threads()} threads, batch {args.batch} x "
              f"{args.seq_len} steps, {args.workers} loader workers, SYNTHETIC data)")
        ref = tr[-1]["samples_per_s"]
        for r in tr:
            ratio = r["samples_per_s"] / ref
            print(f"  {r['what']:34s} {r['samples_per_s']:8.1f} samples/s  (x{ratio:.3f} of the "
                  f"loader)  waiting for data {100 * r['data_wait_fraction']:.1f}%")


if __name__ == "__main__":
    main()
