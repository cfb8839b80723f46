"""Importing the evaluation modules loads no solver, plotting or deep-learning library."""

from __future__ import annotations

import subprocess
import sys

MODULES = ("aggregates", "aggregate_plots", "coverage", "dataset_arrays", "emd",
           "emd_multiscale", "figures", "human_reference", "maps", "offline_eval",
           "offline_metrics", "outcomes", "publish", "reference_predictors",
           "results_schema", "tables")
HEAVY = ("torch", "matplotlib", "ot", "rliable", "scipy", "seaborn", "pandas")


def test_evaluation_imports_stay_light() -> None:
    imports = "; ".join(f"import csgo_env.evaluation.{m}" for m in MODULES)
    code = (f"import sys; {imports}; import csgo_env.commands.publish_cmd\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
