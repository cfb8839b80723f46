"""The real benchmark's settings file (``csgo-env benchmark --config baselines/benchmark.yaml``).

Layout (every key checked; an unknown one is an error naming the known ones)::

    name: dust2-expert                      # results folder name (default out: data home)
    datasets:
      train: csgo/dust2-expert-train-v0     # converted with `csgo-env convert`
      test: csgo/dust2-expert-test-v0
      root: null                            # Minari root (null: MINARI_DATASETS_PATH)
      metadata: [path/to/currvarsv2/]       # the train files' metadata: positions (coverage)
    algorithms:                             # algorithm -> training config (relative paths:
      bc: baselines/bc/dust2-expert.yaml    #   to the repository)
    seeds: [0, 1, 2, 3, 4]                  # training seeds of every algorithm
    overrides: []                           # `--set` overrides for every training run
    live:
      env_id: CSGO-Deathmatch-v0
      env: {game: csgo, gsi_port: 3000}     # gym.make keyword arguments
      runs: 5                               # per agent (>= 5: the protocol)
      minutes: 10                           # per run (wall-clock when paced) or steps: N
      first_seed: 0
      setting: "de_dust2 deathmatch ..."    # the results' column name
      references: [scripted]                # built-in agents beside random (optional)
    aggregates: {reps: 50000}
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from csgo_env.benchmark.plan import BenchmarkPlan, default_out, repo_root
from csgo_env.errors import UsageError, explain
from csgo_env.evaluation.live_loop import Budget

_KEYS = {"": {"name", "datasets", "algorithms", "seeds", "overrides", "live", "aggregates"},
         "datasets": {"train", "test", "root", "metadata"},
         "live": {"env_id", "env", "runs", "minutes", "steps", "first_seed", "setting",
                  "references"},
         "aggregates": {"reps"}}


def _section(raw: Any, name: str, source: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise UsageError(explain(f"{source}: {name or 'the file'} must be a mapping",
                                 got=type(raw).__name__))
    unknown = sorted(set(raw) - _KEYS[name])
    if unknown:
        raise UsageError(explain(f"{source}: unknown key(s) {', '.join(unknown)}"
                                 f"{' in ' + name if name else ''}",
                                 expected=f"keys from {sorted(_KEYS[name])}",
                                 fix="check the spelling against csgo_env.benchmark.config_file"))
    return raw


def _path(value: Any, base: Path) -> Path:
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else base / path


def plan_from_mapping(raw: Any, source: str = "<config>", out: Path | None = None
                      ) -> BenchmarkPlan:
    """A checked :class:`BenchmarkPlan` from the file's mapping (module docstring)."""
    top = _section(raw, "", source)
    datasets = _section(top.get("datasets"), "datasets", source)
    live = _section(top.get("live"), "live", source)
    aggregates = _section(top.get("aggregates"), "aggregates", source)
    missing = [k for k in ("name", "algorithms") if k not in top] + \
        [f"datasets.{k}" for k in ("train", "test") if k not in datasets]
    if missing:
        raise UsageError(explain(f"{source}: missing {', '.join(missing)}",
                                 fix="see baselines/benchmark.yaml"))
    base = repo_root()
    algorithms = top["algorithms"]
    if not isinstance(algorithms, dict) or not algorithms:
        raise UsageError(explain(f"{source}: algorithms must map names to config files",
                                 got=repr(algorithms)))
    seeds = top.get("seeds", [0, 1, 2, 3, 4])
    if not isinstance(seeds, list) or not seeds or not all(
            isinstance(s, int) and not isinstance(s, bool) for s in seeds):
        raise UsageError(explain(f"{source}: seeds must be a list of integers",
                                 got=repr(seeds)))
    if "minutes" in live and "steps" in live:
        raise UsageError(explain(f"{source}: live takes minutes or steps, not both"))
    budget = Budget(steps=live.get("steps"), minutes=live.get("minutes",
                                                              None if "steps" in live else 10))
    root = datasets.get("root")
    references = live.get("references") or []
    if not isinstance(references, list) or not all(
            r == "scripted" for r in references):
        raise UsageError(explain(f"{source}: live.references must list built-in agents",
                                 expected="[scripted] or []",
                                 got=repr(references)))
    env = live.get("env") or {"game": "csgo"}
    if not isinstance(env, dict):
        raise UsageError(explain(f"{source}: live.env must be a mapping", got=repr(env)))
    return BenchmarkPlan(
        name=str(top["name"]), out=out or default_out(str(top["name"])),
        configs={str(a): _path(p, base) for a, p in algorithms.items()},
        train_id=str(datasets["train"]), test_id=str(datasets["test"]),
        root=None if root is None else _path(root, Path.cwd()),
        train_seeds=tuple(seeds), train_overrides=tuple(map(str, top.get("overrides") or ())),
        env_id=str(live.get("env_id", "CSGO-Deathmatch-v0")), env_kwargs=dict(env),
        setting=str(live.get("setting", "")), live_runs=int(live.get("runs", 5)),
        references=tuple(references),
        live_budget=budget, first_live_seed=int(live.get("first_seed", 0)),
        reference_metadata=tuple(_path(p, Path.cwd()) for p in datasets.get("metadata") or ()),
        reps=int(aggregates.get("reps", 50_000)))


def load_plan(path: str | os.PathLike[str], out: Path | None = None) -> BenchmarkPlan:
    """Read and check a benchmark settings file."""
    from csgo_env._optional import require

    yaml = require("yaml", extra="train", package="pyyaml", purpose="reading benchmark files")
    p = Path(path)
    if not p.is_file():
        raise UsageError(explain("benchmark file not found", expected="a YAML file",
                                 got=str(p), fix="see baselines/benchmark.yaml"))
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UsageError(explain(f"{p} is not valid YAML", got=str(exc)[:200])) from exc
    return plan_from_mapping(raw, str(p), out)


__all__ = ["load_plan", "plan_from_mapping"]
