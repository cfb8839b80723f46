"""Result tables: one row per (setting, algorithm, config, checkpoint), over its seeds.

Every row names the algorithm, config, env id, dataset id and version, the seeds, the
checkpoint, the commit(s) and hardware, and whether the data was synthetic; each metric
is given as the mean and sample standard deviation over the seeds (null seeds, e.g. an
undefined F1, are left out and counted in ``n``). The same rows render as Markdown,
LaTeX (booktabs) and CSV; :func:`format_cell` is the one number format of the text tables.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from csgo_env.evaluation.results_schema import RunRecord

ID_COLUMNS: tuple[str, ...] = ("setting", "algorithm", "config", "env_id", "dataset_id",
                               "dataset_version", "seeds", "checkpoint", "commit", "hardware",
                               "synthetic")
SYNTHETIC_BANNER = ("SYNTHETIC DATA: these numbers come from synthetic recordings and are "
                    "not results")


def headline_metrics(records: Sequence[RunRecord]) -> list[str]:
    """Metric names without a ``/`` (per-head details stay in the JSON and CSV), sorted."""
    names = {m for r in records for m in r.metrics}
    return sorted(m for m in names if "/" not in m)


def all_metrics(records: Sequence[RunRecord]) -> list[str]:
    """Every metric name, sorted."""
    return sorted({m for r in records for m in r.metrics})


def _joined(values: Sequence[str]) -> str:
    return ", ".join(sorted(set(values)))


def build_rows(records: Sequence[RunRecord], metrics: Sequence[str]) -> list[dict[str, Any]]:
    """The table rows as plain data (sorted by setting, algorithm, config, checkpoint)."""
    groups: dict[tuple[str, ...], list[RunRecord]] = defaultdict(list)
    for r in records:
        key = (r.task, *r.group)
        groups[key].append(r)
    rows = []
    for (task, algorithm, config, checkpoint), runs in sorted(groups.items()):
        runs = sorted(runs, key=lambda r: r.seed)
        row: dict[str, Any] = {
            "setting": task, "algorithm": algorithm, "config": config,
            "env_id": _joined([r.env_id for r in runs]),
            "dataset_id": _joined([r.dataset_id for r in runs]),
            "dataset_version": _joined([r.dataset_version for r in runs]),
            "seeds": [r.seed for r in runs], "checkpoint": checkpoint,
            "commit": _joined([r.commit for r in runs]),
            "hardware": _joined([r.hardware for r in runs]),
            "synthetic": any(r.synthetic for r in runs), "metrics": {}}
        for m in metrics:
            per_seed = [r.metrics.get(m) for r in runs]
            values = np.array([v for v in per_seed if v is not None], dtype=np.float64)
            row["metrics"][m] = {
                "mean": float(values.mean()) if values.size else None,
                "std": float(values.std(ddof=1)) if values.size > 1 else None,
                "n": int(values.size), "per_seed": per_seed}
        rows.append(row)
    return rows


def format_cell(stat: dict[str, Any]) -> str:
    """``mean ± std`` with 4 and 2 significant digits; ``n/a`` when undefined."""
    if stat["mean"] is None:
        return "n/a"
    text = f"{stat['mean']:.4g}"
    if stat["std"] is not None:
        text += f" ± {stat['std']:.2g}"
    return text


def _id_cell(row: dict[str, Any], column: str) -> str:
    value = row[column]
    if column == "seeds":
        return f"{len(value)} ({', '.join(map(str, value))})"
    if column == "synthetic":
        return "SYNTHETIC" if value else "no"
    return str(value)


def to_markdown(rows: Sequence[dict[str, Any]], metrics: Sequence[str], *,
                title: str = "Results") -> str:
    """A Markdown document: title, synthetic banner when any row is synthetic, one table."""
    lines = [f"# {title}", ""]
    if any(r["synthetic"] for r in rows):
        lines += [f"**{SYNTHETIC_BANNER}.**", ""]
    header = [*ID_COLUMNS, *metrics]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        cells = [_id_cell(row, c) for c in ID_COLUMNS]
        cells += [format_cell(row["metrics"][m]) for m in metrics]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", "Mean ± sample standard deviation over the seeds listed."]
    return "\n".join(lines) + "\n"


_TEX = str.maketrans({"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$",
                     "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
                     "~": r"\textasciitilde{}", "^": r"\^{}", "±": r"$\pm$"})


def _tex(text: str) -> str:
    """``text`` with LaTeX's special characters escaped (one pass)."""
    return text.translate(_TEX)


def to_latex(rows: Sequence[dict[str, Any]], metrics: Sequence[str], *,
             caption: str = "Results") -> str:
    """A booktabs ``table`` environment; the caption says SYNTHETIC when any row is."""
    if any(r["synthetic"] for r in rows):
        caption = f"{SYNTHETIC_BANNER}. {caption}"
    header = [*ID_COLUMNS, *metrics]
    out = [r"\begin{table}[t]", r"\centering", r"\small",
           r"\begin{tabular}{" + "l" * len(header) + "}", r"\toprule",
           " & ".join(_tex(h) for h in header) + r" \\", r"\midrule"]
    for row in rows:
        cells = [_id_cell(row, c) for c in ID_COLUMNS]
        cells += [format_cell(row["metrics"][m]) for m in metrics]
        out.append(" & ".join(_tex(c) for c in cells) + r" \\")
    out += [r"\bottomrule", r"\end{tabular}", r"\caption{" + _tex(caption) + "}",
            r"\end{table}"]
    return "\n".join(out) + "\n"


def to_csv(rows: Sequence[dict[str, Any]], metrics: Sequence[str]) -> str:
    """CSV with the id columns, then ``<metric>_mean``, ``<metric>_std``, ``<metric>_n``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = list(ID_COLUMNS)
    for m in metrics:
        header += [f"{m}_mean", f"{m}_std", f"{m}_n"]
    writer.writerow(header)
    for row in rows:
        cells: list[Any] = [" ".join(map(str, row[c])) if c == "seeds" else row[c]
                            for c in ID_COLUMNS]
        for m in metrics:
            stat = row["metrics"][m]
            cells += ["" if stat["mean"] is None else repr(stat["mean"]),
                      "" if stat["std"] is None else repr(stat["std"]), stat["n"]]
        writer.writerow(cells)
    return buffer.getvalue()


__all__ = ["ID_COLUMNS", "SYNTHETIC_BANNER", "all_metrics", "build_rows", "format_cell",
           "headline_metrics", "to_csv", "to_latex", "to_markdown"]
