"""``csgo-env doctor`` on the replay game: a healthy setup passes, and every failure mode
(no window, wrong window size, no GSI, wrong token, stale offsets, no or wrong mouse turn,
slow loop) is reported with its fix."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from csgo_env.cli import main
from csgo_env.errors import GSIError
from csgo_env.game.doctor.checks import check_gsi_cfg, check_gsi_posts
from csgo_env.game.doctor.runner import (
    SAFETY_ADVICE,
    DoctorContext,
    DoctorOptions,
    DoctorReport,
    run_doctor,
)
from csgo_env.game.memory.offsets import write_hazedumper_json
from csgo_env.standin.game_process import ReplayProcess
from csgo_env.standin.memory_image import REPLAY_NETVARS, REPLAY_SIGNATURES, write_replay_offsets
from tests.support import standin as rs

pytestmark = pytest.mark.xvfb
TOKEN = "doctor-token"


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rs.synthetic_recording(tmp_path_factory)


@contextmanager
def replay_game(recording: Path, tmp_path: Path, *, port: int | None, token: str = TOKEN,
                extra: Sequence[str] = (), size: tuple[int, int] = (1024, 768)
                ) -> Iterator[ReplayProcess]:
    """A free-running replay game posting to ``port`` (None: no GSI)."""
    offsets = write_replay_offsets(tmp_path / "offsets.json")
    game = ReplayProcess([recording], input_log=tmp_path / "input.jsonl",
                         gsi_url=None if port is None else f"http://127.0.0.1:{port}/",
                         token=token, offsets=offsets, control="free", window_size=size,
                         extra_args=extra)
    game.start()
    try:
        yield game
    finally:
        game.stop()


def _options(tmp_path: Path, port: int, **kw: object) -> DoctorOptions:
    base = {"game": "replay", "gsi_port": port, "gsi_token": TOKEN,
            "offsets_path": tmp_path / "offsets.json", "gsi_timeout_s": 2.0, "loop_ticks": 16}
    return DoctorOptions(**{**base, **kw})  # type: ignore[arg-type]


def _statuses(report: DoctorReport) -> dict[str, str]:
    return {r.name: r.status for r in report.results}


def test_healthy_setup_passes(xvfb_display: str, recording: Path,
                                                        tmp_path: Path) -> None:
    port = rs.free_port()
    with replay_game(recording, tmp_path, port=port):
        report = run_doctor(_options(tmp_path, port))
        st = _statuses(report)
        assert st.pop("loop_timing") in ("ok", "warn"), report.format()  # busy cores: jitter
        assert st == {"process": "ok", "window": "ok", "window_size": "ok",
                      "gsi_cfg": "skipped", "gsi_posts": "ok", "offsets": "ok",
                      "mouse_turn": "ok", "guardian": "ok"}, report.format()
        assert report.ok
        assert "-5.50 deg" in report.result("mouse_turn").detail
        guardian = report.result("guardian").detail
        assert "release guardian runs" in guardian and "PR_SET_PDEATHSIG" in guardian


def test_stale_offsets_and_slow_loop_report(xvfb_display: str, recording: Path,
                                            tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                            ) -> None:
    port = rs.free_port()
    stale = tmp_path / "stale.json"
    write_hazedumper_json(stale, REPLAY_SIGNATURES,
                          {**REPLAY_NETVARS, "m_iHealth": REPLAY_NETVARS["m_vecOrigin"]})
    with replay_game(recording, tmp_path, port=port):
        # A 0.2 ms tick is shorter than one capture (~0.5 ms): the loop cannot keep up.
        code = main(["doctor", "--game", "replay", "--json", "--gsi-port", str(port),
                     "--gsi-token", TOKEN, "--offsets", str(stale), "--gsi-timeout", "2",
                     "--fps", "5000", "--loop-ticks", "64"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["ok"] is False and out["safety"] == SAFETY_ADVICE
    checks = {c["name"]: c for c in out["checks"]}
    assert checks["offsets"]["status"] == "fail"
    assert "OffsetsOutdated" in checks["offsets"]["detail"]
    assert "re-dump offsets" in checks["offsets"]["fix"]
    assert checks["mouse_turn"]["status"] == "skipped"
    assert checks["loop_timing"]["status"] == "fail"
    assert "overrun" in checks["loop_timing"]["detail"]
    assert "fps_max" in checks["loop_timing"]["fix"]


def test_misconfigured_game(xvfb_display: str, recording: Path, tmp_path: Path) -> None:
    """Wrong window size, a cfg with another token, and sensitivity 1 instead of 2.5."""
    port = rs.free_port()
    with replay_game(recording, tmp_path, port=port, token="old-token", size=(1280, 720),
                     extra=["--sensitivity", "1.0"]):
        report = run_doctor(_options(tmp_path, port))
    st = _statuses(report)
    assert st["window_size"] == "fail" and st["loop_timing"] != "skipped"
    timing = report.result("loop_timing").detail
    assert "capture not timed (needs window_size to pass first)" in timing
    assert "clock waits: " in timing
    assert "1280x720" in report.result("window_size").detail
    assert "-windowed -w 1024 -h 768" in report.result("window_size").fix
    assert st["gsi_posts"] == "fail"
    assert "wrong or missing auth token" in report.result("gsi_posts").detail
    assert "gsi-config" in report.result("gsi_posts").fix
    assert st["mouse_turn"] == "fail"
    assert "sensitivity looks like 1.00" in report.result("mouse_turn").detail
    assert "sensitivity 2.5" in report.result("mouse_turn").fix
    assert st["offsets"] == "ok" and not report.ok


def test_silent_game_that_ignores_the_mouse(xvfb_display: str, recording: Path,
                                            tmp_path: Path) -> None:
    port = rs.free_port()
    with replay_game(recording, tmp_path, port=None, extra=["--ignore-mouse"]):
        report = run_doctor(_options(tmp_path, port, gsi_timeout_s=1.5))
    assert report.result("gsi_posts").status == "fail"
    assert "no POST" in report.result("gsi_posts").detail
    assert "restart the game" in report.result("gsi_posts").fix
    assert report.result("mouse_turn").status == "fail"
    assert "no turn seen" in report.result("mouse_turn").detail
    assert "m_rawinput 0" in report.result("mouse_turn").fix


def test_no_game_window(xvfb_display: str, tmp_path: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["doctor", "--game", "replay", "--gsi-port", str(rs.free_port()),
                 "--gsi-timeout", "0.5", "--offsets", str(write_replay_offsets(
                     tmp_path / "o.json"))])
    text = capsys.readouterr().out
    assert code == 1
    assert "[FAIL] process: no replay game running" in text
    assert "fix: start it: python -m csgo_env.standin" in text
    assert "[skip] window: needs process" in text
    assert "[skip] gsi_posts: needs process to pass first (no game process, so no GSI wait)" \
        in text
    assert "[skip] mouse_turn" in text
    assert "[skip] loop_timing" not in text and "] loop_timing: 48 ticks at 16 Hz" in text
    assert "clock waits: " in text
    assert "-insecure" in text  # the safety advice is always printed
    assert "[ ok ] guardian: release guardian runs: pid" in text  # needs no game


def test_guardian_that_cannot_run_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":4321")  # no such X server
    report = run_doctor(DoctorOptions(game="replay", gsi_timeout_s=0.2))
    result = report.result("guardian")
    assert result.status == "warn" and "cannot connect to the X server" in result.detail
    assert result.fix is not None and "SIGKILL" in result.fix


def test_no_game_skips_the_gsi_wait_and_still_times_the_loop(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No CS:GO and no Steam: no 12 s wait for POSTs that cannot come, a cfg line that
    names what was searched, and the loop timing with the clock's wait mode."""
    import time

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    started = time.monotonic()
    report = run_doctor(DoctorOptions(game="csgo", gsi_timeout_s=30.0, loop_ticks=16))
    elapsed = time.monotonic() - started
    st = _statuses(report)
    assert st["process"] == "fail" and st["gsi_posts"] == "skipped", report.format()
    assert "no GSI wait" in report.result("gsi_posts").detail
    assert elapsed < 15.0, elapsed
    cfg = report.result("gsi_cfg")
    assert cfg.status == "fail" and "in no cfg folder found" not in cfg.detail
    assert cfg.detail.startswith("no Counter-Strike") and "cfg folder found" in cfg.detail
    assert "--cfg-dir" in (cfg.fix or "") and "csgo-env gsi-config --game csgo" in (cfg.fix or "")
    timing = report.result("loop_timing")
    assert timing.status != "skipped" and "16 ticks at 16 Hz" in timing.detail
    assert "capture not timed" in timing.detail and "clock waits: " in timing.detail


def test_csgo_path_reads_the_installed_cfg(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """No CS:GO runs here: the process check fails with the launch hint, while the cfg is
    found in a Steam library under HOME and POSTs carrying its token are accepted."""
    import threading

    from csgo_env.game.gsi.cfg import write_gsi_config
    from csgo_env.game.profiles import CSGO
    from csgo_env.standin.gsi_sender import GSISender, PlayerCounters, build_payload

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    cfg_dir = tmp_path / ".local" / "share" / "Steam" / CSGO.cfg_subdir
    cfg_dir.mkdir(parents=True)
    port = rs.free_port()
    _, token = write_gsi_config(cfg_dir, port=port)
    stop = threading.Event()

    def game() -> None:  # posts like the game would once the receiver listens
        sender = GSISender(f"http://127.0.0.1:{port}/", timeout_s=1.0)
        while not stop.is_set():
            with suppress(GSIError):  # refused until the doctor listens
                sender.post(build_payload(PlayerCounters(), token=token))
            stop.wait(0.1)
        sender.close()

    report = run_doctor(DoctorOptions(game="csgo", gsi_timeout_s=3.0, loop_ticks=8))
    st = _statuses(report)
    assert st["process"] == "fail" and "-insecure" in report.result("process").fix
    assert st["window"] == st["offsets"] == st["mouse_turn"] == st["gsi_posts"] == "skipped"
    assert st["gsi_cfg"] == "ok" and str(cfg_dir) in report.result("gsi_cfg").detail
    # The POST check on its own, as it runs once the process is found: port and token
    # come from the installed cfg.
    ctx = DoctorContext(options=DoctorOptions(game="csgo", gsi_timeout_s=3.0),
                        profile=CSGO)
    assert check_gsi_cfg(ctx).status == "ok" and ctx.cfg_port == port
    thread = threading.Thread(target=game, daemon=True)
    thread.start()
    try:
        posts = check_gsi_posts(ctx)
    finally:
        stop.set()
        thread.join(5)
    assert posts.status == "ok", posts
    assert "token checked" in posts.detail
    (cfg_dir / "gamestate_integration_csgo_env.cfg").unlink()
    report = run_doctor(DoctorOptions(game="csgo", gsi_timeout_s=0.3))
    assert report.result("gsi_cfg").status == "fail"
    assert "csgo-env gsi-config --game csgo" in report.result("gsi_cfg").fix


def test_openarena_has_no_gsi_so_its_checks_are_skipped_with_the_reason() -> None:
    from csgo_env.game.profiles import get_profile

    ctx = DoctorContext(options=DoctorOptions(game="openarena"),
                        profile=get_profile("openarena"))
    for check in (check_gsi_cfg, check_gsi_posts):
        result = check(ctx)
        assert result.status == "skipped" and "server" in result.detail, result
