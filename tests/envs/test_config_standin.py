"""The arena's and the pacing's arguments are checked before anything starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from csgo_env.envs.config import validate_config
from csgo_env.envs.deathmatch import DeathmatchEnv
from csgo_env.errors import EnvConfigError

BAD: list[tuple[dict[str, Any], str]] = [
    ({"game": "replay", "paced": False}, "unpaced runs need a game that waits"),
    ({"game": "cs2", "paced": False}, "unpaced runs need a game that waits"),
    ({"game": "csgo", "paced": False}, "unpaced runs need a game that waits"),
    ({"game": "arena", "paced": "no"}, "paced must be True or False"),
    ({"game": "arena", "replay_start_frame": 5}, "plays no recording"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD)
def test_bad_game_or_pacing_is_refused_with_the_fix(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(EnvConfigError, match=message) as info:
        validate_config(**kwargs)
    assert "Fix:" in str(info.value)


def test_arena_with_recordings_is_refused_before_any_process(tmp_path: Path) -> None:
    recording = tmp_path / "r.hdf5"
    recording.write_bytes(b"")
    with pytest.raises(EnvConfigError, match="plays no recording"):
        DeathmatchEnv("arena", replay_recordings=[recording])


def test_defaults_and_the_arena_unpaced() -> None:
    assert validate_config(game="replay").paced is True
    arena = validate_config(game="arena", paced=False)
    assert (arena.game, arena.paced, arena.gsi_port) == ("arena", False, 0)
