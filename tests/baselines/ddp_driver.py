"""Run under torchrun by test_distributed.py: train a raw JSON config, then write this
rank's losses and a checksum of its weights to OUT/rank{RANK}.json."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import torch

from csgo_env.baselines.config import from_dict
from csgo_env.baselines.trainer import train


def main() -> None:
    raw = json.loads(Path(sys.argv[1]).read_text())
    torch.set_num_threads(1)
    checksums: dict[str, float] = {}

    def on_step(step: int, _: dict[str, float]) -> None:
        if step == raw["train"]["steps"]:
            import gc

            for obj in gc.get_objects():  # the algorithm's trained networks
                if isinstance(obj, torch.nn.parallel.DistributedDataParallel):
                    checksums[type(obj.module).__name__ + str(len(checksums))] = float(
                        sum(p.double().sum() for p in obj.module.parameters()))

    result = train(from_dict(raw), on_step=on_step)
    rank = os.environ["RANK"]
    out = Path(sys.argv[2]) / f"rank{rank}.json"
    out.write_text(json.dumps({"losses": result.losses, "checksums": checksums,
                               "world": os.environ["WORLD_SIZE"]}))


if __name__ == "__main__":
    main()
