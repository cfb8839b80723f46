"""Look up exported symbols in an ELF64 shared library (the game's ``cgamex86_64.so``).

Reads the section headers, finds ``.dynsym`` and the string table it links to, and returns
the symbol's value (its address relative to the library's load base) and size. Only
little-endian ELF64 is read (x86-64 Linux, the platform OpenArena's Debian packages ship).
Facts used (the ELF64 format): the header holds ``e_shoff`` at byte 0x28, ``e_shentsize``,
``e_shnum`` at 0x3A / 0x3C; a section header is 64 bytes (``sh_type`` at 4, ``sh_offset``
at 0x18, ``sh_size`` at 0x20, ``sh_link`` at 0x28, ``sh_entsize`` at 0x38); ``SHT_DYNSYM``
is 11; a symbol is 24 bytes (``st_name`` u32, info, other, ``st_shndx`` u16, ``st_value``
u64, ``st_size`` u64).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from csgo_env.errors import GameError, explain

_SHT_DYNSYM = 11
_SECTION = struct.Struct("<IIQQQQIIQQ")
_SYMBOL = struct.Struct("<IBBHQQ")


@dataclass(frozen=True)
class Symbol:
    """An exported symbol: ``value`` is its offset from the library's load base (bytes)."""

    name: str
    value: int
    size: int


def _fail(path: Path, why: str) -> GameError:
    return GameError(explain(f"cannot read the symbols of {path}", expected="an x86-64 "
                             "ELF shared library with a dynamic symbol table", got=why,
                             fix="reinstall the game (scripts/setup_openarena.sh)"))


def find_symbol(path: str | Path, name: str) -> Symbol:
    """The defined dynamic symbol ``name`` of the library at ``path``, or :class:`GameError`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(path, f"{type(exc).__name__}: {exc}") from exc
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise _fail(path, "not a little-endian ELF64 file")
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    if shentsize != _SECTION.size or shoff + shnum * shentsize > len(data):
        raise _fail(path, "a truncated or unusual section header table")
    sections = [_SECTION.unpack_from(data, shoff + i * shentsize) for i in range(shnum)]
    wanted = name.encode()
    for section in sections:
        sh_type, sh_offset, sh_size, sh_link, sh_entsize = (section[1], section[4],
                                                             section[5], section[6],
                                                             section[9])
        if sh_type != _SHT_DYNSYM or sh_entsize != _SYMBOL.size or sh_link >= shnum:
            continue
        str_offset, str_size = sections[sh_link][4], sections[sh_link][5]
        strings = data[str_offset:str_offset + str_size]
        for i in range(sh_size // sh_entsize):
            st_name, _, _, shndx, value, size = _SYMBOL.unpack_from(data,
                                                                     sh_offset + i * sh_entsize)
            if shndx == 0:  # undefined here (imported)
                continue
            end = strings.find(b"\0", st_name)
            if strings[st_name:end] == wanted:
                return Symbol(name, value, size)
    raise _fail(path, f"no defined symbol {name!r}")
