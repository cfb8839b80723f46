"""Run logs: one CSV row per logged step (always) and TensorBoard scalars (when installed).

``metrics.csv`` has a header of every key seen first; a later row with new keys rewrites
the file with the wider header. Every row of a run on synthetic data has ``synthetic=1``.
On resume, rows after the checkpoint's step are dropped, so the file reads like one
uninterrupted run.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from csgo_env._atomic import atomic_write_text


class RunLog:
    """CSV (+ TensorBoard) scalars of a run folder; only rank 0 writes."""

    def __init__(self, folder: Path, *, resume_step: int | None = None, enabled: bool = True,
                 synthetic: bool = False) -> None:
        self.path = folder / "metrics.csv"
        self.synthetic = synthetic
        self.enabled = enabled
        self.rows: list[dict[str, Any]] = []
        if enabled and resume_step is not None and self.path.is_file():
            with self.path.open(newline="", encoding="utf-8") as fh:
                self.rows = [r for r in csv.DictReader(fh) if int(r["step"]) <= resume_step]
            self._rewrite()
        elif enabled and self.path.exists():
            self.path.unlink()
        self._tb: Any = None
        if enabled:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError:  # tensorboard is optional
                self._tb = None
            else:
                self._tb = SummaryWriter(str(folder / "tensorboard"))

    def _fields(self) -> list[str]:
        names: list[str] = ["step"]
        for row in self.rows:
            names += [k for k in row if k not in names]
        return names

    def _rewrite(self) -> None:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=self._fields(), lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        atomic_write_text(self.path, buffer.getvalue(), durable=False)

    def log(self, step: int, values: dict[str, float]) -> None:
        """Append one row (``step`` plus ``values``)."""
        if not self.enabled:
            return
        row: dict[str, Any] = {"step": step, **{k: f"{v:.6g}" for k, v in values.items()}}
        if self.synthetic:
            row["synthetic"] = 1
        wider = any(k not in self._fields() for k in row)
        self.rows.append(row)
        if wider or not self.path.exists():
            self._rewrite()
        else:
            with self.path.open("a", newline="", encoding="utf-8") as fh:
                csv.DictWriter(fh, fieldnames=self._fields(), lineterminator="\n").writerow(row)
        if self._tb is not None:
            for k, v in values.items():
                self._tb.add_scalar(k, v, step)

    def close(self) -> None:
        if self._tb is not None:
            self._tb.close()
