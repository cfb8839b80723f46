"""Arguments of CSGO-Deathmatch-v0 are checked before anything starts."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import gymnasium as gym
import psutil
import pytest

import csgo_env  # noqa: F401 - registers the env id
from csgo_env.envs.config import validate_config
from csgo_env.envs.deathmatch import DeathmatchEnv
from csgo_env.errors import EnvConfigError
from csgo_env.rewards import RewardSpec


def _footprint() -> tuple[int, int, int]:
    me = psutil.Process()
    return (threading.active_count(), len(me.children(recursive=True)),
            len(me.net_connections(kind="inet")))


BAD: list[tuple[dict[str, Any], str]] = [
    ({"game": "quake"}, "unknown game"),
    ({"gsi_port": 70000}, "gsi_port out of range"),
    ({"gsi_port": -1}, "gsi_port out of range"),
    ({"gsi_port": 0}, "ephemeral"),
    ({"fps": 0}, "fps must be a positive number"),
    ({"fps": -16}, "fps must be a positive number"),
    ({"fps": float("nan")}, "fps must be a positive number"),
    ({"offsets_path": "/nonexistent/csgo.json"}, "offsets_path does not exist"),
    ({"window_size": (0, 768)}, "bad window_size"),
    ({"crop": (100, 135, 2000, 633)}, "crop does not fit"),
    ({"crop": (500, 135, 100, 633)}, "crop does not fit"),
    ({"crop": (1, 2, 3)}, "bad crop"),
    ({"game": "replay", "crop": (0, 0, 500, 300)}, "pixel-exact"),
    ({"reward": "kill + headshot"}, "cannot parse reward spec"),
    ({"reward": 3}, "bad reward"),
    ({"render_mode": "human"}, "unsupported render_mode"),
    ({"setup_console": ["say hi!"]}, "cannot be typed"),
    ({"replay_recordings": ["/nonexistent.hdf5"], "game": "replay"}, "does not exist"),
    ({"replay_recordings": ["x.hdf5"]}, "only applies to game='replay'"),
    ({"gsi_token": ""}, "bad gsi_token"),
    ({"capture_backend": ""}, "capture_backend"),
    ({"input_backend": "xtest"}, "unknown input backend"),
    ({"window_backend": "wayland"}, "unknown window backend"),
    ({"memory_backend": "ptrace"}, "unknown memory backend"),
    ({"reset_timeout_s": 0}, "reset_timeout_s"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_argument_raises_before_anything_starts(kwargs: dict[str, Any], message: str) -> None:
    before = _footprint()
    with pytest.raises(EnvConfigError, match=message) as info:
        DeathmatchEnv(**kwargs)
    text = str(info.value)
    assert "expected" in text and "got" in text
    assert "Fix:" in text or "fix" in text.lower()
    assert _footprint() == before  # no thread, no child process, no socket


def test_gym_make_validates_too() -> None:
    before = _footprint()
    with pytest.raises(EnvConfigError, match="gsi_port out of range"):
        gym.make("CSGO-Deathmatch-v0", game="replay", gsi_port=99999)
    assert _footprint() == before


def test_unknown_argument_is_not_ignored() -> None:
    with pytest.raises(EnvConfigError, match="unknown argument"):
        validate_config(gsi_prot=3000)


def test_defaults_and_resolution(tmp_path: Path) -> None:
    cfg = validate_config()
    assert cfg.game == "csgo" and cfg.gsi_port == 3000 and cfg.fps == 16.0
    assert cfg.reward == RewardSpec(1.0, -0.5, -0.02)
    assert cfg.window_size == (1024, 768) and cfg.crop == (100, 135, 924, 633)
    replay = validate_config(game="replay", reward="kill - death", setup_console="bot_kick")
    assert replay.gsi_port == 0  # any free port for the stand-in game
    assert replay.reward == RewardSpec(1.0, -1.0, 0.0)
    assert replay.setup_console == ("bot_kick",)
    offsets = tmp_path / "csgo.json"
    offsets.write_text("{}")
    assert validate_config(offsets_path=str(offsets)).offsets_path == offsets.resolve()


def test_arguments_are_declared_once() -> None:
    """The signature, the validation and the spec sheet all come from EnvConfig's fields."""
    import dataclasses
    import inspect

    from csgo_env.envs.config import EnvConfig

    names = [f.name for f in dataclasses.fields(EnvConfig)]
    params = inspect.signature(DeathmatchEnv).parameters
    assert list(params) == names
    assert all(params[n].default == f.default for n, f in zip(names, dataclasses.fields(EnvConfig),
                                                               strict=True))
    doc = DeathmatchEnv.__doc__ or ""
    assert all(f"``{n}``" in doc for n in names) and "{arguments}" not in doc
