"""The bits of one server message: Huffman-coded bytes, read as ioquake3 reads them.

A message's payload is coded with the engine's fixed adaptive Huffman code (``q3huff2``
implements it); an ``n``-bit read takes ``n % 8`` raw bits, then whole bytes through the
code. :class:`MessageBits` adds what the engine's readers add on top: signed fields,
floats from their bits, the delta-compressed float forms, and a guard against reading
past the message's end (``q3huff2`` returns -1 bytes there).
"""

from __future__ import annotations

import struct
from typing import Any

from csgo_env._optional import require
from csgo_env.datasets.openarena.net_fields import FLOAT_INT_BIAS, FLOAT_INT_BITS


class MessageOverrun(ValueError):
    """A read went past the end of a message (a truncated or misparsed message)."""


def _bits_to_float(value: int) -> float:
    return float(struct.unpack("<f", struct.pack("<I", value & 0xFFFFFFFF))[0])


class MessageBits:
    """Reader over one message's ``payload`` bytes (as stored in the demo file)."""

    def __init__(self, payload: bytes) -> None:
        huff = require("q3huff2", extra="openarena", purpose="reading OpenArena demos")
        self._reader: Any = huff.Reader(payload)
        self._size = len(payload)

    def bits(self, count: int) -> int:
        """An unsigned ``count``-bit value (``count`` < 32), or the signed 32-bit value."""
        return int(self._reader.read_bits(count))

    def signed(self, count: int) -> int:
        """A two's-complement ``count``-bit value."""
        value = self.bits(count) & ((1 << count) - 1)
        return value - (1 << count) if value & (1 << (count - 1)) else value

    def byte(self) -> int:
        """One byte 0..255; :class:`MessageOverrun` past the end."""
        value = int(self._reader.read_byte())
        if value < 0:
            raise MessageOverrun(f"read past the end of a {self._size}-byte message")
        return value

    def short(self) -> int:
        """A signed 16-bit value."""
        return self.signed(16)

    def long(self) -> int:
        """A signed 32-bit value."""
        return int(self._reader.read_long())

    def raw_float(self) -> float:
        """A float sent as its 32 bits."""
        return _bits_to_float(self.bits(32))

    def data(self, count: int) -> bytes:
        """``count`` bytes."""
        return bytes(self.byte() for _ in range(count))

    def string(self) -> str:
        """A zero-terminated string (the engine's ``MSG_ReadBigString``: up to 8192
        characters; ``%`` is read as ``.`` as the engine does)."""
        chars = bytearray()
        while True:
            value = self.byte()
            if value == 0:
                break
            chars.append(ord(".") if value == ord("%") else value)
        return chars.decode("latin-1")

    def player_float(self) -> float:
        """A changed float of a player state: a biased 13-bit integer or raw bits."""
        if self.bits(1) == 0:
            return float(self.bits(FLOAT_INT_BITS) - FLOAT_INT_BIAS)
        return self.raw_float()

    def entity_float(self) -> float:
        """A changed float of an entity state: zero, a biased 13-bit integer, or raw bits."""
        if self.bits(1) == 0:
            return 0.0
        return self.player_float()
