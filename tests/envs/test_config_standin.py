"""The stand-in game's mode and pacing arguments are checked before anything starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from csgo_env.envs.config import validate_config
from csgo_env.envs.deathmatch import DeathmatchEnv
from csgo_env.errors import EnvConfigError

BAD: list[tuple[dict[str, Any], str]] = [
    ({"game": "replay", "standin_mode": "duel"}, "unknown standin_mode"),
    ({"game": "csgo", "standin_mode": "arena"}, "stand-in game only"),
    ({"game": "replay", "paced": False}, "unpaced runs need a game that waits"),
    ({"game": "cs2", "paced": False}, "unpaced runs need a game that waits"),
    ({"game": "replay", "standin_mode": "arena", "paced": "no"}, "paced must be True or False"),
    ({"game": "replay", "standin_mode": "arena", "replay_start_frame": 5}, "plays no recording"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD)
def test_bad_mode_or_pacing_is_refused_with_the_fix(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(EnvConfigError, match=message) as info:
        validate_config(**kwargs)
    assert "Fix:" in str(info.value)


def test_arena_with_recordings_is_refused_before_any_process(tmp_path: Path) -> None:
    recording = tmp_path / "r.hdf5"
    recording.write_bytes(b"")
    with pytest.raises(EnvConfigError, match="plays no recording"):
        DeathmatchEnv("replay", standin_mode="arena", replay_recordings=[recording])


def test_defaults_and_the_arena_unpaced() -> None:
    default = validate_config(game="replay")
    assert (default.standin_mode, default.paced) == ("replay", True)
    arena = validate_config(game="replay", standin_mode="arena", paced=False)
    assert (arena.standin_mode, arena.paced) == ("arena", False)
