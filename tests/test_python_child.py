"""Child processes of csgo_env never import from the current directory, and the replay game
gets a private Xvfb wherever there is no display.

The decoy is a folder named ``csgo_env`` in the current directory, as a user has it who
runs the commands from the parent folder of a clone; importing it fails loudly.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import csgo_env
from tests.support import standin as rs

PACKAGE_ROOT = str(Path(csgo_env.__file__).resolve().parents[1])
"""The folder holding the csgo_env under test (a checkout or site-packages)."""

DECOY = "raise RuntimeError('the decoy csgo_env in the current directory was imported')\n"


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rs.synthetic_recording(tmp_path_factory)


@pytest.fixture
def decoy_dir(tmp_path: Path) -> Path:
    """A folder holding a decoy ``csgo_env`` package (and nothing else)."""
    folder = tmp_path / "parent_of_a_clone"
    (folder / "csgo_env").mkdir(parents=True)
    (folder / "csgo_env" / "__init__.py").write_text(DECOY)
    return folder


def test_module_command_imports_the_parents_package(decoy_dir: Path, tmp_path: Path) -> None:
    from csgo_env._python_child import module_command, package_root

    done = subprocess.run(module_command("csgo_env.cli", "--version"), cwd=decoy_dir,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "csgo-env 0.1.0"
    # Another csgo_env found first on the child's PYTHONPATH is passed over as well.
    other = tmp_path / "other"
    (other / "csgo_env").mkdir(parents=True)
    (other / "csgo_env" / "__init__.py").write_text(DECOY)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(other),
                                                        os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run(module_command("csgo_env.cli", "--version"), cwd=decoy_dir, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "decoy" not in done.stderr, done.stderr
    assert Path(package_root(), "csgo_env", "_python_child.py").is_file()
    with pytest.raises(ValueError, match="a module of csgo_env"):
        module_command("os")


def test_replay_game_starts_from_a_folder_with_a_decoy(xvfb_display: str, recording: Path,
                                                       decoy_dir: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from csgo_env.standin.game_process import ReplayProcess

    monkeypatch.chdir(decoy_dir)
    game = ReplayProcess([recording], input_log=tmp_path / "input.jsonl")
    try:
        ready = game.start()
        shown = game.next()
    finally:
        code = game.stop()
    assert ready["type"] == "ready" and shown["type"] == "shown", (ready, shown)
    assert code == 0


def test_gym_make_replay_without_display_starts_a_private_xvfb(
        recording: Path, decoy_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gymnasium as gym

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.chdir(decoy_dir)
    env = gym.make("CSGO-Deathmatch-v0", game="replay", replay_recordings=[recording])
    try:
        obs, _ = env.reset(seed=0)
        display = os.environ.get("DISPLAY")
        for _ in range(3):
            obs, *_ = env.step(env.action_space.sample())
    finally:
        env.close()
    assert display and display.startswith(":")
    assert obs.shape == (150, 280, 3)
    assert "DISPLAY" not in os.environ  # the private server is gone, DISPLAY restored


def test_play_replay_without_display(recording: Path, decoy_dir: Path) -> None:
    """``csgo-env play --game replay`` run as the console script does (its own folder
    first on sys.path, not the current directory), with no DISPLAY."""
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["PYTHONPATH"] = os.pathsep.join([PACKAGE_ROOT, env.get("PYTHONPATH", "")])
    script = "import sys; del sys.path[0]; from csgo_env.cli import main; sys.exit(main())"
    done = subprocess.run([sys.executable, "-c", script, "play", "--policy", "random",
                           "--game", "replay", "--steps", "4", "--recording", str(recording)],
                          cwd=decoy_dir, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "played 4 steps" in done.stdout
