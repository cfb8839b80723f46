"""The per-run result record that ``csgo-env publish`` reads, and the rules for combining runs.

One run (one seed of one algorithm on one setting, evaluated offline or live) is one JSON
object; a file holds one object or a list of them. Fields (all required unless marked):

===================  ========  ==============================================================
field                type      meaning
===================  ========  ==============================================================
schema               str       ``"csgo_env.run_result/1"``
protocol_version     str       version of ``evaluation/protocol.md`` the run followed
                               (:data:`PROTOCOL_VERSION`)
algorithm            str       e.g. ``"bc"``, ``"cql"``, ``"iql"``, ``"random"``
config               str       config file of the run, e.g. ``baselines/bc/dust2-expert.yaml``
env_id               str       e.g. ``"CSGO-Deathmatch-v0"``
dataset_id           str       Minari id trained on, e.g. ``"csgo/dust2-expert-train-v0"``
dataset_version      str       content version of that dataset (``dataset_arrays.
                               dataset_version``: ``v0+<tool>+<sources hash>``)
seed                 int       the run's seed
checkpoint           str       ``"last"`` or ``"best"``
commit               str       git commit of the code that produced the run
hardware             str       e.g. ``"1x A100 80GB; Xeon 8375C"``
synthetic            bool      true when any data involved was synthetic
metrics              object    metric name -> number (finite, or null when undefined)
setting              str       optional: the evaluation setting (a column of the score
                               matrix), default the dataset id
notes                str       optional free text
===================  ========  ==============================================================

Files: ``*.json`` holds one record or a list of them; ``*.jsonl`` holds one JSON object
per line, either a record or a live run (``"schema": "csgo_env.live_run/1"``, written by
:mod:`csgo_env.evaluation.live_store`) whose ``"result"`` is its record, so the runs files
of several machines are published together as they are.

Combining rules (:func:`check_consistent`), each refusal naming the files and the fix:
one protocol version (this one); one dataset version per dataset id; no run twice; every
(algorithm, config, checkpoint) of a setting has the same seeds as every other one of
that setting, and every run of a setting the same metric names.
"""

from __future__ import annotations

import json
import math
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from csgo_env._atomic import atomic_write_text
from csgo_env.errors import EvaluationError, ResultsRefused, explain

SCHEMA = "csgo_env.run_result/1"
PROTOCOL_VERSION = "1"
"""Version of ``evaluation/protocol.md`` this code implements."""
CHECKPOINTS = ("last", "best")
_STRINGS = ("protocol_version", "algorithm", "config", "env_id", "dataset_id",
            "dataset_version", "checkpoint", "commit", "hardware")


@dataclass(frozen=True)
class RunRecord:
    """One run's result (fields as in the module docstring); ``source`` is the file it was
    read from (not part of the JSON)."""

    algorithm: str
    config: str
    env_id: str
    dataset_id: str
    dataset_version: str
    seed: int
    checkpoint: str
    commit: str
    hardware: str
    synthetic: bool
    metrics: dict[str, float | None]
    protocol_version: str = PROTOCOL_VERSION
    setting: str = ""
    notes: str = ""
    source: str = field(default="", compare=False)

    @property
    def task(self) -> str:
        """The setting (score-matrix column): ``setting`` or the dataset id."""
        return self.setting or self.dataset_id

    @property
    def group(self) -> tuple[str, str, str]:
        """``(algorithm, config, checkpoint)``: runs that differ only by seed."""
        return (self.algorithm, self.config, self.checkpoint)

    def to_json(self) -> dict[str, Any]:
        """The JSON object of this record (with ``schema``; without ``source``)."""
        out = {"schema": SCHEMA, **asdict(self)}
        out.pop("source")
        return out


def parse_record(obj: Any, source: str = "<record>") -> RunRecord:
    """Validate one JSON object; errors name the file and the field."""
    def bad(problem: str, **kw: str) -> EvaluationError:
        return EvaluationError(explain(f"{source}: {problem}", **kw))

    if not isinstance(obj, Mapping):
        raise bad("a run record must be a JSON object", got=type(obj).__name__)
    if obj.get("schema") != SCHEMA:
        raise bad("not a run record", expected=f'"schema": "{SCHEMA}"',
                  got=repr(obj.get("schema")))
    missing = [k for k in (*_STRINGS, "seed", "synthetic", "metrics") if k not in obj]
    if missing:
        raise bad("missing fields", expected="all fields of the run record schema",
                  got=f"no {', '.join(missing)}")
    for key in (*_STRINGS, "setting", "notes"):
        if key in obj and not isinstance(obj[key], str):
            raise bad(f"{key} must be a string", got=repr(obj[key]))
    if not isinstance(obj["seed"], int) or isinstance(obj["seed"], bool):
        raise bad("seed must be an integer", got=repr(obj["seed"]))
    if not isinstance(obj["synthetic"], bool):
        raise bad("synthetic must be true or false", got=repr(obj["synthetic"]))
    if obj["checkpoint"] not in CHECKPOINTS:
        raise bad("unknown checkpoint", expected=f"one of {CHECKPOINTS}",
                  got=repr(obj["checkpoint"]))
    metrics = obj["metrics"]
    if not isinstance(metrics, Mapping) or not metrics:
        raise bad("metrics must be a non-empty object of numbers")
    clean: dict[str, float | None] = {}
    for name, value in metrics.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not math.isfinite(value)):
            raise bad(f"metric {name} must be a finite number or null", got=repr(value),
                      fix="write undefined values (e.g. an F1 with no positives) as null")
        clean[str(name)] = None if value is None else float(value)
    unknown = set(obj) - {"schema", *_STRINGS, "seed", "synthetic", "metrics", "setting",
                          "notes"}
    if unknown:
        raise bad("unknown fields", got=", ".join(sorted(unknown)),
                  fix="put extra information in notes")
    return RunRecord(**{k: obj[k] for k in _STRINGS}, seed=int(obj["seed"]),
                     synthetic=obj["synthetic"], metrics=clean,
                     setting=obj.get("setting", ""), notes=obj.get("notes", ""),
                     source=source)


LIVE_RUN_SCHEMA = "csgo_env.live_run/1"
"""A line of a live runs file; its ``"result"`` is a run record."""


def result_files(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The JSON and JSON-lines files named by ``paths`` (files, or folders searched
    recursively for ``*.json`` and ``*.jsonl``)."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(q for q in p.rglob("*.json*") if q.is_file()
                            and q.suffix in (".json", ".jsonl"))
        elif p.is_file():
            files.append(p)
        else:
            raise ResultsRefused(explain("results path does not exist", got=str(p)))
    if not files:
        raise ResultsRefused(explain("no result files", expected="*.json / *.jsonl run records",
                                     got=", ".join(map(str, paths))))
    return files


def load_results(paths: Sequence[str | os.PathLike[str]]) -> list[RunRecord]:
    """Every run record in ``paths`` (see :func:`result_files`), in file order."""
    records = []
    for path in result_files(paths):
        if path.suffix == ".jsonl":
            records += _jsonl_records(path)
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ResultsRefused(explain(f"{path}: not readable JSON ({exc})")) from exc
        for i, obj in enumerate(data if isinstance(data, list) else [data]):
            name = str(path) if not isinstance(data, list) else f"{path}[{i}]"
            records.append(parse_record(obj, name))
    return records


def _jsonl_records(path: Path) -> list[RunRecord]:
    """The records of a JSON-lines file (a live run's record is its ``"result"``)."""
    records = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ResultsRefused(explain(f"{path}: not readable ({exc})")) from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise ResultsRefused(explain(f"{path}:{n}: not JSON ({exc})")) from exc
        if isinstance(obj, Mapping) and obj.get("schema") == LIVE_RUN_SCHEMA:
            obj = obj.get("result")
        records.append(parse_record(obj, f"{path}:{n}"))
    return records


def check_consistent(records: Iterable[RunRecord]) -> list[RunRecord]:
    """Refuse (ResultsRefused, all reasons at once) runs that must not be combined."""
    runs = list(records)
    reasons: list[str] = []
    other = sorted({r.source for r in runs if r.protocol_version != PROTOCOL_VERSION})
    if other:
        reasons.append(f"runs on another protocol version than {PROTOCOL_VERSION}: "
                       f"{', '.join(other)} (re-evaluate them under this protocol)")
    versions: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in runs:
        versions[r.dataset_id][r.dataset_version].append(r.source)
    for did, seen in sorted(versions.items()):
        if len(seen) > 1:
            detail = "; ".join(f"{v}: {', '.join(sorted(s))}" for v, s in sorted(seen.items()))
            reasons.append(f"{did} appears in {len(seen)} versions ({detail}); evaluate "
                           "every run on one version of the dataset")
    seen_runs: dict[tuple[Any, ...], str] = {}
    for r in runs:
        key = (*r.group, r.task, r.seed)
        if key in seen_runs:
            reasons.append(f"the same run twice: {'/'.join(map(str, key))} in "
                           f"{seen_runs[key]} and {r.source}")
        seen_runs[key] = r.source
    reasons += _seed_and_metric_reasons(runs)
    if reasons:
        raise ResultsRefused("results refused, nothing written:\n  - " + "\n  - ".join(reasons))
    return runs


def _seed_and_metric_reasons(runs: Sequence[RunRecord]) -> list[str]:
    reasons = []
    by_task: dict[str, dict[tuple[str, str, str], set[int]]] = defaultdict(
        lambda: defaultdict(set))
    metric_names: dict[str, dict[frozenset[str], list[str]]] = defaultdict(
        lambda: defaultdict(list))
    for r in runs:
        by_task[r.task][r.group].add(r.seed)
        metric_names[r.task][frozenset(r.metrics)].append(r.source)
    for task, groups in sorted(by_task.items()):
        every = set().union(*groups.values())
        for group, seeds in sorted(groups.items()):
            if seeds != every:
                reasons.append(f"{'/'.join(group)} on {task} lacks seeds "
                               f"{sorted(every - seeds)} that other runs of the setting have "
                               "(run them, or leave those seeds out everywhere)")
        if len(metric_names[task]) > 1:
            names = sorted(metric_names[task].items(), key=lambda kv: sorted(kv[0]))
            common = frozenset.intersection(*[k for k, _ in names])
            extra = "; ".join(f"{sorted(k - common)} in {', '.join(sorted(v)[:3])}"
                              for k, v in names if k - common)
            reasons.append(f"runs on {task} report different metrics ({extra})")
    return reasons


def write_record(record: RunRecord, path: str | os.PathLike[str]) -> Path:
    """Write one run record as JSON, atomically."""
    return atomic_write_text(path, json.dumps(record.to_json(), indent=1, sort_keys=True) + "\n")


__all__ = ["CHECKPOINTS", "LIVE_RUN_SCHEMA", "PROTOCOL_VERSION", "SCHEMA", "RunRecord",
           "check_consistent", "load_results", "parse_record", "result_files", "write_record"]
