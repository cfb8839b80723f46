"""GSI cfg writing, KeyValues parsing and Steam library discovery on fake Steam folder trees."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from csgo_env import cli
from csgo_env.commands import gsi_config_cmd
from csgo_env.errors import GSIConfigError
from csgo_env.game.gsi import steam_paths
from csgo_env.game.gsi.cfg import (
    DATA_SECTIONS,
    find_cfg_dirs,
    new_token,
    read_gsi_config,
    render_gsi_config,
    write_gsi_config,
)
from csgo_env.game.gsi.steam_paths import format_keyvalues, parse_keyvalues
from csgo_env.game.profiles import CS2, CSGO

GAME = "steamapps/common/Counter-Strike Global Offensive"


def _vdf_path(p: Path) -> str:
    return str(p).replace("\\", "\\\\")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty home folder: no Steam anywhere until a test makes one."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    return home


@pytest.fixture
def steam(home: Path, tmp_path: Path) -> dict[str, Path]:
    """Steam in ~/.local/share/Steam with CS:GO, plus a second library holding CS2."""
    root = home / ".local" / "share" / "Steam"
    lib2 = tmp_path / "games" / "SteamLibrary"
    csgo_cfg = root / GAME / "csgo" / "cfg"
    cs2_cfg = lib2 / GAME / "game" / "csgo" / "cfg"
    for folder in (csgo_cfg, cs2_cfg):
        folder.mkdir(parents=True)
    (root / "steamapps" / "libraryfolders.vdf").write_text(f'''"libraryfolders"
{{
\t"0"
\t{{
\t\t"path"\t\t"{_vdf_path(root)}"
\t\t"label"\t\t""
\t\t"apps" {{ "730" "35412345678" }}
\t}}
\t"1"
\t{{
\t\t"path"\t\t"{_vdf_path(lib2)}"
\t\t"apps" {{ "730" "1" }}
\t}}
}}
''')
    (home / ".steam").mkdir()
    (home / ".steam" / "steam").symlink_to(root)  # same Steam twice: must be found once
    return {"root": root, "lib2": lib2, "csgo_cfg": csgo_cfg, "cs2_cfg": cs2_cfg}


def test_finds_cfg_dirs_across_libraries(steam: dict[str, Path]) -> None:
    assert steam_paths.steam_roots() == [steam["root"].resolve()]
    assert steam_paths.all_library_folders() == [steam["root"].resolve(),
                                                 steam["lib2"].resolve()]
    assert find_cfg_dirs("csgo") == [steam["csgo_cfg"].resolve()]
    assert find_cfg_dirs(CS2) == [steam["cs2_cfg"].resolve()]


def test_old_libraryfolders_format(home: Path, tmp_path: Path) -> None:
    root = home / ".steam" / "steam"
    lib = tmp_path / "D" / "SteamLibrary"
    (lib / GAME / "csgo" / "cfg").mkdir(parents=True)
    (root / "steamapps").mkdir(parents=True)
    (root / "steamapps" / "libraryfolders.vdf").write_text(
        '"LibraryFolders"\n{\n\t"TimeNextStatsReport"\t\t"1690000000"\n'
        '\t"ContentStatsID"\t\t"-123"\n'
        f'\t"1"\t\t"{_vdf_path(lib)}"\n}}\n')
    assert find_cfg_dirs(CSGO) == [(lib / GAME / "csgo" / "cfg").resolve()]


def test_broken_libraryfolders_is_skipped_and_logged(
        home: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = home / ".local" / "share" / "Steam"
    (root / GAME / "csgo" / "cfg").mkdir(parents=True)
    (root / "steamapps" / "libraryfolders.vdf").write_text('"libraryfolders" { "0" { "path" ')
    assert find_cfg_dirs("csgo") == [(root / GAME / "csgo" / "cfg").resolve()]
    assert any("libraryfolders.vdf" in r.getMessage() for r in caplog.records)


def test_no_steam_finds_nothing(home: Path) -> None:
    assert steam_paths.steam_roots() == []
    assert find_cfg_dirs("cs2") == []
    with pytest.raises(GSIConfigError, match="no GSI cfg folder"):
        find_cfg_dirs("replay")


@pytest.mark.windows_os_call_replaced
def test_windows_registry_steam_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry value is read through winreg; only winreg itself is replaced."""
    root = tmp_path / "Steam"
    (root / GAME / "game" / "csgo" / "cfg").mkdir(parents=True)
    calls: list[tuple[object, ...]] = []

    class Key:
        def __enter__(self) -> Key:
            return self

        def __exit__(self, *exc: object) -> None:
            calls.append(("close",))

    def open_key(hive: object, sub_key: str) -> Key:
        calls.append(("OpenKey", hive, sub_key))
        return Key()

    def query_value_ex(key: Key, name: str) -> tuple[str, int]:
        calls.append(("QueryValueEx", name))
        return str(root).replace("\\", "/"), 1  # Steam stores forward slashes, REG_SZ

    fake = types.ModuleType("winreg")
    fake.HKEY_CURRENT_USER = "HKCU"  # type: ignore[attr-defined]
    fake.OpenKey = open_key  # type: ignore[attr-defined]
    fake.QueryValueEx = query_value_ex  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "winreg", fake)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("PROGRAMFILES(X86)", str(tmp_path / "nowhere"))
    assert find_cfg_dirs("cs2") == [(root / GAME / "game" / "csgo" / "cfg").resolve()]
    assert ("OpenKey", "HKCU", r"Software\Valve\Steam") in calls
    assert ("QueryValueEx", "SteamPath") in calls and ("close",) in calls

    def missing(hive: object, sub_key: str) -> Key:
        raise FileNotFoundError(2, "The system cannot find the file specified")

    fake.OpenKey = missing  # type: ignore[attr-defined]
    monkeypatch.setenv("PROGRAMFILES(X86)", str(tmp_path))  # falls back to <ProgramFiles>/Steam
    assert steam_paths.steam_roots() == [root.resolve()]


def test_keyvalues_parser() -> None:
    text = ('// comment\n"a"\n{\n  "quoted \\"q\\""  "C:\\\\Games\\\\Steam"\n'
            '  unquoted value // trailing comment\n  "cond" "1" [$WIN32]\n'
            '  "nested" { "k" "v" }\n  "dup" "1"\n  "dup" "2"\n}\n')
    assert parse_keyvalues(text) == {"a": {'quoted "q"': "C:\\Games\\Steam",
                                           "unquoted": "value", "cond": "1",
                                           "nested": {"k": "v"}, "dup": "2"}}
    data = {"x": {"uri": 'a"b\\c', "sub": {"t": "1"}}}
    assert parse_keyvalues(format_keyvalues(data)) == data


@pytest.mark.parametrize(("text", "line"), [('"a" {\n"b" "c"\n', "ends inside"),
                                            ('"a" "b"\n}\n', "line 2"),
                                            ('"a"\n"b" "unterminated', "line 2"),
                                            ('{ "a" "b" }', "line 1"),
                                            ('"a" { "k" }', "line 1")])
def test_keyvalues_syntax_errors_name_the_line(text: str, line: str) -> None:
    with pytest.raises(GSIConfigError, match=line):
        parse_keyvalues(text)


def test_write_then_read_back(tmp_path: Path) -> None:
    path, token = write_gsi_config(tmp_path, port=3123)
    assert path == tmp_path / "gamestate_integration_csgo_env.cfg"
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    block = read_gsi_config(path)
    assert block == {"uri": "http://127.0.0.1:3123/", "timeout": "5.0", "buffer": "0.0",
                     "throttle": "0.0", "heartbeat": "10.0", "auth": {"token": token},
                     "data": {s: "1" for s in DATA_SECTIONS}}
    assert set(DATA_SECTIONS) == {"provider", "map", "round", "player_id", "player_state",
                                  "player_weapons", "player_match_stats"}
    assert parse_keyvalues(path.read_text()).keys() == {"csgo_env"}
    # writing again replaces the file whole with a new token, and leaves no temp files
    path2, token2 = write_gsi_config(tmp_path, port=3123)
    assert path2 == path and token2 != token
    assert read_gsi_config(path)["auth"] == {"token": token2}
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_explicit_token_and_name(tmp_path: Path) -> None:
    path, token = write_gsi_config(tmp_path, token="abc-123", name="bench", host="localhost")
    assert token == "abc-123" and path.name == "gamestate_integration_bench.cfg"
    assert read_gsi_config(path)["uri"] == "http://localhost:3000/"


@pytest.mark.parametrize("kwargs", [{"port": 0}, {"port": 70000}, {"port": True},
                                    {"token": 'a"b'}, {"token": "has space"}, {"token": ""},
                                    {"name": "../evil"}, {"host": "a b"}])
def test_bad_settings_write_nothing(tmp_path: Path, kwargs: dict) -> None:
    with pytest.raises(GSIConfigError, match="expected"):
        write_gsi_config(tmp_path, **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GSIConfigError, match="Fix: launch the game once"):
        write_gsi_config(tmp_path / "absent")


def test_new_token_is_fresh() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100 and all(re.fullmatch(r"[0-9a-f]{32}", t) for t in tokens)


def _run_cmd(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    gsi_config_cmd.add_arguments(parser)
    return gsi_config_cmd.run(parser.parse_args(argv))


def test_command_writes_into_found_folder(steam: dict[str, Path],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert _run_cmd(["--game", "cs2", "--port", "3005", "--token", "T0K"]) == 0
    out = capsys.readouterr().out
    cfg = steam["cs2_cfg"].resolve() / "gamestate_integration_csgo_env.cfg"
    assert f"wrote {cfg}" in out and "token: T0K" in out and "Restart the game" in out
    assert 'gsi_port=3005, gsi_token="T0K"' in out
    assert read_gsi_config(cfg)["uri"] == "http://127.0.0.1:3005/"
    assert not (steam["csgo_cfg"] / cfg.name).exists()


def test_command_cfg_dir_and_print(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run_cmd(["--cfg-dir", str(tmp_path)]) == 0
    token = re.search(r"token: ([0-9a-f]{32})", capsys.readouterr().out).group(1)
    assert read_gsi_config(tmp_path / "gamestate_integration_csgo_env.cfg")["auth"] == {
        "token": token}
    assert _run_cmd(["--print", "--token", "abc", "--port", "4000"]) == 0
    captured = capsys.readouterr()
    assert captured.out == render_gsi_config(port=4000, token="abc")
    assert "token: abc" in captured.err


def test_command_without_steam_fails_clearly(home: Path) -> None:
    assert "gsi_config_cmd" in cli.COMMAND_MODULES and gsi_config_cmd.NAME == "gsi-config"
    with pytest.raises(GSIConfigError, match="--cfg-dir"):
        _run_cmd(["--game", "csgo"])
    with pytest.raises(GSIConfigError, match=r"1\.\.65535"):
        _run_cmd(["--cfg-dir", str(home), "--port", "0"])
    assert list(home.iterdir()) == []


def test_cli_end_to_end(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "csgo_env.cli", "gsi-config", "--cfg-dir",
                           str(tmp_path), "--port", "3999"], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert read_gsi_config(tmp_path / "gamestate_integration_csgo_env.cfg")["uri"] == \
        "http://127.0.0.1:3999/"
    done = subprocess.run([sys.executable, "-m", "csgo_env.cli", "gsi-config", "--game", "cs2"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2 and "no Counter-Strike 2 cfg folder found" in done.stderr
