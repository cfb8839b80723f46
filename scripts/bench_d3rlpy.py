"""Benchmark: one gradient step of our factored CQL beside d3rlpy's DiscreteCQL, same batch.

Run it with the d3rlpy environment (d3rlpy pins gymnasium 1.0.0):

    PYTHONPATH=. /work/venv-d3rlpy/bin/python scripts/bench_d3rlpy.py --batch 4 --seq-len 16

Both train on the same SYNTHETIC recordings (``csgo-env sample``, converted): ours on
``batch`` sequences of ``seq_len`` steps from the streaming loader with the shipped
``baselines/cql/dust2-expert.yaml`` network (frames 150x280, area-resized inside the net);
d3rlpy on ``batch * seq_len`` transitions of the exported subset (joint-action vocabulary,
frames 60x112 channel-first) with its default pixel encoder. Steps are interleaved; the
median seconds per step of each and the ratio are printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from csgo_env.baselines.config import load_config  # noqa: E402
from csgo_env.baselines.d3rlpy_interop import export_arrays, make_d3rlpy_algo  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--seq-len", type=int, default=16)
    parser.add_argument("--steps", type=int, default=10, help="timed steps of each")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    import d3rlpy

    from csgo_env.baselines.cql import CQL
    from csgo_env.baselines.data import EpisodeSequences, open_sequences, train_loader
    from csgo_env.baselines.trainer import _autocast, prepare
    from csgo_env.datasets.minari.export import convert
    from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings
    from csgo_env.rewards import RewardSpec

    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "recordings"
        write_synthetic_recordings(src, family="dust2-expert", files=2, with_metadata=False)
        root = Path(tmp) / "minari"
        convert([src], out_dir=root, workers=1, progress=False)
        cfg = load_config(REPO / "baselines/cql/dust2-expert.yaml", [
            f"data.root={root}", f"data.batch_size={args.batch}", f"data.seq_len={args.seq_len}",
            "data.val_fraction=0", "train.device=cpu"])
        ours = CQL(cfg.algo_config, cfg.model, torch.device("cpu"))
        base = open_sequences(cfg.data, cfg.model.frame_stack)
        loader = iter(train_loader(EpisodeSequences(base, range(len(base.episodes)), 0),
                                   args.batch, start=0, rank=0, world=1,
                                   stop=args.steps + 2, num_workers=0))
        reward = RewardSpec.parse(cfg.data.reward)
        batches = [prepare(next(loader), reward, 0, torch.device("cpu"))
                   for _ in range(args.steps + 1)]
        arrays, vocab, report = export_arrays(cfg, vocab_size=1024, max_episodes=2)
        dataset = d3rlpy.dataset.MDPDataset(
            arrays["observations"], arrays["actions"], arrays["rewards"], arrays["terminals"],
            timeouts=arrays["timeouts"], action_space=d3rlpy.constants.ActionSpace.DISCRETE,
            action_size=len(vocab))
        theirs = make_d3rlpy_algo("DiscreteCQL", cfg, "cpu:0")
        theirs.build_with_dataset(dataset)
        n = args.batch * args.seq_len
        their_batches = [dataset.sample_transition_batch(n) for _ in range(args.steps + 1)]
        t_ours, t_theirs = [], []
        autocast = _autocast(torch.device("cpu"), False)
        ours.update(batches[0], 0, autocast)  # warm-up
        theirs.update(their_batches[0])
        for i in range(1, args.steps + 1):
            t = time.perf_counter()
            ours.update(batches[i], i, autocast)
            t_ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            theirs.update(their_batches[i])
            t_theirs.append(time.perf_counter() - t)
    a, b = float(np.median(t_ours)), float(np.median(t_theirs))
    print(f"one gradient step, {n} samples per batch, {args.threads} threads, SYNTHETIC data")
    print(f"  ours factored CQL ({cfg.model.encoder}, frame_stack {cfg.model.frame_stack}, "
          f"150x280 in)   {1e3 * a:8.1f} ms")
    print(f"  d3rlpy DiscreteCQL (default pixel encoder, 60x112 in, {len(vocab)} joint actions, "
          f"coverage {100 * report.coverage:.1f}%)   {1e3 * b:8.1f} ms")
    print(f"  ratio ours / d3rlpy: {a / b:.2f}")


if __name__ == "__main__":
    main()
