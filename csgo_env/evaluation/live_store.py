"""The JSON-lines file of finished live runs, and what makes a run evaluation resumable.

One line per finished run (schema :data:`LIVE_SCHEMA`), keyed by ``(agent, seed)``. A line
is appended atomically: the file is rewritten beside itself with the new line and renamed
over the old one (:mod:`csgo_env._atomic`), so a run killed at any moment leaves either the
old file or the new one, never half a line. A run that did not finish writes nothing; the
marker file ``<name>.running`` names the run in progress, so the next start can say which
run it redoes. Each line carries, under ``"result"``, the run's record in the results schema
(:mod:`csgo_env.evaluation.results_schema`), which ``csgo-env publish`` reads from ``.jsonl``
files directly: copy the files of several machines side by side and publish them together.

One process writes a store at a time (two machines write two files).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from csgo_env._atomic import atomic_write_bytes, atomic_write_text
from csgo_env.errors import EvaluationError, explain
from csgo_env.evaluation.results_schema import LIVE_RUN_SCHEMA

LIVE_SCHEMA = LIVE_RUN_SCHEMA
RunKey = tuple[str, int]


class LiveStore:
    """The runs file ``path`` (module docstring)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.marker = self.path.with_name(self.path.name + ".running")

    def records(self) -> list[dict[str, Any]]:
        """Every finished run, in the order written (an absent file has none)."""
        if not self.path.is_file():
            return []
        out = []
        for n, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                raise EvaluationError(explain(f"{self.path}:{n} is not JSON ({exc})",
                                              fix="restore the file or move it away")) from exc
            if not isinstance(obj, dict) or obj.get("schema") != LIVE_SCHEMA:
                raise EvaluationError(explain(f"{self.path}:{n} is not a live run record",
                                              expected=f'"schema": "{LIVE_SCHEMA}"',
                                              got=repr(obj.get("schema") if isinstance(obj, dict)
                                                       else type(obj).__name__)))
            out.append(obj)
        return out

    def finished(self) -> set[RunKey]:
        """The ``(agent, seed)`` of every finished run."""
        return {(str(r["agent"]), int(r["seed"])) for r in self.records()}

    def append(self, record: dict[str, Any]) -> None:
        """Add one finished run (atomically, module docstring); refuses a key already in."""
        key = (str(record["agent"]), int(record["seed"]))
        if key in self.finished():
            raise EvaluationError(explain(f"run {key[0]} seed {key[1]} is already in "
                                          f"{self.path}", fix="it is kept; nothing to redo"))
        old = self.path.read_bytes() if self.path.is_file() else b""
        if old and not old.endswith(b"\n"):
            old += b"\n"
        line = json.dumps(record, sort_keys=True, allow_nan=False) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.path, old + line.encode("utf-8"))

    def rewrite(self, records: list[dict[str, Any]]) -> None:
        """Replace every finished record at once (atomically): the same runs, rescored."""
        if {(str(r["agent"]), int(r["seed"])) for r in records} != self.finished():
            raise EvaluationError(explain("a rewrite must keep the same runs",
                                          fix="append new runs with append()"))
        text = "".join(json.dumps(r, sort_keys=True, allow_nan=False) + "\n" for r in records)
        atomic_write_text(self.path, text)

    # --- the run in progress ---------------------------------------------------------
    def mark_running(self, key: RunKey, **extra: Any) -> None:
        """Note that run ``key`` started (replaced by the next, removed by :meth:`done`)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.marker, json.dumps({"agent": key[0], "seed": key[1],
                                                   "pid": os.getpid(), **extra}) + "\n",
                          durable=False)

    def interrupted(self) -> RunKey | None:
        """The run that was in progress when the last writer stopped without finishing it
        (None when it finished or nothing ran)."""
        try:
            obj = json.loads(self.marker.read_text(encoding="utf-8"))
            key = (str(obj["agent"]), int(obj["seed"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return None if key in self.finished() else key

    def done(self) -> None:
        """No run is in progress any more."""
        self.marker.unlink(missing_ok=True)


__all__ = ["LIVE_SCHEMA", "LiveStore", "RunKey"]
