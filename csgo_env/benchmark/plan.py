"""What one benchmark run does, in one place: :class:`BenchmarkPlan`.

A plan names the datasets (Minari ids of the train and test split, their root), the
training config of each algorithm and the seeds, the live env and its settings, the runs
per agent and their length, what coverage is scored against, and the bootstrap size.

- :func:`quick_plan` (``csgo-env benchmark --quick``): the arena. It first records
  demonstrations of the arena's scripted expert (:class:`DemoPlan`) and converts them; the
  configs are ``baselines/quick/<algo>.yaml``; every agent plays the arena unpaced, and the
  scripted expert is one of the agents. Sized to finish within 10 minutes on a 2-core CPU.
  Everything it produces is SYNTHETIC.
- :func:`tiny_plan`: a seconds-long smoke test of the same pipeline (numbers mean nothing).
- :func:`csgo_env.benchmark.config_file.load_plan` (``--config FILE``): the real benchmark,
  e.g. ``baselines/benchmark.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csgo_env._paths import data_home
from csgo_env.errors import UsageError, explain
from csgo_env.evaluation.live_loop import Budget
from csgo_env.evaluation.maps import ARENA_FRAME, MapFrame

FAMILY = "aim-expert"
ARENA_TRAIN_ID = "csgo/aim-expert-train-v0"
ARENA_TEST_ID = "csgo/aim-expert-test-v0"
ALGORITHMS = ("bc", "cql", "iql")


def repo_root() -> Path:
    """The checkout csgo_env is imported from (``baselines/`` is not installed)."""
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class DemoPlan:
    """Arena demonstrations to record: ``files`` of ``frames`` frames (numbers divisible by
    10 are the test split; the conversion takes only the public files' 1000), ``opponents``
    in the arena, base ``seed``."""

    files: int = 12
    frames: int = 1000
    opponents: int = 6
    seed: int = 0

    @property
    def first_number(self) -> int:
        """1, or so that file 10 (the test split) is among the files."""
        return 1 if self.files >= 10 else 11 - self.files


@dataclass(frozen=True)
class BenchmarkPlan:
    """One benchmark run (module docstring)."""

    name: str
    out: Path
    configs: dict[str, Path]
    """algorithm -> its training config file"""
    train_id: str = ARENA_TRAIN_ID
    test_id: str = ARENA_TEST_ID
    root: Path | None = None
    """Minari root of the datasets (None: MINARI_DATASETS_PATH; quick: out/minari)"""
    demos: DemoPlan | None = None
    train_seeds: tuple[int, ...] = (0, 1, 2)
    train_overrides: tuple[str, ...] = ()
    env_id: str = "CSGO-Deathmatch-v0"
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    setting: str = ""
    expert: bool = False
    """the arena's scripted expert plays too (arena only)"""
    references: tuple[str, ...] = ()
    """further built-in reference agents beside random, e.g. ``("scripted",)``
    (:mod:`csgo_env.evaluation.live_agents`)"""
    live_runs: int = 6
    live_budget: Budget = field(default_factory=lambda: Budget(steps=320))
    reference_metadata: tuple[Path, ...] = ()
    """metadata files or folders giving the train split's positions (coverage)"""
    reference_frame: MapFrame | None = None
    """the coverage grids' frame (None: the map's radar; quick: the arena's floor plan)"""
    reps: int = 1000
    live_metrics: tuple[str, ...] = ("kills_per_minute", "deaths_per_minute", "kd",
                                     "coverage_emd")
    """headline metrics of the live tables, aggregates and figures (the first also gets
    rliable's probability of improvement between every pair of agents)"""
    offline_metrics: tuple[str, ...] = ("nll_bits", "macro_f1_keys", "fire_f1",
                                        "mouse_x_top1", "mouse_y_top1")
    synthetic: bool | None = None
    first_live_seed: int = 100

    def __post_init__(self) -> None:
        if not self.configs or self.live_runs < 2 or not self.train_seeds:
            raise UsageError(explain("benchmark plan too small", expected="an algorithm, a "
                                     "seed and live_runs >= 2",
                                     got=f"{sorted(self.configs)}, {self.train_seeds}, "
                                         f"{self.live_runs}"))

    @property
    def algorithms(self) -> tuple[str, ...]:
        return tuple(self.configs)

    @property
    def minari_root(self) -> Path | None:
        return self.out / "minari" if self.demos is not None else self.root

    def config_file(self, algo: str) -> Path:
        path = self.configs[algo]
        if not path.is_file():
            raise UsageError(explain(
                f"no training config for {algo}", expected=str(path), got="no such file",
                fix="run from a clone of the repository (configs live in baselines/, "
                    "beside the package)"))
        return path

    def config_label(self, algo: str) -> str:
        """How records name the config: relative to the repository when inside it."""
        path = self.configs[algo].resolve()
        try:
            return str(path.relative_to(repo_root()))
        except ValueError:
            return str(path)

    def describe(self) -> dict[str, Any]:
        """Plain data of the plan (kept as ``plan.json`` in the results folder)."""
        return {"name": self.name, "out": str(self.out), "train_id": self.train_id,
                "test_id": self.test_id, "root": str(self.minari_root),
                "configs": {a: self.config_label(a) for a in self.configs},
                "demos": None if self.demos is None else vars(self.demos),
                "train_seeds": list(self.train_seeds),
                "train_overrides": list(self.train_overrides), "env_id": self.env_id,
                "env_kwargs": {k: str(v) if isinstance(v, Path) else v
                               for k, v in self.env_kwargs.items()},
                "setting": self.setting, "expert": self.expert,
                "references": list(self.references), "live_runs": self.live_runs,
                "live_budget": self.live_budget.to_json(), "reps": self.reps,
                "reference_metadata": [str(p) for p in self.reference_metadata],
                "reference_frame": None if self.reference_frame is None
                else self.reference_frame.to_dict()}


def default_out(name: str) -> Path:
    """``<data home>/benchmark/<name>`` (``$CSGO_ENV_HOME``, else ``~/.cache/csgo_env``)."""
    return data_home() / "benchmark" / name


def arena_setting(opponents: int) -> str:
    return f"arena ({opponents} opponents), unpaced (per game minute), SYNTHETIC"


def _arena_plan(name: str, out: Path | None, demos: DemoPlan, **kw: Any) -> BenchmarkPlan:
    folder = out or default_out(name)
    quick = repo_root() / "baselines" / "quick"
    return BenchmarkPlan(
        name=name, out=folder, configs={a: quick / f"{a}.yaml" for a in ALGORITHMS},
        demos=demos, env_kwargs={"game": "arena", "paced": False,
                                 "replay_args": ("--opponents", str(demos.opponents))},
        setting=arena_setting(demos.opponents), expert=True,
        reference_metadata=(folder / "demos",), reference_frame=ARENA_FRAME, synthetic=True,
        **kw)


def quick_plan(out: Path | None = None) -> BenchmarkPlan:
    """The published quick setting (module docstring)."""
    return _arena_plan("quick", out, DemoPlan(), live_runs=6, live_budget=Budget(steps=320))


def tiny_plan(out: Path | None = None) -> BenchmarkPlan:
    """A seconds-long smoke test of the whole pipeline (numbers mean nothing)."""
    return _arena_plan("tiny", out, DemoPlan(files=2), live_runs=2, train_seeds=(0,),
                       live_budget=Budget(steps=16), reps=200,
                       live_metrics=("kills_per_minute",), offline_metrics=("nll_bits",),
                       train_overrides=("train.steps=3", "train.val_every=3",
                                        "train.checkpoint_every=3", "data.batch_size=2",
                                        "data.seq_len=4", "data.val_sequences=2",
                                        "data.val_fraction=0.0"))


__all__ = ["ALGORITHMS", "ARENA_TEST_ID", "ARENA_TRAIN_ID", "FAMILY", "BenchmarkPlan",
           "DemoPlan", "arena_setting", "default_out", "quick_plan", "repo_root", "tiny_plan"]
