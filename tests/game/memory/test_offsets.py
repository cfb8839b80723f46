"""Offsets loaders: hazedumper and cs2-dumper files written by the tests, and bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csgo_env.errors import OffsetsFileError, UnknownGame
from csgo_env.game.memory.offsets import load_offsets, write_hazedumper_json
from csgo_env.standin.memory_image import REPLAY_NETVARS, REPLAY_SIGNATURES, write_replay_offsets
from tests.support.offsets import (
    CS2_BUILD,
    CS2_CLASSES,
    CS2_MODULE_OFFSETS,
    CS2_TIMESTAMP,
    CSGO_NETVARS,
    CSGO_SIGNATURES,
    CSGO_TIMESTAMP,
    write_cs2_dumper,
    write_hazedumper,
    write_json,
)


@pytest.mark.parametrize("point_at", ["file", "folder"])
def test_hazedumper_file_or_folder(tmp_path: Path, point_at: str) -> None:
    path = write_hazedumper(tmp_path)
    offsets = load_offsets(path if point_at == "file" else tmp_path, game="csgo")
    assert offsets.game == "csgo" and offsets.format == "hazedumper"
    assert dict(offsets.values) == {**CSGO_SIGNATURES, **CSGO_NETVARS}
    assert offsets["dwLocalPlayer"] == 0x00C1_2340 and offsets["m_iHealth"] == 0x100
    assert offsets.build is None and offsets.timestamp == CSGO_TIMESTAMP
    assert offsets.source == path
    assert hash(offsets) == hash(load_offsets(path))  # usable as a cache key
    assert "hazedumper" in offsets.describe() and "2023-07-22" in offsets.describe()


def test_replay_game_uses_the_csgo_format(tmp_path: Path) -> None:
    offsets = load_offsets(write_replay_offsets(tmp_path / "replay.json"), game="replay")
    assert dict(offsets.values) == {**REPLAY_SIGNATURES, **REPLAY_NETVARS}
    written = write_hazedumper_json(tmp_path / "x.json", {"a": 1}, {"b": 2}, timestamp=5)
    assert json.loads(written.read_text()) == {"timestamp": 5, "signatures": {"a": 1},
                                               "netvars": {"b": 2}}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["replay.json", "x.json"]  # no temps


@pytest.mark.parametrize("point_at", ["folder", "offsets.json", "client_dll.json", "info.json"])
def test_cs2_dumper_any_file_or_folder(tmp_path: Path, point_at: str) -> None:
    folder = write_cs2_dumper(tmp_path / "output")
    target = folder if point_at == "folder" else folder / point_at
    offsets = load_offsets(target, game="cs2")
    assert offsets.game == "cs2" and offsets.format == "cs2-dumper"
    assert offsets.build == CS2_BUILD and offsets.timestamp == CS2_TIMESTAMP
    assert offsets.source == folder
    client = CS2_MODULE_OFFSETS["client.dll"]
    assert offsets["dwLocalPlayerPawn"] == client["dwLocalPlayerPawn"]
    assert offsets["client.dll:dwViewAngles"] == client["dwViewAngles"]
    # a name present in two modules is kept only module-qualified
    assert offsets.get("dwBuildNumber") is None
    assert offsets["engine2.dll:dwBuildNumber"] == 0x0052_0C34
    assert offsets["C_BaseEntity.m_iHealth"] == CS2_CLASSES["C_BaseEntity"]["fields"]["m_iHealth"]
    assert offsets.parents["C_CSPlayerPawn"] == "C_CSPlayerPawnBase"


def test_cs2_parent_folder_with_output_subfolder(tmp_path: Path) -> None:
    write_cs2_dumper(tmp_path / "output")
    assert load_offsets(tmp_path).build == CS2_BUILD


def test_inherited_field_lookup(tmp_path: Path) -> None:
    offsets = load_offsets(write_cs2_dumper(tmp_path))
    assert offsets.field("C_CSPlayerPawn", "m_iHealth") == 0x334  # declared on C_BaseEntity
    assert offsets.field("C_CSPlayerPawn", "m_pCameraServices") == 0x1138
    assert offsets.find_field("C_CSPlayerPawn", "m_nope") is None
    with pytest.raises(OffsetsFileError, match=r"C_CSPlayerPawn\.m_nope.*Fix: dump offsets"):
        offsets.field("C_CSPlayerPawn", "m_nope")
    with pytest.raises(OffsetsFileError, match="'dwNope' is missing"):
        offsets["dwNope"]


def test_linux_schema_name_and_missing_info(tmp_path: Path) -> None:
    folder = write_cs2_dumper(tmp_path, build=None, schema_name="libclient_so.json")
    offsets = load_offsets(folder)
    assert offsets.build is None and offsets.timestamp is None
    assert offsets.field("C_CSPlayerPawn", "m_vecAbsVelocity") == 0x3F0


def _bad(tmp_path: Path, name: str, content: object) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content)
    else:
        write_json(path, content)
    return path


@pytest.mark.parametrize(("content", "words"), [
    ("{not json", "got Expecting property name enclosed in double quotes at line 1 column 2"),
    ({"foo": 1}, "unknown offsets format"),
    ([1, 2], "unknown offsets format"),
    ({"timestamp": 1, "signatures": {"dwLocalPlayer": "0xDEA98C"}, "netvars": {}},
     "signatures.dwLocalPlayer is not an offset"),
    ({"timestamp": 1, "signatures": {"x": -4}, "netvars": {}}, "not an offset"),
    ({"timestamp": 1, "signatures": {"x": True}, "netvars": {}}, "not an offset"),
    ({"timestamp": 1, "signatures": [], "netvars": {}}, "signatures is not an object"),
    ({"timestamp": 1, "signatures": {"x": 1}, "netvars": {"x": 2}}, "in both"),
])
def test_bad_files_say_expected_got_fix(tmp_path: Path, content: object, words: str) -> None:
    with pytest.raises(OffsetsFileError) as err:
        load_offsets(_bad(tmp_path, "csgo.json", content))
    message = str(err.value)
    assert words in message and "Fix: dump offsets" in message and "offsets=PATH" in message


def test_missing_paths_and_wrong_game(tmp_path: Path) -> None:
    with pytest.raises(OffsetsFileError, match="does not exist"):
        load_offsets(tmp_path / "nope.json")
    (tmp_path / "empty").mkdir()
    with pytest.raises(OffsetsFileError, match="no offsets file in folder"):
        load_offsets(tmp_path / "empty")
    hz = write_hazedumper(tmp_path / "hz")
    with pytest.raises(OffsetsFileError, match=r"wrong game.*cs2-dumper format.*hazedumper"):
        load_offsets(hz, game="cs2")
    with pytest.raises(UnknownGame, match="unknown game"):
        load_offsets(hz, game="quake")
    folder = write_cs2_dumper(tmp_path / "cs2")
    (folder / "client_dll.json").unlink()
    with pytest.raises(OffsetsFileError, match="client schema file missing"):
        load_offsets(folder)
    write_json(folder / "client_dll.json", {"client.dll": {"nope": 1}})
    with pytest.raises(OffsetsFileError, match="not a cs2-dumper schema"):
        load_offsets(folder)
    write_cs2_dumper(folder)
    write_json(folder / "info.json", {"build_number": "14101"})
    with pytest.raises(OffsetsFileError, match="bad build_number"):
        load_offsets(folder)
