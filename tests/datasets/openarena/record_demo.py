"""Record a short real OpenArena demo: a dedicated server with bots and a spectator
client (SDL offscreen video, no X needed) that follows bot 0, records, and prints
``viewpos`` every 0.5 s of wall time. Used by the tests; needs the Debian packages
``openarena`` and ``openarena-server``."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

CLIENT = Path("/usr/lib/ioquake3/ioquake3")
SERVER = Path("/usr/lib/ioquake3/ioq3ded")
CLIENT_DATA = Path("/usr/lib/openarena")
SERVER_DATA = Path("/usr/lib/openarena-server")
_ENGINE = ["+set", "com_basegame", "baseoa", "+set", "com_protocol", "71",
           "+set", "com_legacyprotocol", "71"]
_SERVER_CFG = """set sv_master1 ""
set sv_pure 0
set g_gametype 0
set fraglimit 0
set timelimit 0
set g_doWarmup 0
set g_log games.log
set g_logsync 1
set g_forcerespawn 1
set bot_nochat 1
set bot_minplayers 0
map oa_dm1
"""
_CLIENT_CFG = """set s_initsound 0
set r_fullscreen 0
set r_mode -1
set r_customwidth 160
set r_customheight 120
set cl_renderer opengl1
set com_maxfps 30
set com_introplayed 1
set cl_allowDownload 0
"""
VIEWPOS = re.compile(r"^\((-?\d+) (-?\d+) (-?\d+)\) : (-?\d+)$", re.MULTILINE)


def openarena_missing() -> str | None:
    """Why a real demo cannot be recorded here, or None."""
    for path in (CLIENT, SERVER, CLIENT_DATA / "baseoa", SERVER_DATA / "baseoa"):
        if not path.exists():
            return f"OpenArena is not installed ({path} missing; scripts/setup_openarena.sh)"
    return None


@dataclass(frozen=True)
class RecordedDemo:
    """``demo`` (the first spectator's .dm_71 file), its ``viewpos`` lines as (x, y, z,
    yaw) ints, the server's ``games.log`` text, every spectator's demo in ``demos``."""

    demo: Path
    viewpos: list[tuple[int, int, int, int]]
    game_log: str
    demos: tuple[Path, ...] = ()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _say(proc: subprocess.Popen[str], line: str) -> None:
    assert proc.stdin is not None
    proc.stdin.write(line + "\n")
    proc.stdin.flush()


def record(folder: Path, seconds: float = 20.0, bots: int = 3,
           follow: tuple[int, ...] = (0,)) -> RecordedDemo:
    """Record ``seconds`` of wall time into ``folder``, one spectator client per bot number
    in ``follow`` (the bots are clients 0 .. bots-1), each recording its own demo; the
    returned ``demo`` and ``viewpos`` are the first spectator's, ``demos`` all of them."""
    if not follow or any(not 0 <= b < bots for b in follow):
        raise ValueError(f"follow must name bots 0..{bots - 1}, got {follow}")
    homes = [folder / "srv"] + [folder / ("cli" if k == 0 else f"cli{k}")
                                for k in range(len(follow))]
    for home, name, text in zip(homes, ["s.cfg"] + ["autoexec.cfg"] * len(follow),
                                [_SERVER_CFG] + [_CLIENT_CFG] * len(follow), strict=True):
        (home / "baseoa").mkdir(parents=True, exist_ok=True)
        (home / "baseoa" / name).write_text(text)
    port = _free_port()
    procs: list[subprocess.Popen[str]] = []
    out = folder / "cli.log"
    try:
        srv = subprocess.Popen(
            [str(SERVER), *_ENGINE, "+set", "fs_basepath", str(SERVER_DATA),
             "+set", "fs_homepath", str(folder / "srv"), "+set", "dedicated", "1",
             "+set", "net_ip", "127.0.0.1", "+set", "net_port", str(port), "+exec", "s.cfg"],
            stdin=subprocess.PIPE, stdout=(folder / "srv.log").open("w"),
            stderr=subprocess.STDOUT, text=True)
        procs.append(srv)
        time.sleep(3.0)
        for name in ("Sarge", "Grism", "Major", "Kyonshi")[:bots]:
            _say(srv, f"addbot {name} 2")
        clients = []
        for k, home in enumerate(homes[1:]):
            log = out if k == 0 else folder / f"cli{k}.log"
            name = "recorder" if k == 0 else f"recorder{k}"
            clients.append(subprocess.Popen(
                [str(CLIENT), *_ENGINE, "+set", "fs_basepath", str(CLIENT_DATA),
                 "+set", "fs_homepath", str(home), "+set", "net_ip", "127.0.0.1",
                 "+set", "net_port", str(_free_port()), "+set", "name", name,
                 "+connect", f"127.0.0.1:{port}"],
                stdin=subprocess.PIPE, stdout=log.open("w"), stderr=subprocess.STDOUT,
                text=True, env=dict(os.environ, SDL_VIDEODRIVER="offscreen")))
            procs.append(clients[-1])
        time.sleep(8.0)
        for cli in clients:
            _say(cli, "team spectator")
        time.sleep(1.5)
        for cli, bot in zip(clients, follow, strict=True):
            _say(cli, f"follow {bot}")
        time.sleep(1.0)
        for cli in clients:
            _say(cli, "record real")
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            time.sleep(0.5)
            _say(clients[0], "viewpos")
        for cli in clients:
            _say(cli, "stoprecord")
        time.sleep(1.0)
        for cli in clients:
            _say(cli, "quit")
        _say(srv, "quit")
        for proc in procs:
            proc.wait(10)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    text = out.read_text(errors="replace")
    start = text.find("recording to")
    lines = [tuple(int(v) for v in m.groups()) for m in VIEWPOS.finditer(text[start:])]
    demos = tuple(home / "baseoa" / "demos" / "real.dm_71" for home in homes[1:])
    return RecordedDemo(demos[0], [(a, b, c, d) for a, b, c, d in lines],
                        (folder / "srv" / "baseoa" / "games.log").read_text(), demos)
