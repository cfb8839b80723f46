"""Where recordings come from: files, folders, and the authors' ``.tar`` archives as streams.

A *unit* is what ``--shard k/N`` distributes: one recording file, or one whole archive (an
archive is read front to back exactly once, by one shard). Archives are opened in stream
mode (``tarfile`` ``"r|*"``, gzip/bz2/xz detected): members are copied one at a time to a
temporary file, hashing (sha256) as they stream, and nothing else is ever unpacked.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tarfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from csgo_env.datasets.pearce.families import family_of
from csgo_env.datasets.synthetic.recordings import SYNTHETIC_MARKER
from csgo_env.errors import DatasetError, DatasetNotFound, explain

BLOCK = 8 << 20
"""Bytes per read when streaming (8 MiB): memory held per member copy."""
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")


@dataclass(frozen=True)
class SourceUnit:
    """One file or archive to convert; ``size`` in bytes (for progress)."""

    path: Path
    kind: str  # "file" or "tar"
    size: int


@dataclass(frozen=True)
class StreamedMember:
    """A recording copied out of an archive: bare name, temp path, sha256 of its bytes;
    ``synthetic`` when a ``SYNTHETIC`` marker member earlier in the archive names it."""

    name: str
    path: Path
    sha256: str
    size: int
    synthetic: bool = False


def is_archive(path: Path) -> bool:
    """Whether ``path`` is named like a tar archive."""
    return path.name.endswith(TAR_SUFFIXES)


def collect_units(sources: Sequence[str | os.PathLike[str]]) -> tuple[list[SourceUnit],
                                                                       list[str]]:
    """Expand files, folders (searched recursively) and archives into sorted units.

    Recordings whose names belong to no family are left out and named in the second
    return value, as are later copies of a file name already seen (the split and the
    episode identity depend on the bare file name only).
    """
    units: dict[str, SourceUnit] = {}
    ignored: list[str] = []
    for src in sources:
        path = Path(src).expanduser()
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file()
                           and (p.suffix == ".hdf5" or is_archive(p)))
        elif path.is_file():
            found = [path]
        else:
            raise DatasetNotFound(explain("source not found", expected="a recording, a folder "
                                          "or a .tar archive", got=str(path)))
        for p in found:
            kind = "tar" if is_archive(p) else "file"
            if kind == "file" and family_of(p.name) is None:
                if path.is_file():
                    raise DatasetError(explain(
                        "file name belongs to no family of the public recordings",
                        expected="e.g. hdf5_dm_july2021_expert_12.hdf5", got=p.name,
                        fix="keep the authors' file names"))
                ignored.append(f"{p} (name of no family)")
                continue
            key = p.name
            if key in units:
                ignored.append(f"{p} (duplicate of {units[key].path})")
                continue
            units[key] = SourceUnit(p, kind, p.stat().st_size)
    return sorted(units.values(), key=_unit_key), ignored


def _unit_key(unit: SourceUnit) -> tuple[str, int, str]:
    found = family_of(unit.path.name)
    if found is None:
        return (unit.kind, 0, unit.path.name)
    return (found[0].name, found[1], unit.path.name)


def shard_units(units: Sequence[SourceUnit], shard: int, of: int) -> list[SourceUnit]:
    """Units of shard ``shard`` (1-based) of ``of``: every ``of``-th unit, in sorted order."""
    if not 1 <= shard <= of:
        raise DatasetError(explain("bad shard", expected="k/N with 1 <= k <= N",
                                   got=f"{shard}/{of}"))
    return [u for i, u in enumerate(units) if i % of == shard - 1]


def hash_file(path: Path) -> str:
    """sha256 hex digest of a file, read in 8 MiB blocks (hashlib releases the GIL)."""
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as fh:
        buf = bytearray(BLOCK)
        view = memoryview(buf)
        while n := fh.readinto(buf):
            digest.update(view[:n])
    return digest.hexdigest()


def stream_members(archive: Path, incoming: Callable[[str], Path | None],
                   on_bytes: Callable[[int], None] | None = None) -> Iterator[StreamedMember]:
    """Yield the recordings of ``archive`` one at a time, copied to temporary files.

    ``incoming(name)`` returns where to copy the member named ``name`` (bare name), or
    None to skip it (skipped members are read past, not copied). The caller owns (and
    deletes) each yielded file. ``on_bytes`` is told how many archive bytes went by.
    """
    try:
        tf = tarfile.open(archive, mode="r|*")  # noqa: SIM115 (closed by the with below)
    except (tarfile.TarError, OSError) as exc:
        raise DatasetError(explain("cannot read archive", expected="a tar file", got=f"{archive}: "
                                   f"{exc}", fix="check the download (size, checksum)")) from exc
    marked: set[str] = set()
    with tf:
        try:
            for member in tf:
                if on_bytes is not None:
                    on_bytes(member.size)
                name = PurePosixPath(member.name).name
                if member.isfile() and name == SYNTHETIC_MARKER and member.size < 1 << 20:
                    marked |= _marker_names(tf, member)
                if not member.isfile() or family_of(name) is None:
                    continue
                target = incoming(name)
                if target is None:
                    continue
                copied = _copy_member(tf, member, name, target)
                yield dataclasses.replace(copied, synthetic=bool(marked & {name, "*"}))
        except tarfile.TarError as exc:
            raise DatasetError(explain("archive is truncated or damaged", got=f"{archive}: {exc}",
                                       fix="download it again; converted members are kept")) \
                from exc


def _marker_names(tf: tarfile.TarFile, member: tarfile.TarInfo) -> set[str]:
    """File names listed by a synthetic-data marker inside an archive (JSON ``files``)."""
    fh = tf.extractfile(member)
    try:
        names = json.loads(fh.read().decode("utf-8"))["files"] if fh else []
        return {str(n) for n in names}
    except (ValueError, KeyError, TypeError):
        return {"*"}


def _copy_member(tf: tarfile.TarFile, member: tarfile.TarInfo, name: str,
                 target: Path) -> StreamedMember:
    src = tf.extractfile(member)
    if src is None:
        raise DatasetError(explain("archive member has no data", got=member.name))
    digest = hashlib.sha256()
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    try:
        with src, open(target, "wb") as out:
            while block := src.read(BLOCK):
                digest.update(block)
                out.write(block)
                size += len(block)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return StreamedMember(name, target, digest.hexdigest(), size)
