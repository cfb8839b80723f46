"""Render a demo offline at 16 frames per game second, as observations (150, 280, 3).

The client plays the demo back with ``cl_aviFrameRate 16`` and ``video``: the engine then
advances game time by exactly 62.5 ms per rendered frame, however long a frame takes to
draw, and writes every frame to a motion-JPEG AVI (``cl_aviMotionJpeg 1``; uncompressed
is 2.3 MB a frame at 1024x768; the JPEG step is lossy and comes before the crop and
resize). The 2D overlay, gun and console notices are off (``cg_draw2D 0``,
``cg_drawgun 0``, ``con_notifytime 0``; the live env's client gets the same with
``openarena_client_args``, see ``baselines/openarena.yaml``), and the textures, sky and
effects are the live client's :data:`~csgo_env.game.openarena.commands.FAST_RENDERING`, so
the rendered frames look like what the env captures. The window is the recordings' 1024x768
(:data:`~csgo_env.observations.WINDOW_SIZE`), so frames get the project's crop and
resize (:data:`~csgo_env.observations.CROP`, OpenCV INTER_LINEAR to 280x150). SDL's
offscreen driver is used: no X display is needed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np

from csgo_env.errors import GameError, explain
from csgo_env.game.openarena.commands import FAST_RENDERING
from csgo_env.observations import CROP, OBS_SIZE, WINDOW_SIZE

CLIENT = Path("/usr/lib/ioquake3/ioquake3")
CLIENT_DATA = Path("/usr/lib/openarena")
_SETTINGS = ("s_initsound 0", "r_fullscreen 0", "r_mode -1", "cl_renderer opengl1",
             "com_introplayed 1", "cg_draw2D 0", "cg_drawgun 0", "con_notifytime 0",
             "cl_aviFrameRate 16", "cl_aviMotionJpeg 1", "com_maxfps 0")


def render_demo(demo: str | os.PathLike[str], home: str | os.PathLike[str], *,
                timeout_s: float = 300.0) -> np.ndarray:
    """uint8 (n, 150, 280, 3) RGB: the demo's frames at 16 per game second.

    ``home`` is an empty folder for the client's fs_homepath (settings never leak).
    Raises :class:`~csgo_env.errors.GameError` when the client is missing, fails, or
    writes no video within ``timeout_s``.
    """
    if not CLIENT.exists():
        raise GameError(explain("the OpenArena client is not installed", got=f"no {CLIENT}",
                                fix="bash scripts/setup_openarena.sh"))
    home = Path(home)
    demos = home / "baseoa" / "demos"
    demos.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo, demos / "render.dm_71")
    width, height = WINDOW_SIZE
    lines = [f"set {s}" for s in _SETTINGS] + [f"set r_customwidth {width}",
                                               f"set r_customheight {height}",
                                               *FAST_RENDERING]
    (home / "baseoa" / "autoexec.cfg").write_text("\n".join(lines) + "\n")
    argv = [str(CLIENT), "+set", "com_basegame", "baseoa", "+set", "fs_basepath",
            str(CLIENT_DATA), "+set", "fs_homepath", str(home), "+set", "com_protocol", "71",
            "+set", "com_legacyprotocol", "71", "+exec", "autoexec.cfg"]
    log = home / "render.log"
    with log.open("w") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=out,
                                stderr=subprocess.STDOUT, text=True,
                                env=dict(os.environ, SDL_VIDEODRIVER="offscreen"))
        try:
            _play(proc, log, timeout_s)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    video = home / "baseoa" / "videos" / "render.avi"
    if not video.exists():
        raise GameError(explain("the OpenArena client wrote no video", got=log.read_text()[-400:]))
    try:
        return read_video(video)
    finally:
        video.unlink()  # ~2.4 MB per second of demo; the observations are what is kept


def _play(proc: subprocess.Popen[str], log: Path, timeout_s: float) -> None:
    assert proc.stdin is not None
    time.sleep(2.0)
    proc.stdin.write("demo render; video render\n")
    proc.stdin.flush()
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        time.sleep(0.5)
        text = log.read_text(errors="replace")
        if proc.poll() is not None:
            raise GameError(explain("the OpenArena client exited while rendering",
                                    got=text[-400:]))
        if "frames to videos/render.avi" in text:  # the engine closes the video at demo end
            break
    else:
        raise GameError(explain("rendering the demo timed out", expected=f"< {timeout_s} s"))
    proc.stdin.write("quit\n")
    proc.stdin.flush()
    proc.wait(20)


def read_video(path: str | os.PathLike[str]) -> np.ndarray:
    """The AVI's frames cropped and resized to observations: uint8 (n, 150, 280, 3) RGB."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    left, top, right, bottom = CROP
    frames = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        crop = bgr[top:bottom, left:right]
        frames.append(cv2.resize(crop, OBS_SIZE, interpolation=cv2.INTER_LINEAR)[..., ::-1])
    cap.release()
    if not frames:
        raise GameError(f"no frames could be read from {path}")
    return np.ascontiguousarray(np.stack(frames))


__all__ = ["read_video", "render_demo"]
