"""``csgo-env play`` end to end on the replay game, in a subprocess like a user runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from csgo_env.errors import PolicyFileError
from csgo_env.policy import ExportedPolicy, RandomPolicy, load_policy
from tests.support import standin as rs

pytestmark = pytest.mark.xvfb


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rs.synthetic_recording(tmp_path_factory)


def _play(*args: str) -> subprocess.Popen[bytes]:
    """Binary pipes: text mode would turn the status line's carriage returns into newlines."""
    return subprocess.Popen([sys.executable, "-m", "csgo_env.cli", "play", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ))


def _communicate(proc: subprocess.Popen[bytes], timeout: float) -> tuple[str, str]:
    """Wait for ``proc``; on a timeout kill it so no later test meets a leftover game (its
    replay game exits when its parent's pipe closes), then re-raise."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    return out.decode(), err.decode()


def test_play_random_for_n_steps(xvfb_display: str, recording: Path, tmp_path: Path) -> None:
    log = tmp_path / "input.jsonl"
    proc = _play("--policy", "random", "--game", "replay", "--steps", "24", "--recording",
                 str(recording), "--replay-input-log", str(log))
    out, err = _communicate(proc, 60)
    assert proc.returncode == 0, err
    assert "played 24 steps" in out
    assert err.count("\rstep") == 24 and "steps/s" in err and "late p99" in err
    events = rs.logged_events(log)
    assert any(e[0] == "key_down" for e in events)
    assert rs.held_at_end(events) == set()


def test_ctrl_c_stops_cleanly(xvfb_display: str, recording: Path, tmp_path: Path) -> None:
    log = tmp_path / "input.jsonl"
    proc = _play("--policy", "random", "--game", "replay", "--minutes", "5", "--recording",
                 str(recording), "--replay-input-log", str(log))
    assert proc.stderr is not None
    seen = b""
    while seen.count(b"\rstep") < 8:  # a few steps in, keys are held
        chunk = proc.stderr.read(1)
        assert chunk, "play exited early"
        seen += chunk
    proc.send_signal(signal.SIGINT)
    out, _ = _communicate(proc, 30)
    assert proc.returncode == 130
    assert "stopped by Ctrl-C; keys released" in out
    events = rs.logged_events(log)
    assert events and rs.held_at_end(events) == set()


def test_exported_policy_drives_the_game(xvfb_display: str, recording: Path,
                                            tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")

    class Heads(torch.nn.Module):
        """Always w + fire and +100 counts right: logits (1, 64) peaked on those bins."""

        def forward(self, obs: torch.Tensor) -> torch.Tensor:
            assert obs.dtype == torch.uint8
            logits = torch.zeros(1, 64)
            pick = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]
            for i, p in enumerate(pick):
                logits[0, 2 * i + p] = 1.0
            logits[0, 26 + 18] = 1.0  # mouse_x bin 18 = +100
            logits[0, 26 + 23 + 7] = 1.0  # mouse_y bin 7 = 0
            return logits + obs.float().mean() * 0.0

    path = tmp_path / "policy.pt2"
    program = torch.export.export(Heads(), (torch.zeros(1, 150, 280, 3, dtype=torch.uint8),))
    torch.export.save(program, str(path))
    policy = load_policy(str(path))
    assert isinstance(policy, ExportedPolicy)
    action = policy.act(np.zeros((150, 280, 3), np.uint8))
    assert action.tolist() == [1] + [0] * 10 + [1, 0, 18, 7]

    log = tmp_path / "input.jsonl"
    proc = _play("--policy", str(path), "--game", "replay", "--steps", "6", "--recording",
                 str(recording), "--replay-input-log", str(log))
    _out, err = _communicate(proc, 90)
    assert proc.returncode == 0, err
    events = rs.logged_events(log)
    assert events == [("key_down", "w"), ("button_down", 1)] + [("motion", 50, 0)] * 12 + [
        ("key_up", "w"), ("button_up", 1)]


def test_policy_specs() -> None:
    a = RandomPolicy(seed=4).act(np.zeros((150, 280, 3), np.uint8))
    assert a.shape == (15,) and a.dtype == np.int64
    assert np.array_equal(a, RandomPolicy(seed=4).act(np.zeros((150, 280, 3), np.uint8)))
    with pytest.raises(PolicyFileError, match="policy file not found"):
        load_policy("no-such-policy.pt2")


def test_bad_policy_files_are_refused_with_the_fix(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    wrong_kind = tmp_path / "policy.pt"
    wrong_kind.write_bytes(b"not an exported program")
    with pytest.raises(PolicyFileError, match=r"expected a \.pt2 file.*torch\.export\.save"):
        load_policy(str(wrong_kind))
    corrupt = tmp_path / "policy.pt2"
    corrupt.write_bytes(b"not a zip archive")
    with pytest.raises(PolicyFileError, match="the file is not an exported policy"):
        load_policy(str(corrupt))


def test_bad_policy_files_exit_with_one_clean_line(tmp_path: Path) -> None:
    """A missing file says so; a junk .pt2 gives our message alone, none of torch's log."""
    proc = _play("--policy", "missing.pt2", "--game", "replay", "--steps", "1")
    _, err = _communicate(proc, 30)
    assert proc.returncode == 2 and "policy file not found" in err, err
    assert "missing.pt2" in err and "unknown policy" not in err
    pytest.importorskip("torch")
    junk = tmp_path / "junk.pt2"
    junk.write_bytes(b"\x00junk" * 100)
    proc = _play("--policy", str(junk), "--game", "replay", "--steps", "1")
    _, err = _communicate(proc, 60)
    assert proc.returncode == 2
    assert err.strip().splitlines() == [err.strip()], err  # one line, no traceback
    assert err.startswith("csgo-env play: error: the file is not an exported policy")
    assert "Traceback" not in err and "PytorchStreamReader failed reading zip archive" in err
