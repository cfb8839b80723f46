"""Demo framing and message decoding on hand-built files (no game needed)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from csgo_env.datasets.openarena.demo_file import iter_messages
from csgo_env.datasets.openarena.demo_reader import read_demo
from csgo_env.errors import RecordingCorrupt


def test_framing_reads_records_until_end_marker(tmp_path: Path) -> None:
    path = tmp_path / "a.dm_71"
    path.write_bytes(struct.pack("<ii", 7, 3) + b"abc" + struct.pack("<ii", -1, -1) + b"zz")
    messages = list(iter_messages(path))
    assert [(m.sequence, m.payload, m.offset) for m in messages] == [(7, b"abc", 0)]


def test_cut_short_record_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "cut.dm_71"
    path.write_bytes(struct.pack("<ii", 7, 30) + b"abc")
    with pytest.raises(RecordingCorrupt, match="cut short"):
        list(iter_messages(path))


def test_impossible_length_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "big.dm_71"
    path.write_bytes(struct.pack("<ii", 7, 1 << 20))
    with pytest.raises(RecordingCorrupt, match="impossible length"):
        list(iter_messages(path))


def test_undecodable_message_names_its_offset(tmp_path: Path) -> None:
    q3huff2 = pytest.importorskip("q3huff2")
    writer = q3huff2.Writer()
    writer.write_long(0)
    writer.write_byte(99)  # no such opcode
    payload = bytes(writer.data)
    path = tmp_path / "bad.dm_71"
    path.write_bytes(struct.pack("<ii", 1, len(payload)) + payload)
    with pytest.raises(RecordingCorrupt, match="opcode 99"):
        read_demo(path)
