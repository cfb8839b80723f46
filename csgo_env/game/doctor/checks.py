"""The checks of ``csgo-env doctor``, in the order they run (:data:`CHECKS`).

Each check takes the :class:`~csgo_env.game.doctor.runner.DoctorContext`, may fill it for
later checks (pid, window, cfg port and token, pose source) and returns a
:class:`~csgo_env.game.doctor.runner.CheckResult`. The checks use the live session's own
wiring: the profile's launcher finds the running game
(:meth:`~csgo_env.game.launch.Launcher.find_running`; the stand-in is found through its
window, its process being a Python interpreter) and
:func:`~csgo_env.game.memory.attach.open_pose_source` opens its memory. A profile without a
cfg folder (the stand-in, given the receiver's URL and token on its command line) skips the
cfg check.

With a real game (``csgo``/``cs2``) the same checks run against it; in this project's CI no
real game can run, so there they are exercised on the replay game, and for ``csgo`` only
up to the missing process (plus the cfg lookup in a Steam library).
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from csgo_env.actions import DEG_PER_COUNT, M_YAW_DEG, SENSITIVITY
from csgo_env.errors import CsgoEnvError, GameError
from csgo_env.game.doctor.runner import MOUSE_SETTINGS, CheckResult, DoctorContext
from csgo_env.game.gsi.cfg import DEFAULT_GSI_PORT
from csgo_env.observations import WINDOW_SIZE, size_text

TURN_TOLERANCE = 0.10
"""Relative error allowed between predicted and measured turn."""
LATE_OK_S = 0.002
"""p99 tick lateness of a healthy loop (seconds)."""
WARN_FRACTION = 0.25
"""Beyond this fraction of a tick of p99 lateness (or > 1% overruns) the loop fails."""


def check_process(ctx: DoctorContext) -> CheckResult:
    from csgo_env.game.launch import launcher_for

    try:
        ctx.pid, found = launcher_for(ctx.profile).find_running(ctx.options.window_backend)
    except GameError as exc:
        problem, _, fix = str(exc).rpartition(". Fix: ")
        return CheckResult("process", "fail", problem or str(exc),
                           fix or f"start the game: {ctx.profile.launch_hint}")
    return CheckResult("process", "ok", found)


def check_window(ctx: DoctorContext) -> CheckResult:
    from csgo_env.game.screen.windows import find_window

    try:
        ctx.window = find_window(ctx.profile.window_titles, pid=ctx.pid,
                                 backend=ctx.options.window_backend)
    except CsgoEnvError as exc:
        return CheckResult("window", "fail", str(exc).split(". Fix:")[0],
                           "run the game windowed (not fullscreen, not minimised) with the "
                           f"title {ctx.profile.window_titles[0]!r}")
    w = ctx.window
    assert w is not None
    return CheckResult("window", "ok", f"{w.title!r} at ({w.left}, {w.top}), "
                                       f"client {w.width}x{w.height}")


def check_window_size(ctx: DoctorContext) -> CheckResult:
    w = ctx.window
    assert w is not None, "runs after the window check"
    want = size_text(WINDOW_SIZE)
    if (w.width, w.height) != WINDOW_SIZE:
        return CheckResult("window_size", "fail",
                           f"client area {w.width}x{w.height}, not {want}",
                           f"set video to windowed {want} (4:3), or launch options -windowed "
                           f"-w {WINDOW_SIZE[0]} -h {WINDOW_SIZE[1]}; the recordings' crop "
                           "needs that size")
    return CheckResult("window_size", "ok", f"windowed {want}")


def check_gsi_cfg(ctx: DoctorContext) -> CheckResult:
    from csgo_env.game.gsi.cfg import (
        cfg_dir_not_found,
        cfg_filename,
        find_cfg_dirs,
        read_gsi_config,
    )

    if _without_gsi(ctx):
        return CheckResult("gsi_cfg", "skipped", NO_GSI)
    if ctx.profile.cfg_subdir is None:
        return CheckResult("gsi_cfg", "skipped", "the replay game takes the receiver URL and "
                                                 "token on its command line; no cfg file")
    try:
        dirs = find_cfg_dirs(ctx.profile)
    except CsgoEnvError as exc:
        return CheckResult("gsi_cfg", "fail", str(exc), "install the game / run csgo-env "
                                                        "gsi-config --cfg-dir DIR")
    for folder in dirs:
        path = folder / cfg_filename()
        if path.is_file():
            block = read_gsi_config(path)
            uri = str(block.get("uri", ""))
            auth = block.get("auth")
            ctx.cfg_token = auth.get("token") if isinstance(auth, dict) else None
            port = uri.rstrip("/").rsplit(":", 1)[-1]
            ctx.cfg_port = int(port) if port.isdigit() else None
            return CheckResult("gsi_cfg", "ok", f"{path} (uri {uri})")
    if not dirs:
        problem, _, fix = str(cfg_dir_not_found(ctx.profile)).partition(". Fix: ")
        return CheckResult("gsi_cfg", "fail", problem,
                           f"{fix}; then run `csgo-env gsi-config --game {ctx.profile.name}`")
    searched = ", ".join(str(d) for d in dirs)
    return CheckResult("gsi_cfg", "fail", f"no {cfg_filename()} in {searched}",
                       f"run `csgo-env gsi-config --game {ctx.profile.name}`, then restart "
                       "the game (it reads the cfg only at launch)")


NO_GSI = ("OpenArena has no Game State Integration: the env reads kills and deaths from "
          "the log of the server it starts itself")


def _without_gsi(ctx: DoctorContext) -> bool:
    """Games whose events come from elsewhere (OpenArena: the server's log)."""
    return ctx.profile.name == "openarena"


def check_gsi_posts(ctx: DoctorContext) -> CheckResult:
    from csgo_env.game.gsi.receiver import GSIReceiver

    if _without_gsi(ctx):
        return CheckResult("gsi_posts", "skipped", NO_GSI)
    opts = ctx.options
    port = opts.gsi_port if opts.gsi_port is not None else (ctx.cfg_port or DEFAULT_GSI_PORT)
    token = opts.gsi_token if opts.gsi_token is not None else ctx.cfg_token
    try:
        receiver = GSIReceiver(port=port, token=token).start()
    except CsgoEnvError as exc:
        return CheckResult("gsi_posts", "fail", str(exc).split(". Fix:")[0],
                           f"close the program using port {port}, or write the cfg for "
                           "another port with `csgo-env gsi-config --port P`")
    try:
        t0 = time.monotonic()
        deadline = t0 + opts.gsi_timeout_s
        fresh = receiver.freshness()
        while time.monotonic() < deadline:
            fresh = receiver.freshness()
            if fresh.posts or (fresh.rejected and time.monotonic() - t0 > 1.0):
                break
            time.sleep(0.05)
        if fresh.posts:
            time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))  # measure a rate
        fresh = receiver.freshness()
        latest = receiver.latest
    finally:
        receiver.stop()
    if fresh.posts == 0 and fresh.rejected:
        return CheckResult("gsi_posts", "fail",
                           f"{fresh.rejected} POST(s) on port {port} refused: wrong or missing "
                           "auth token",
                           "the cfg's token differs from the one expected: run `csgo-env "
                           "gsi-config` again and restart the game, or pass --gsi-token")
    if fresh.posts == 0:
        return CheckResult("gsi_posts", "fail", f"no POST on port {port} within "
                                                f"{opts.gsi_timeout_s:g} s",
                           "install the cfg (`csgo-env gsi-config`), restart the game and load "
                           "into a map; check that nothing else listens on the port")
    provider = (latest or {}).get("provider", {})
    player = (latest or {}).get("player", {})
    detail = (f"{fresh.posts} POST(s) accepted, {fresh.rate_hz:.1f}/s, token "
              f"{'checked' if token else 'not checked'}")
    if provider.get("steamid") != player.get("steamid"):
        return CheckResult("gsi_posts", "warn", detail + "; the payload shows another player "
                                                         "(dead or spectating)",
                           "join a team and play; rewards count only the own player")
    return CheckResult("gsi_posts", "ok", detail)


def check_offsets(ctx: DoctorContext) -> CheckResult:
    from csgo_env.game.memory.attach import open_pose_source

    path = ctx.options.offsets_path
    if path is None:
        return CheckResult("offsets", "skipped", "no offsets given: the env runs without pose",
                           "pass --offsets PATH (hazedumper csgo.json / cs2-dumper folder)")
    assert ctx.pid is not None, "runs after the process check"
    try:
        ctx.pose_source = source = open_pose_source(path, ctx.profile, ctx.pid,
                                                    backend=ctx.options.memory_backend)
        pose = source.read()
    except CsgoEnvError as exc:
        text = str(exc)
        problem, _, fix = text.partition(". Fix: ")
        return CheckResult("offsets", "fail", f"{type(exc).__name__}: {problem}",
                           fix or "dump offsets for the running build and pass --offsets")
    offsets = source.offsets
    detail = (f"{offsets.describe()}: health {pose.health}, position "
              f"({pose.position[0]:.0f}, {pose.position[1]:.0f}, {pose.position[2]:.0f}), "
              f"yaw {pose.yaw_deg:.1f}")
    exe = Path(f"/proc/{ctx.pid}/exe")
    if sys.platform.startswith("linux") and offsets.timestamp and exe.exists():
        with_build = os.stat(exe).st_mtime
        if offsets.timestamp < with_build:
            return CheckResult("offsets", "warn", detail + "; the offsets are older than the "
                                                           "game binary",
                               "re-dump offsets for this build if values look wrong")
    return CheckResult("offsets", "ok", detail)


def _wrap(angle: float) -> float:
    return (angle + 180.0) % 360.0 - 180.0


def check_mouse_turn(ctx: DoctorContext) -> CheckResult:
    from csgo_env.game.input.backends import get_input_backend

    opts = ctx.options
    counts = opts.turn_counts
    predicted = -counts * DEG_PER_COUNT  # +x turns right: the yaw drops
    backend = get_input_backend(opts.input_backend, profile=ctx.profile)
    try:
        assert ctx.pose_source is not None, "runs after the offsets check"
        before = ctx.pose_source.read().yaw_deg
        backend.move_relative(counts, 0)
        backend.flush()
        time.sleep(opts.turn_settle_s)
        after = ctx.pose_source.read().yaw_deg
        backend.move_relative(-counts, 0)
        backend.flush()
    finally:
        backend.close()
    measured = _wrap(after - before)
    detail = (f"{counts} counts right: yaw changed {measured:+.2f} deg, predicted "
              f"{predicted:+.2f} deg ({M_YAW_DEG:g} x {SENSITIVITY:g} per count)")
    if abs(measured) < 0.1 * abs(predicted):
        return CheckResult("mouse_turn", "fail", detail + ": no turn seen",
                           "give the game window focus (click into it) and keep the mouse "
                           f"free of other programs; set {MOUSE_SETTINGS}")
    if measured * predicted < 0:
        return CheckResult("mouse_turn", "fail", detail + ": turned the wrong way",
                           f"un-invert the mouse (m_yaw must be +{M_YAW_DEG:g}); "
                           f"set {MOUSE_SETTINGS}")
    ratio = measured / predicted
    if abs(ratio - 1.0) > TURN_TOLERANCE:
        return CheckResult("mouse_turn", "fail",
                           detail + f": {ratio:.2f}x the prediction (sensitivity looks like "
                                    f"{SENSITIVITY * ratio:.2f})", f"set {MOUSE_SETTINGS}")
    return CheckResult("mouse_turn", "ok", detail)


def check_guardian(ctx: DoctorContext) -> CheckResult:
    """Start a release guardian as the env does, report it, stop it (nothing is pressed)."""
    from csgo_env.game.input.backends import get_input_backend
    from csgo_env.game.input.guardian import Guardian

    fix = ("without it keys are still released on close, errors, exit, SIGTERM and SIGINT, "
           "but not when the agent is killed outright (SIGKILL, OOM killer, a crash)")
    try:
        backend = get_input_backend(ctx.options.input_backend, profile=ctx.profile)
    except CsgoEnvError as exc:
        return CheckResult("guardian", "warn", f"no input backend to guard: {exc}",
                           "make input work first (DISPLAY, python-xlib; on Windows "
                           "pydirectinput-rgx); " + fix)
    try:
        spec_of = getattr(backend, "guardian_spec", None)
        if spec_of is None:
            return CheckResult("guardian", "warn", f"{type(backend).__name__} has no release "
                                                   "guardian", fix)
        t0 = time.perf_counter()
        try:
            guardian = Guardian.start(spec_of())
        except CsgoEnvError as exc:
            return CheckResult("guardian", "warn", str(exc).split(". Fix:")[0], fix)
        started_ms = (time.perf_counter() - t0) * 1e3
        detail = guardian.describe()
        code = guardian.close()
    finally:
        backend.close()
    if code != 0:
        return CheckResult("guardian", "warn", f"{detail}; exited with status {code} on close",
                           fix)
    return CheckResult("guardian", "ok", f"release guardian runs: {detail}; ready in "
                                         f"{started_ms:.0f} ms, exited on close")


def _timed_loop(ctx: DoctorContext, capturer: Any) -> tuple[Any, list[float]]:
    """Run the tick loop (grabbing a frame per tick when ``capturer`` is given)."""
    from csgo_env.game.clock import TickClock

    opts = ctx.options
    clock = TickClock(opts.fps, spin_s=min(0.002, 1.0 / opts.fps / 4))
    grabs = []
    if capturer is not None:
        capturer.grab()
    clock.start()
    for _ in range(opts.loop_ticks):
        clock.tick()
        if capturer is not None:
            t = time.perf_counter()
            capturer.grab()
            grabs.append(time.perf_counter() - t)
        clock.release()  # the critical section (frame in) ran at the wait's priority
    return clock.stats(), sorted(grabs)


def check_loop_timing(ctx: DoctorContext) -> CheckResult:
    """The 16 Hz loop, with a capture per tick when the window passed its checks, else the
    clock alone (it still shows the lateness and how the clock waits)."""
    from csgo_env.game.screen.capture import Capturer

    opts = ctx.options
    period = 1.0 / opts.fps
    if ctx.status("window_size") in ("ok", "warn"):
        with Capturer(ctx.profile.window_titles, pid=ctx.pid,
                      backend=opts.window_backend) as capturer:
            stats, grabs = _timed_loop(ctx, capturer)
        grab_p99 = grabs[max(0, math.ceil(0.99 * len(grabs)) - 1)]
        captured = f"capture p99 {grab_p99 * 1e3:.2f} ms"
    else:
        stats, _ = _timed_loop(ctx, None)
        captured = "capture not timed (needs window_size to pass first)"
    detail = (f"{stats.ticks} ticks at {opts.fps:g} Hz: lateness p50 "
              f"{stats.p50_lateness_s * 1e3:.2f} ms, p99 {stats.p99_lateness_s * 1e3:.2f} ms, "
              f"{stats.overruns} overrun(s); {captured}; clock waits: {stats.wait_mode}")
    fix = ("close other programs competing for the CPU, cap the game with fps_max 64, keep "
           "the window unobscured; capture must take well under one tick")
    if stats.wait_mode != "realtime" and sys.platform.startswith("linux"):
        fix += ("; let the clock wait at real-time priority: allow your user an rtprio, e.g. "
                "'@audio - rtprio 10' in /etc/security/limits.conf (then log in again), or "
                "grant the interpreter CAP_SYS_NICE")
    if stats.p99_lateness_s <= LATE_OK_S and stats.overruns == 0:
        return CheckResult("loop_timing", "ok", detail)
    if stats.p99_lateness_s <= WARN_FRACTION * period \
            and stats.overruns <= max(1, opts.loop_ticks // 100):
        return CheckResult("loop_timing", "warn", detail + " (usable, with jitter)", fix)
    return CheckResult("loop_timing", "fail", detail, fix)


Check = Callable[[DoctorContext], CheckResult]
CHECKS: tuple[tuple[str, Check, tuple[str, ...]], ...] = (
    ("process", check_process, ()),
    ("window", check_window, ("process",)),
    ("window_size", check_window_size, ("window",)),
    ("gsi_cfg", check_gsi_cfg, ()),
    ("gsi_posts", check_gsi_posts, ("process",)),
    ("offsets", check_offsets, ("process",)),
    ("mouse_turn", check_mouse_turn, ("window", "offsets")),
    ("guardian", check_guardian, ()),
    ("loop_timing", check_loop_timing, ()),
)
"""(name, check, names that must be ok or warn first), in run order."""

SKIP_NOTES: dict[str, str] = {
    "gsi_posts": "no game process, so no GSI wait",
}
"""What a skipped check did not do, added to its "needs ... to pass first" line."""
