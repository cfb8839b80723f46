"""``csgo-env doctor``: check a live setup step by step and say how to fix each problem.

:func:`run_doctor` runs the checks of :mod:`csgo_env.game.doctor.checks` in order —
game process, window, window size, GSI cfg, GSI POSTs (and their token), offsets and the
values they give, a small injected mouse turn seen in the memory yaw, whether the input
release guardian runs (:mod:`csgo_env.game.input.guardian`), and loop timing (always run:
with a capture per tick when the window passed, else the clock alone) —
each returning a :class:`CheckResult` with status ``ok`` / ``warn`` / ``fail`` /
``skipped``, a detail and (unless ok) the fix. A check whose prerequisite failed is
``skipped`` with the reason. :data:`SAFETY_ADVICE` is printed with every report.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from csgo_env.actions import M_YAW_DEG, SENSITIVITY
from csgo_env.game.profiles import GameProfile, get_profile

if TYPE_CHECKING:
    from csgo_env.game.memory.attach import PoseSource
    from csgo_env.game.screen.windows import WindowInfo

Status = Literal["ok", "warn", "fail", "skipped"]

SAFETY_ADVICE = (
    "Safety: memory reading and synthetic input are what cheats do. Launch the game with "
    "-insecure (no VAC-secured server can be joined), play offline or on a local server "
    "with bots only, use a throwaway account if you can; csgo_env only reads memory, never "
    "writes it, and releases every key it pressed when it stops.")

MOUSE_SETTINGS = (f"sensitivity {SENSITIVITY:g}, raw input off (m_rawinput 0), mouse "
                  f"acceleration off (m_customaccel 0), m_yaw {M_YAW_DEG:g}")


@dataclass(frozen=True)
class CheckResult:
    """One check: ``name``, ``status``, what was found (``detail``) and the ``fix``."""

    name: str
    status: Status
    detail: str
    fix: str | None = None


@dataclass
class DoctorOptions:
    """What to check and how (CLI flags of the same names).

    ``gsi_port``/``gsi_token``: where the doctor listens and which token it expects (for
    csgo/cs2 default: read from the installed cfg, else 3000 / any). ``offsets_path``:
    offsets to test (no offsets: the memory checks are skipped). ``turn_counts``: mouse
    counts of the test turn. ``fps``/``loop_ticks``: the timing loop.
    """

    game: str = "csgo"
    gsi_port: int | None = None
    gsi_token: str | None = None
    offsets_path: Path | None = None
    gsi_timeout_s: float = 12.0
    turn_counts: int = 100
    turn_settle_s: float = 0.3
    fps: float = 16.0
    loop_ticks: int = 48
    window_backend: str = "auto"
    input_backend: str = "auto"
    memory_backend: str = "auto"


@dataclass
class DoctorContext:
    """State shared between the checks (filled as they run)."""

    options: DoctorOptions
    profile: GameProfile
    pid: int | None = None
    window: WindowInfo | None = None
    cfg_port: int | None = None
    cfg_token: str | None = None
    pose_source: PoseSource | None = None
    results: list[CheckResult] = field(default_factory=list)

    def status(self, name: str) -> Status | None:
        for result in self.results:
            if result.name == name:
                return result.status
        return None

    def close(self) -> None:
        if self.pose_source is not None:
            self.pose_source.close()
            self.pose_source = None


@dataclass
class DoctorReport:
    """All results; ``ok`` is False when any check failed."""

    game: str
    results: list[CheckResult]

    @property
    def ok(self) -> bool:
        return not any(r.status == "fail" for r in self.results)

    def result(self, name: str) -> CheckResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)

    def to_json(self) -> str:
        return json.dumps({"game": self.game, "ok": self.ok, "safety": SAFETY_ADVICE,
                           "checks": [asdict(r) for r in self.results]}, indent=2)

    def format(self) -> str:
        marks = {"ok": "[ ok ]", "warn": "[warn]", "fail": "[FAIL]", "skipped": "[skip]"}
        lines = [f"csgo-env doctor: {get_profile(self.game).display_name}"]
        for r in self.results:
            lines.append(f"{marks[r.status]} {r.name}: {r.detail}")
            if r.fix and r.status != "ok":
                lines.append(f"       fix: {r.fix}")
        failed = sum(r.status == "fail" for r in self.results)
        lines.append("all checks passed" if self.ok else f"{failed} check(s) failed")
        lines.append(SAFETY_ADVICE)
        return "\n".join(lines)


def run_doctor(options: DoctorOptions) -> DoctorReport:
    """Run every check in order and return the report (never raises for a failed check)."""
    from csgo_env.game.doctor.checks import CHECKS, SKIP_NOTES

    ctx = DoctorContext(options=options, profile=get_profile(options.game))
    try:
        for name, check, needs in CHECKS:
            missing = [n for n in needs if ctx.status(n) not in ("ok", "warn")]
            if missing:
                note = f" ({SKIP_NOTES[name]})" if name in SKIP_NOTES else ""
                ctx.results.append(CheckResult(
                    name, "skipped", f"needs {', '.join(missing)} to pass first{note}"))
                continue
            try:
                result = check(ctx)
            except Exception as exc:  # a check that crashes is a failed check, with why
                result = CheckResult(name, "fail", f"{type(exc).__name__}: {exc}",
                                     "see the message above")
            ctx.results.append(result)
    finally:
        ctx.close()
    return DoctorReport(options.game, ctx.results)
