"""Find the byte ranges of the per-frame datasets by reading their HDF5 object headers.

Looking a dataset up through h5py costs about 50 us (a name search plus the Python
wrapper), as much as reading a whole screenshot. The public files are plain: superblock
v0, version-1 object headers, contiguous unfiltered data. So the reader lists every link
with its object header address in one sweep (``H5Literate``), then decodes the few header
messages it needs straight from the file: dataspace (shape), datatype (class, size, byte
order) and data layout (address and size of contiguous data).

Anything this decoder does not fully understand (another superblock or object header
version, compact or chunked layout, filters, external storage, an unusual float format)
yields ``None`` and the reader falls back to h5py for that dataset, so the decoder can
only make reads faster, never different.
"""

from __future__ import annotations

import io
import math
import os
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

import numpy as np

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_MSG_DATASPACE, _MSG_DATATYPE, _MSG_LAYOUT = 0x0001, 0x0003, 0x0008
_MSG_EXTERNAL, _MSG_FILTERS, _MSG_CONTINUATION = 0x0007, 0x000B, 0x0010
_IEEE_F64 = (0, 64, 52, 11, 0, 52, 1023)  # bit offset, precision, exp loc/size, mant loc/size, bias
_HEADER_READ = 512  # bytes read per object header (continuations are followed)


@dataclass(frozen=True)
class DatasetExtent:
    """A contiguous dataset: its shape, numpy dtype and the byte range of its data."""

    shape: tuple[int, ...]
    dtype: np.dtype
    address: int
    size: int


class HeaderDecoder:
    """Decodes version-1 object headers of a file with 8-byte offsets and lengths."""

    def __init__(self, raw: BinaryIO, file_size: int) -> None:
        self._raw = raw
        self._file_size = file_size

    @classmethod
    def open(cls, raw: BinaryIO, file_size: int) -> HeaderDecoder | None:
        """A decoder for the file, or None unless it has a superblock v0/v1 at byte 0."""
        decoder = cls(raw, file_size)
        head = decoder._bytes(0, 40)
        if len(head) < 40 or head[:8] != HDF5_SIGNATURE or head[8] not in (0, 1):
            return None
        if head[13] != 8 or head[14] != 8:  # sizes of offsets and lengths
            return None
        base_at = 24 if head[8] == 0 else 28
        (base,) = struct.unpack_from("<Q", head, base_at)
        return decoder if base == 0 else None

    def extent(self, address: int) -> DatasetExtent | None:
        """The dataset whose object header starts at ``address``, or None if not plain."""
        head = self._bytes(address, _HEADER_READ)
        if len(head) < 16 or head[0] != 1:
            return None
        count, _, size = struct.unpack_from("<HII", head, 2)
        blocks, found, seen = [(address + 16, size)], {}, 0
        while blocks and seen < count:
            start, length = blocks.pop(0)
            data = head[start - address:start - address + length] \
                if start + length <= address + len(head) else self._bytes(start, length)
            if len(data) < length:
                return None
            pos = 0
            while pos + 8 <= length and seen < count:
                kind, msg_size, flags = struct.unpack_from("<HHB", data, pos)
                body = data[pos + 8:pos + 8 + msg_size]
                seen += 1
                if kind == _MSG_CONTINUATION:
                    blocks.append(struct.unpack_from("<QQ", body))
                elif kind in (_MSG_EXTERNAL, _MSG_FILTERS) or flags & 0x02:  # 0x02: shared
                    return None
                else:
                    found[kind] = body
                pos += 8 + msg_size
        try:
            shape = _dataspace(found[_MSG_DATASPACE])
            dtype = _datatype(found[_MSG_DATATYPE])
            layout = _contiguous(found[_MSG_LAYOUT])
        except (KeyError, struct.error):
            return None
        if shape is None or dtype is None or layout is None:
            return None
        data_address, data_size = layout
        if data_size != dtype.itemsize * math.prod(shape):
            return None
        return DatasetExtent(shape, dtype, data_address, data_size)

    def _bytes(self, offset: int, length: int) -> bytes:
        length = max(0, min(length, self._file_size - offset))
        if hasattr(os, "pread"):
            return os.pread(self._raw.fileno(), length, offset)
        self._raw.seek(offset)
        return self._raw.read(length)


def _dataspace(body: bytes) -> tuple[int, ...] | None:
    version, rank, flags = body[0], body[1], body[2]
    if version == 1:
        dims_at = 8
    elif version == 2:
        if body[3] != 1:  # 1 = simple dataspace
            return None
        dims_at = 4
    else:
        return None
    del flags  # maximum dimensions, when present, follow the dimensions: not needed
    return tuple(struct.unpack_from(f"<{rank}Q", body, dims_at))


def _datatype(body: bytes) -> np.dtype | None:
    cls, bits0, sign_at = body[0] & 0x0F, body[1], body[2]
    (size,) = struct.unpack_from("<I", body, 4)
    if cls == 0 and size == 1 and not bits0 & 0x08:  # unsigned, 8 bits from bit 0
        return np.dtype(np.uint8) if struct.unpack_from("<HH", body, 8) == (0, 8) else None
    # float: little-endian (bits 0 and 6 clear), implied leading mantissa bit, sign bit 63
    if cls == 1 and size == 8 and not bits0 & 0x41 and bits0 & 0x30 == 0x20 and sign_at == 63:
        props = struct.unpack_from("<HHBBBBI", body, 8)
        return np.dtype("<f8") if props == _IEEE_F64 else None
    return None


def _contiguous(body: bytes) -> tuple[int, int] | None:
    if body[0] not in (3, 4) or body[1] != 1:  # layout message v3/v4, class contiguous
        return None
    address, size = struct.unpack_from("<QQ", body, 2)
    return (address, size) if address != 0xFFFFFFFFFFFFFFFF else None


def link_addresses(h5id: Any) -> dict[str, int]:
    """Every link name of the root group (``h5id``: its h5py ``GroupID``) with its object
    header address (-1 unless a hard link), in one H5Literate sweep."""
    import h5py

    out: dict[str, int] = {}

    def visit(name: bytes, info: Any) -> None:  # info: h5py's LinkInfo (untyped)
        hard = info.type == h5py.h5l.TYPE_HARD
        out[name.decode("utf-8", "replace")] = int(info.u) if hard else -1

    h5id.links.iterate(visit, info=True)
    return out


def pread_into(fd: int, raw: BinaryIO, buf: memoryview, offset: int) -> int:
    """Read ``len(buf)`` bytes at ``offset`` of file ``fd`` into ``buf``; returns the count
    read (short only at the end of the file). ``raw`` (the same file) serves where the
    platform has no ``preadv``."""
    total = 0
    while total < len(buf):
        if hasattr(os, "preadv"):
            got = os.preadv(fd, [buf[total:]], offset + total)
        else:  # Windows: no pread; the file object is private to its Recording
            raw.seek(offset + total)
            got = cast("io.RawIOBase", raw).readinto(buf[total:]) or 0
        if got == 0:
            break
        total += got
    return total


__all__ = ["DatasetExtent", "HeaderDecoder", "link_addresses", "pread_into"]
