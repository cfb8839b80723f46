"""DDP under torchrun: each rank reads its own share; two CPU processes (Gloo) keep
identical weights and only rank 0 writes the run folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from csgo_env.baselines import checkpoint as ck
from csgo_env.baselines.data import StepBatches
from tests.support.baselines import tiny_config

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def test_each_rank_reads_its_own_share_of_every_step() -> None:
    world, batch = 3, 4
    per_rank = [list(StepBatches(batch, start=5, rank=r, world=world, stop=9))
                for r in range(world)]
    for step in range(4):
        items = [i for r in range(world) for i in per_rank[r][step]]
        assert items == list(range((5 + step) * world * batch, (6 + step) * world * batch))
    single = list(StepBatches(batch * world, start=5, stop=9))
    assert [sorted(i for r in range(world) for i in per_rank[r][s]) for s in range(4)] == single


@pytest.mark.slow
def test_two_processes_under_torchrun(kill_task: Path, tmp_path: Path) -> None:
    raw = tiny_config("cql", kill_task, tmp_path / "run", steps=4,
                      data={"seq_len": 4, "batch_size": 2},
                      train={"checkpoint_every": 2, "log_every": 1})
    config = tmp_path / "config.json"
    config.write_text(json.dumps(raw))
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                           "--nproc_per_node", "2", str(HERE / "ddp_driver.py"), str(config),
                           str(tmp_path)], capture_output=True, text=True, env=env,
                          timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert all(r["world"] == "2" and len(r["losses"]) == 4 for r in ranks)
    assert ranks[0]["losses"] != ranks[1]["losses"]  # different shares of data
    assert ranks[0]["checksums"] and ranks[0]["checksums"] == ranks[1]["checksums"]
    last = ck.load_checkpoint(tmp_path / "run" / "last.pt")
    assert last["step"] == 4 and last["world_size"] == 2
    assert (tmp_path / "run" / "policy.pt2").is_file()
