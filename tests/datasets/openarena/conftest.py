"""One real 20-second bot demo for the whole OpenArena dataset test package (recording it
takes ~35 s, so the reader's and the pipeline's tests share it)."""

from __future__ import annotations

import pytest

from tests.datasets.openarena.record_demo import RecordedDemo, openarena_missing, record


@pytest.fixture(scope="session")
def recorded_demo(tmp_path_factory: pytest.TempPathFactory) -> RecordedDemo:
    """A dedicated server with 3 bots on oa_dm1 and one spectator following each bot
    (``demo`` is bot 0's, ``demos`` all three), 20 s."""
    missing = openarena_missing()
    if missing:
        pytest.skip(missing)
    return record(tmp_path_factory.mktemp("oa_demo"), seconds=20.0, follow=(0, 1, 2))
