"""The six file families of the public recordings: names, numbering and metadata files.

File numbers N start at 1 and are not zero-padded. Split rules and dataset ids build on
this in :mod:`csgo_env.datasets.minari.catalog`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from types import MappingProxyType

from csgo_env.errors import DatasetError, explain


@dataclass(frozen=True)
class Family:
    """One family of recordings.

    ``file_format`` builds a file name from its number N (``file_format.format(n=N)``);
    ``metadata_format`` builds the name of the metadata ``.npy`` covering files a..b.
    ``own_play``: recorded by the authors playing (their metadata logs the keys held,
    ``tp_wasd`` / ``tp_lclick``), not by spectating.
    """

    name: str
    map_name: str
    file_format: str
    metadata_format: str
    expected_files: int
    description: str
    own_play: bool = True

    @property
    def pattern(self) -> re.Pattern[str]:
        """Regex matching a bare file name of this family; group ``n`` is the number."""
        head, tail = self.file_format.split("{n}")
        return re.compile(rf"^{re.escape(head)}(?P<n>[1-9][0-9]*){re.escape(tail)}$")

    def file_name(self, n: int) -> str:
        """The file name of recording number ``n`` (n >= 1)."""
        if n < 1:
            raise ValueError(f"file numbers start at 1, got {n}")
        return self.file_format.format(n=n)

    def metadata_name(self, first: int, last: int) -> str:
        """The metadata file covering recordings ``first..last``."""
        return self.metadata_format.format(a=first, b=last)

    def number_of(self, path: str | PurePath) -> int | None:
        """The number N of a file of this family, or None if the name does not match."""
        m = self.pattern.match(PurePath(path).name)
        return int(m.group("n")) if m else None


FAMILIES: Mapping[str, Family] = MappingProxyType({f.name: f for f in (
    Family("dust2-scraped", "de_dust2", "hdf5_dm_july2021_{n}.hdf5",
           "currvarsv2_dm_july2021_{a}_to_{b}.npy", 5503,
           "dust2 deathmatch on online servers, recorded by spectating; actions inferred",
           own_play=False),
    Family("dust2-expert", "de_dust2", "hdf5_dm_july2021_expert_{n}.hdf5",
           "currvarsv2_dm_july2021_expert_{a}_to_{b}.npy", 190,
           "dust2 deathmatch, the authors' own play; clean action labels"),
    Family("aim-expert", "aim_map", "hdf5_aim_july2021_expert_{n}.hdf5",
           "currvarsv2_aim_july2021_expert_{a}_to_{b}.npy", 45,
           "aim map in aim mode, the authors' own play; clean action labels"),
    Family("nuke-expert", "de_nuke", "hdf5_dm_nuke_expert_{n}.hdf5",
           "currvarsv2_dm_nuke_expert_{a}_to_{b}.npy", 10,
           "nuke deathmatch, the authors' own play"),
    Family("mirage-expert", "de_mirage", "hdf5_dm_mirage_expert_{n}.hdf5",
           "currvarsv2_dm_mirage_expert_{a}_to_{b}.npy", 10,
           "mirage deathmatch, the authors' own play"),
    Family("inferno-expert", "de_inferno", "hdf5_dm_inferno_expert_{n}.hdf5",
           "currvarsv2_dm_inferno_expert_{a}_to_{b}.npy", 10,
           "inferno deathmatch, the authors' own play"),
)})


def get_family(name: str) -> Family:
    """Return the family called ``name``, with the valid names in the error."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise DatasetError(explain("unknown family", expected=f"one of {sorted(FAMILIES)}",
                                   got=repr(name))) from None


def family_of(path: str | PurePath) -> tuple[Family, int] | None:
    """(family, N) of a recording's file name, or None if it belongs to no family."""
    for family in FAMILIES.values():
        n = family.number_of(path)
        if n is not None:
            return family, n
    return None
