"""Shared fixtures: a real X server (Xvfb) for GUI tests, and isolated data directories."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_data_dirs(tmp_path_factory: pytest.TempPathFactory,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Point Minari's and our data directories at a fresh temporary folder per test."""
    root = tmp_path_factory.mktemp("data_home")
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root / "minari"))
    monkeypatch.setenv("CSGO_ENV_HOME", str(root / "csgo_env"))


@pytest.fixture(scope="session")
def xvfb_display() -> Iterator[str]:
    """Start a private Xvfb (1280x1024x24) and yield its DISPLAY string, e.g. ``":5"``.

    ``DISPLAY`` is set for the whole session while the server runs. Xvfb must be installed
    (``scripts/setup.sh`` installs it); a missing server fails loudly, it is not skipped.
    """
    from csgo_env.errors import DependencyMissing
    from csgo_env.game.screen.xvfb import virtual_display

    try:
        with virtual_display((1280, 1024)) as display:
            yield display
    except DependencyMissing as exc:
        pytest.fail(str(exc))


@pytest.fixture
def repo_root() -> Path:
    """The repository's root folder."""
    return Path(__file__).resolve().parents[1]
