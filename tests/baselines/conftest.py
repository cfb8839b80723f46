"""Fixtures of the baseline tests: SYNTHETIC task datasets converted once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.support.baselines import write_task


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    """Tests run on one torch thread (the machine is shared; numbers stay comparable)."""
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def mouse_task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Minari root with the SYNTHETIC mouse-in-frame task, recordings 1-3."""
    return write_task("mouse_in_frame", tmp_path_factory.mktemp("mouse_task"), [1, 2, 3])


@pytest.fixture(scope="session")
def kill_task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Minari root with the SYNTHETIC kill-or-not task, recordings 1-3."""
    return write_task("kill_or_not", tmp_path_factory.mktemp("kill_task"), [1, 2, 3])
