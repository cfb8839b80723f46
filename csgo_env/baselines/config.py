"""The training configuration: one YAML file per table cell, checked key by key.

A config file has the sections below; the algorithm's own section is named after it
(``bc:``, ``cql:``, ``iql:``, fields of :mod:`csgo_env.baselines.bc` etc.)::

    algo: cql
    seed: 0
    data:  {dataset: csgo/dust2-expert-train-v0, seq_len: 16, batch_size: 8}
    model: {encoder: impala-small, frame_stack: 2, core: none}
    train: {steps: 200000, out_dir: runs/cql-dust2-expert}
    cql:   {alpha: 1.0, gamma: 0.99}

Every key must exist (a misspelt key is an error naming the close match, never ignored);
``--set section.key=value`` overrides a key with a YAML-parsed value.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csgo_env.baselines.algorithm import AlgoConfig
from csgo_env.baselines.networks import ModelConfig
from csgo_env.errors import TrainConfigError, explain


@dataclass
class DataConfig:
    """Where the sequences come from and how they are cut."""

    dataset: list[str] = field(default_factory=lambda: ["csgo/dust2-expert-train-v0"])
    """Minari dataset ids (train splits), dataset folders or recording folders"""
    root: str | None = None
    """Minari root holding the ids (default: MINARI_DATASETS_PATH or ~/.minari/datasets)"""
    seq_len: int = 16
    """steps per training sequence"""
    batch_size: int = 8
    """sequences per gradient step and process"""
    num_workers: int = 0
    """DataLoader worker processes"""
    val_fraction: float = 0.05
    """share of train episodes (source files) held out for validation, seeded by val_seed"""
    val_seed: int = 0
    """seed of the validation hold-out rule"""
    val_sequences: int = 64
    """validation sequences (a fixed set drawn from the held-out episodes)"""
    reward: str = "kill - 0.5*death - 0.02*shot"
    """reward spec over the kill/death flags and the fire key (csgo_env reward contract)"""


@dataclass
class RunConfig:
    """Loop, logging, checkpoints and hardware."""

    steps: int = 100_000
    """gradient steps in total"""
    out_dir: str = "runs/run"
    """run folder: checkpoints (last.pt, best.pt), metrics.csv, config.yaml, policy.pt2"""
    burn_in: int = 0
    """leading steps of each sequence that only warm up the recurrent state"""
    log_every: int = 50
    val_every: int = 1000
    checkpoint_every: int = 1000
    device: str = "auto"
    """auto (cuda when available), cpu, cuda or cuda:N"""
    amp: bool = True
    """bfloat16 autocast on CUDA (ignored on CPU)"""
    deterministic: bool = False
    """torch.use_deterministic_algorithms(True) (bit-identical resumes on CPU)"""
    threads: int | None = None
    """torch CPU threads (default: torch's choice)"""
    resume: bool = False
    """continue from out_dir/last.pt"""
    init_from: str | None = None
    """start from the weights of this checkpoint (same algorithm and action space)"""
    export_sampling: str = "authors"
    """default sampling mode written into the exported policy"""
    progress: bool = True


SECTIONS = {"data": DataConfig, "model": ModelConfig, "train": RunConfig}


@dataclass
class TrainConfig:
    """A whole run: algorithm name and its config, seed and the three sections."""

    algo: str
    algo_config: AlgoConfig
    seed: int = 0
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: RunConfig = field(default_factory=RunConfig)
    source: str | None = None
    """the config file it was read from"""

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (the file's layout), saved with every checkpoint."""
        return {"algo": self.algo, "seed": self.seed,
                "data": dataclasses.asdict(self.data), "model": dataclasses.asdict(self.model),
                "train": dataclasses.asdict(self.train),
                self.algo: dataclasses.asdict(self.algo_config)}


def _unknown(keys: set[str], known: list[str], where: str) -> None:
    if not keys:
        return
    key = sorted(keys)[0]
    close = difflib.get_close_matches(key, known, n=1)
    raise TrainConfigError(explain(
        f"unknown config key {where}{key}", expected=f"one of {sorted(known)}", got=repr(key),
        fix=f"did you mean {where}{close[0]}?" if close else "remove it or fix its spelling"))


def _build(cls: type, values: Any, where: str) -> Any:
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise TrainConfigError(explain(f"config section {where.rstrip('.')!r} must be a mapping",
                                       got=repr(values)[:80]))
    names = [f.name for f in dataclasses.fields(cls)]
    _unknown(set(values) - set(names), names, where)
    try:
        obj = cls(**values)
    except TypeError as exc:
        raise TrainConfigError(explain(f"bad values in {where.rstrip('.')}", got=str(exc))) from exc
    for f in dataclasses.fields(cls):
        _check_type(obj, f, where)
    return obj


def _check_type(obj: Any, f: dataclasses.Field, where: str) -> None:
    value = getattr(obj, f.name)
    default = f.default if f.default is not dataclasses.MISSING else (
        f.default_factory() if f.default_factory is not dataclasses.MISSING else None)
    if value is None or default is None:
        return
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok:
            setattr(obj, f.name, float(value))
    elif isinstance(default, list):
        if isinstance(value, str):
            setattr(obj, f.name, [value])
        ok = isinstance(getattr(obj, f.name), list)
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise TrainConfigError(explain(f"config key {where}{f.name} has the wrong type",
                                       expected=type(default).__name__,
                                       got=f"{type(value).__name__} {value!r}"))


def from_dict(raw: dict[str, Any], source: str | None = None) -> TrainConfig:
    """Build and check a :class:`TrainConfig` from the file's mapping."""
    from csgo_env.baselines.registry import ALGORITHMS, algorithm_class

    if not isinstance(raw, dict) or "algo" not in raw:
        raise TrainConfigError(explain("a training config needs an 'algo' key",
                                       expected=f"algo: one of {sorted(ALGORITHMS)}",
                                       got=repr(raw)[:80]))
    algo = str(raw["algo"])
    cls = algorithm_class(algo)
    top = ["algo", "seed", *SECTIONS, algo]
    _unknown(set(raw) - set(top), top, "")
    seed = raw.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TrainConfigError(explain("seed must be an integer", got=repr(seed)))
    parts = {name: _build(kind, raw.get(name), f"{name}.") for name, kind in SECTIONS.items()}
    parts["model"].validate()
    return TrainConfig(algo=algo, algo_config=_build(cls.config_class, raw.get(algo), f"{algo}."),
                       seed=seed, source=source, **parts)


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``section.key=value`` strings (values parsed as YAML) to a raw config mapping."""
    import yaml

    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise TrainConfigError(explain("bad --set value", expected="section.key=value",
                                           got=repr(item)))
        *path, last = key.strip().split(".")
        node = raw
        for part in path:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise TrainConfigError(explain(f"--set {key}: {part!r} is not a section",
                                               got=repr(node)))
        node[last] = yaml.safe_load(text)
    return raw


def load_config(path: str | os.PathLike[str], overrides: list[str] | None = None) -> TrainConfig:
    """Read a YAML config file, apply ``--set`` overrides and check every key."""
    from csgo_env._optional import require

    yaml = require("yaml", extra="train", package="pyyaml", purpose="reading training configs")
    p = Path(path)
    if not p.is_file():
        raise TrainConfigError(explain("config file not found", expected="a YAML file",
                                       got=str(p), fix="see baselines/ for the shipped configs"))
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise TrainConfigError(explain("config file is not valid YAML", got=f"{p}: {exc}")) from exc
    return from_dict(apply_overrides(raw, list(overrides or [])), source=str(p))


def dump_config(config: TrainConfig) -> str:
    """The config as YAML text (what the run folder keeps as config.yaml)."""
    import yaml

    return yaml.safe_dump(config.to_dict(), sort_keys=False)
