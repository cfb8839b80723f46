"""The framing of an ioquake3 demo file (``.dm_71``) into server messages.

A demo is a sequence of records ``[sequence: int32 LE][length: int32 LE][payload]``: the
server message number and the message as the client received it (after the network
channel's header, before Huffman decoding). A length of -1 (and sequence -1) ends the
demo; a demo without it (the client was stopped without ``stoprecord``) is read up to
its last whole record, and a record cut short is an error.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from csgo_env.errors import RecordingCorrupt, explain

MAX_MSGLEN = 16384
"""The engine's largest message (bytes); a longer record is a corrupt file."""
_HEADER = struct.Struct("<ii")


@dataclass(frozen=True)
class DemoMessage:
    """One record: ``sequence`` (server message number), ``payload`` (coded bytes) and
    ``offset`` (byte offset of the record in the file, for error messages)."""

    sequence: int
    payload: bytes
    offset: int


def iter_messages(path: str | Path) -> Iterator[DemoMessage]:
    """The messages of the demo at ``path`` in file order.

    Raises :class:`RecordingCorrupt` for a record whose length is negative (other than
    the end marker) or above :data:`MAX_MSGLEN`, or whose payload is cut short.
    """
    data = Path(path).read_bytes()
    offset = 0
    while offset + _HEADER.size <= len(data):
        sequence, length = _HEADER.unpack_from(data, offset)
        if length == -1:
            return
        if not 0 <= length <= MAX_MSGLEN:
            raise RecordingCorrupt(explain(
                "a demo record has an impossible length", expected=f"0..{MAX_MSGLEN} "
                "bytes (or -1 at the end)", got=f"{length} at byte {offset}",
                fix="the file is not an ioquake3 demo or is damaged; record it again"),
                path=str(path))
        start = offset + _HEADER.size
        if start + length > len(data):
            raise RecordingCorrupt(explain(
                "a demo record is cut short", expected=f"{length} bytes from byte {start}",
                got=f"{len(data) - start}", fix="the recording was interrupted; use the "
                "messages before it or record again"), path=str(path))
        yield DemoMessage(sequence, data[start:start + length], offset)
        offset = start + length
