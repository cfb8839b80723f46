"""A real converted dataset for the evaluation tests (see tests/support/evaluation.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.evaluation import build_converted


@pytest.fixture(scope="session")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``{"root": Minari root, "src": recordings + metadata folder}``, built once."""
    return build_converted(tmp_path_factory.mktemp("eval_src"),
                           tmp_path_factory.mktemp("eval_root"))
