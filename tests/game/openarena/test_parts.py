"""The launcher's parts that need no game: config files and command lines, ELF symbol
lookup (checked against the dynamic loader), child processes that die with their parent,
stale run folders."""

from __future__ import annotations

import ctypes
import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from csgo_env.actions import KEY_NAMES
from csgo_env.errors import ArgumentError, DependencyMissing, EnvConfigError, GameError
from csgo_env.game.openarena import children
from csgo_env.game.openarena.commands import (
    KEY_BINDS,
    NO_OP_KEYS,
    MatchSettings,
    client_argv,
    client_cfg,
    server_argv,
    server_cfg,
)
from csgo_env.game.openarena.elf_symbols import find_symbol
from csgo_env.game.openarena.install import OpenArenaInstall, find_install
from csgo_env.game.openarena.launcher import OWNER_FILE, RUN_PREFIX, sweep_stale_runs

SETTINGS = MatchSettings(map_name="oa_dm1", bots=2, bot_skill=4.0, port=27999,
                         client_port=28001, max_fps=60, window_size=(1024, 768),
                         name="csgoenv00ff00ff")
INSTALL = OpenArenaInstall(Path("/e/ioquake3"), Path("/e/ioq3ded"), Path("/base"))


def test_every_action_key_is_bound_or_a_documented_no_op() -> None:
    cfg = client_cfg(SETTINGS)
    oa_key = {"space": "SPACE", "ctrl": "CTRL", "shift": "SHIFT"}
    for key in KEY_NAMES:
        if key in NO_OP_KEYS:
            assert f"bind {key} " not in cfg
        else:
            assert f'bind {oa_key.get(key, key)} "{KEY_BINDS[oa_key.get(key, key)]}"' in cfg
    assert "unbindall\n" in cfg  # the game's default bindings (ctrl = fire) go
    assert 'bind MOUSE1 "+attack"' in cfg and 'bind MOUSE2 "+zoom"' in cfg
    for line in ("set sensitivity 2.5", "set m_yaw 0.022", "set m_pitch 0.022",
                 "set cl_mouseAccel 0", "set com_maxfps 60", "set r_customwidth 1024",
                 "set r_customheight 768", "set net_port 28001", "set vm_cgame 0"):
        assert line in cfg.splitlines()
    assert cfg.index("unbindall") < cfg.index("bind ")


def test_command_lines_and_server_config() -> None:
    server = server_argv(INSTALL, SETTINGS, Path("/run/server"))
    client = client_argv(INSTALL, SETTINGS, Path("/run/client"))
    joined = " ".join(server)
    assert server[0] == "/e/ioq3ded" and "+set fs_homepath /run/server" in joined
    assert "+set net_ip 127.0.0.1" in joined and "+set net_port 27999" in joined
    assert "+set dedicated 1" in joined and server[-2:] == ["+exec", "csgo_env_server.cfg"]
    joined = " ".join(client)
    assert client[0] == "/e/ioquake3" and "+set fs_homepath /run/client" in joined
    assert "+set name csgoenv00ff00ff" in joined
    assert client[-2:] == ["+connect", "127.0.0.1:27999"]
    assert all(token for token in server + client)  # an empty token would be lost
    too_long = dataclasses.replace(SETTINGS, client_args=("+set", "x", "y" * 1000))
    with pytest.raises(ArgumentError, match="too long"):
        client_argv(INSTALL, too_long, Path("/run/client"))
    cfg = server_cfg(SETTINGS).splitlines()
    for line in ("set fraglimit 0", "set timelimit 0", "set g_log games.log",
                 'set sv_master1 ""', "set g_gametype 0"):
        assert line in cfg
    assert cfg[-1] == "map oa_dm1"


def test_elf_symbol_matches_the_dynamic_loader() -> None:
    libc = ctypes.CDLL(None)
    address = ctypes.cast(libc.printf, ctypes.c_void_p).value
    assert address is not None
    with open("/proc/self/maps") as fh:
        rows = [line.split() for line in fh if len(line.split()) == 6]
    path = next(r[5] for r in rows if int(r[0].split("-")[0], 16) <= address
                < int(r[0].split("-")[1], 16))
    base = min(int(r[0].split("-")[0], 16) for r in rows if r[5] == path)
    symbol = find_symbol(path, "printf")
    assert base + symbol.value == address and symbol.size > 0
    with pytest.raises(GameError, match="no defined symbol"):
        find_symbol(path, "no_such_symbol_anywhere")


def test_elf_reader_refuses_other_files(tmp_path: Path) -> None:
    bad = tmp_path / "not.so"
    bad.write_bytes(b"MZ" + bytes(100))
    with pytest.raises(GameError, match="not a little-endian ELF64"):
        find_symbol(bad, "cg")
    with pytest.raises(GameError, match="cannot read the symbols"):
        find_symbol(tmp_path / "missing.so", "cg")


def test_missing_install_names_the_setup_script(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setenv("CSGO_ENV_OPENARENA_ENGINE", str(tmp_path / "none"))
    with pytest.raises(DependencyMissing, match=r"setup_openarena\.sh"):
        find_install()


def test_env_refuses_other_games_and_foreign_options() -> None:
    from csgo_env.envs.openarena import OpenArenaDeathmatchEnv

    with pytest.raises(EnvConfigError, match="OpenArena only"):
        OpenArenaDeathmatchEnv(game="replay")
    with pytest.raises(EnvConfigError, match="does not apply"):
        OpenArenaDeathmatchEnv(replay_start_frame=3)
    with pytest.raises(EnvConfigError, match="openarena_bots"):
        OpenArenaDeathmatchEnv(openarena_bots=99)
    from csgo_env.envs.config import validate_config

    with pytest.raises(EnvConfigError, match="only applies to game='openarena'"):
        validate_config(game="replay", openarena_map="oa_dm2")


GRANDPARENT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from csgo_env.game.openarena import children
    proc = children.spawn([sys.executable, "-c", "import time; time.sleep(60)"],
                          env={"PATH": "/usr/bin:/bin"}, cwd=Path("."),
                          stdout=None, stderr=None)
    print(proc.pid, flush=True)
    time.sleep(60)
""")


def _gone(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().split(") ", 1)[1].startswith("Z"):
                    return True  # a zombie: dead, waiting for its reaper
        except FileNotFoundError:
            return True
        time.sleep(0.02)
    return False


def test_a_child_dies_when_its_parent_is_killed_outright() -> None:
    parent = subprocess.Popen([sys.executable, "-c", GRANDPARENT], stdout=subprocess.PIPE,
                              env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert not _gone(child, 0.2)
        assert os.getpgid(child) == child  # its own process group
        parent.send_signal(signal.SIGKILL)
        parent.wait(5)
        assert _gone(child, 3.0), "the child outlived its SIGKILLed parent"
    finally:
        parent.kill()
        parent.wait()


def test_stop_child_quits_then_kills() -> None:
    polite = children.spawn([sys.executable, "-c", "import sys; sys.stdin.readline(); "
                             "sys.exit(3)"], env=os.environ, cwd=Path("."), stdout=None,
                            stderr=None)
    assert children.stop_child(polite, timeout_s=5.0) == 3
    stubborn = children.spawn([sys.executable, "-c", "import time; time.sleep(60)"],
                              env=os.environ, cwd=Path("."), stdout=None, stderr=None)
    started = time.monotonic()
    assert children.stop_child(stubborn, timeout_s=0.3) == -signal.SIGKILL
    assert time.monotonic() - started < 5.0
    assert children.stop_child(stubborn) == -signal.SIGKILL  # idempotent


def test_stale_run_folders_are_swept(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale, live, making = (tmp_path / f"{RUN_PREFIX}{n}" for n in ("a", "b", "c"))
    for folder, pid in ((stale, dead.pid), (live, os.getpid())):
        folder.mkdir()
        (folder / OWNER_FILE).write_text(f"{pid}\n")
    making.mkdir()
    assert sweep_stale_runs(tmp_path) == [stale]
    assert not stale.exists() and live.exists() and making.exists()
