"""Offsets files: hazedumper ``csgo.json`` (CS:GO) and cs2-dumper output (CS2), one object.

Offsets are data, never code: users dump them for their game build and pass
``offsets=PATH``. :func:`load_offsets` takes a file or a folder and detects the format from
the content:

* hazedumper ``csgo.json``: ``{"timestamp": int, "signatures": {name: int},
  "netvars": {name: int}}``. Values land in :attr:`Offsets.values` under their own names
  (``dwLocalPlayer``, ``m_iHealth``). No build number.
* cs2-dumper folder: ``offsets.json`` ``{module: {name: int}}`` -> ``"client.dll:dwViewAngles"``
  and, when the name is unique across modules, ``"dwViewAngles"``; ``client_dll.json``
  (``libclient_so.json`` on Linux) ``{module: {"classes": {Class: {"fields": {name: int},
  "parent": Class | null}}}}`` -> ``"Class.field"``, with :attr:`Offsets.parents` for
  inherited lookups (:meth:`Offsets.field`); ``info.json`` ``{"build_number": int,
  "timestamp": ISO string}`` -> :attr:`Offsets.build`, :attr:`Offsets.timestamp`.

All numbers are byte offsets (decimal integers in the files).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from csgo_env._atomic import atomic_write_text
from csgo_env.errors import OffsetsFileError, explain
from csgo_env.game.profiles import get_profile

DUMP_FIX = ("dump offsets for your game build (CS:GO: hazedumper -> csgo.json; CS2: "
            "cs2-dumper -> its output folder) and pass offsets=PATH")
_SCHEMA_FILES = ("client_dll.json", "libclient_so.json")


@dataclass(frozen=True)
class Offsets:
    """Offsets of one game build, with where they came from.

    ``values`` maps names to byte offsets (see the module docstring for the naming).
    ``build`` is the game build the dump was made for (cs2-dumper ``info.json``; ``None``
    for hazedumper). ``timestamp`` is the dump time in Unix seconds, ``source`` the file or
    folder read, ``parents`` the schema class hierarchy (cs2-dumper only).
    """

    game: Literal["csgo", "cs2"]
    values: Mapping[str, int] = field(hash=False)
    build: int | None
    timestamp: int | None
    source: Path
    format: str = "hazedumper"
    parents: Mapping[str, str | None] = field(default_factory=dict, hash=False)

    def describe(self) -> str:
        """One line of provenance for messages and ``info``."""
        when = (datetime.fromtimestamp(self.timestamp, timezone.utc).strftime("%Y-%m-%d")
                if self.timestamp is not None else "unknown date")
        build = f"build {self.build}" if self.build is not None else "no build number"
        return f"{self.format} offsets from {self.source} ({when}, {build})"

    def get(self, name: str) -> int | None:
        return self.values.get(name)

    def __getitem__(self, name: str) -> int:
        try:
            return self.values[name]
        except KeyError:
            raise OffsetsFileError(explain(
                f"offset {name!r} is missing from {self.describe()}", expected=name,
                got=f"{len(self.values)} other names", fix=DUMP_FIX)) from None

    def find_field(self, cls: str, name: str) -> int | None:
        """Offset of field ``name`` of schema class ``cls`` or its nearest ancestor."""
        seen = set()
        current: str | None = cls
        while current is not None and current not in seen:
            seen.add(current)
            value = self.values.get(f"{current}.{name}")
            if value is not None:
                return value
            current = self.parents.get(current)
        return None

    def field(self, cls: str, name: str) -> int:
        """Like :meth:`find_field` but raises :class:`OffsetsFileError` when absent."""
        value = self.find_field(cls, name)
        if value is None:
            raise OffsetsFileError(explain(
                f"field {cls}.{name} (or an inherited one) is missing from {self.describe()}",
                expected=f"{cls}.{name}", got="no such field in the schema", fix=DUMP_FIX))
        return value


def _bad(path: Path, problem: str, *, expected: str, got: str) -> OffsetsFileError:
    return OffsetsFileError(explain(f"{problem} in {path}", expected=expected, got=got,
                                    fix=DUMP_FIX))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _bad(path, "file missing", expected="an existing file", got="nothing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(path, "unreadable file", expected="a UTF-8 JSON file", got=str(exc)) from exc
    except json.JSONDecodeError as exc:
        raise _bad(path, "invalid JSON", expected="a JSON object",
                   got=f"{exc.msg} at line {exc.lineno} column {exc.colno}") from exc


def _ints(path: Path, where: str, table: Any) -> dict[str, int]:
    if not isinstance(table, dict):
        raise _bad(path, f"{where} is not an object", expected="{name: int}",
                   got=type(table).__name__)
    for name, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _bad(path, f"{where}.{name} is not an offset",
                       expected="a non-negative integer", got=repr(value))
    return dict(table)


def _unix_time(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$",
                     value.strip())
        if m:
            text = m.group(1) + "." + (m.group(2) or "0")[:6].ljust(6, "0")
            tz = m.group(3) or "+00:00"
            return int(datetime.fromisoformat(text + ("+00:00" if tz == "Z" else tz))
                       .timestamp())
    return None


def _hazedumper(path: Path, data: dict[str, Any]) -> Offsets:
    signatures = _ints(path, "signatures", data["signatures"])
    netvars = _ints(path, "netvars", data["netvars"])
    clash = sorted(n for n in set(signatures) & set(netvars) if signatures[n] != netvars[n])
    if clash:
        raise _bad(path, "names in both signatures and netvars", expected="distinct names",
                   got=", ".join(clash))
    timestamp = data.get("timestamp")
    return Offsets(game="csgo", values=MappingProxyType({**signatures, **netvars}),
                   build=None, timestamp=_unix_time(timestamp), source=path,
                   format="hazedumper")


def _is_module_table(data: Any) -> bool:
    return (isinstance(data, dict) and bool(data)
            and all(k.endswith((".dll", ".so")) and isinstance(v, dict)
                    and "classes" not in v for k, v in data.items()))


def _cs2_dumper(folder: Path) -> Offsets:
    offsets_path = folder / "offsets.json"
    modules = _read_json(offsets_path)
    if not _is_module_table(modules):
        raise _bad(offsets_path, "not a cs2-dumper offsets.json",
                   expected='{"client.dll": {name: int}, ...}', got=_shape(modules))
    values: dict[str, int] = {}
    seen: dict[str, int] = {}
    for module, table in modules.items():
        for name, value in _ints(offsets_path, module, table).items():
            values[f"{module}:{name}"] = value
            seen[name] = seen.get(name, 0) + 1
            values.setdefault(name, value)
    for name, count in seen.items():
        if count > 1:
            del values[name]  # ambiguous: only the module-qualified names remain
    parents: dict[str, str | None] = {}
    schema = next((folder / n for n in _SCHEMA_FILES if (folder / n).is_file()), None)
    if schema is None:
        raise _bad(folder, "client schema file missing",
                   expected=" or ".join(_SCHEMA_FILES), got="neither file")
    schema_data = _read_json(schema)
    if not isinstance(schema_data, dict) or not all(
            isinstance(v, dict) and isinstance(v.get("classes"), dict)
            for v in schema_data.values()):
        raise _bad(schema, "not a cs2-dumper schema file",
                   expected='{"client.dll": {"classes": {...}}}', got=_shape(schema_data))
    for module in schema_data.values():
        for cls, body in module["classes"].items():
            if not isinstance(body, dict):
                raise _bad(schema, f"class {cls} is not an object", expected="an object",
                           got=type(body).__name__)
            for name, value in _ints(schema, f"{cls}.fields", body.get("fields", {})).items():
                values[f"{cls}.{name}"] = value
            parents[cls] = body.get("parent")
    build = timestamp = None
    info_path = folder / "info.json"
    if info_path.is_file():
        info = _read_json(info_path)
        raw = info.get("build_number") if isinstance(info, dict) else None
        if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int)):
            raise _bad(info_path, "bad build_number", expected="an integer", got=repr(raw))
        build = raw
        timestamp = _unix_time(info.get("timestamp"))
    return Offsets(game="cs2", values=MappingProxyType(values), build=build,
                   timestamp=timestamp, source=folder, format="cs2-dumper",
                   parents=MappingProxyType(parents))


def _shape(data: Any) -> str:
    if isinstance(data, dict):
        keys = list(data)[:6]
        return "an object with keys " + ", ".join(map(repr, keys)) + (
            " ..." if len(data) > 6 else "")
    return type(data).__name__


def _detect(path: Path) -> Offsets:
    if path.is_dir():
        for folder in (path, path / "output"):
            if (folder / "csgo.json").is_file():
                return _detect(folder / "csgo.json")
            if (folder / "offsets.json").is_file():
                return _cs2_dumper(folder)
        found = sorted(p.name for p in path.glob("*.json"))[:10]
        raise _bad(path, "no offsets file in folder",
                   expected="csgo.json (hazedumper) or offsets.json + client_dll.json "
                            "(cs2-dumper)", got=", ".join(found) or "no JSON files")
    data = _read_json(path)
    if isinstance(data, dict) and "signatures" in data and "netvars" in data:
        return _hazedumper(path, data)
    if _is_module_table(data) or (isinstance(data, dict) and (
            "build_number" in data or any(isinstance(v, dict) and "classes" in v
                                          for v in data.values()))):
        return _cs2_dumper(path.parent)
    raise _bad(path, "unknown offsets format",
               expected='hazedumper {"timestamp", "signatures", "netvars"} or a cs2-dumper '
                        "offsets.json / client_dll.json / info.json", got=_shape(data))


def load_offsets(path: str | os.PathLike[str], *, game: str | None = None) -> Offsets:
    """Load offsets from a file or folder, auto-detecting hazedumper or cs2-dumper.

    ``game`` (a profile name) checks that the file is in the profile's
    ``offsets_format``. Raises :class:`~csgo_env.errors.OffsetsFileError` for a missing,
    unreadable or unknown file (the message names what was expected and the fix) and
    :class:`~csgo_env.errors.UnknownGame` for an unknown ``game``.
    """
    wanted = None if game is None else get_profile(game).offsets_format
    p = Path(path).expanduser()
    if not p.exists():
        raise _bad(p, "offsets path does not exist", expected="a file or folder",
                   got="nothing")
    offsets = _detect(p)
    if wanted is not None and wanted != offsets.format:
        raise _bad(p, f"offsets for the wrong game (game={game!r})",
                   expected=f"{wanted} format", got=f"{offsets.format} format")
    return offsets


def write_hazedumper_json(path: str | os.PathLike[str], signatures: Mapping[str, int],
                          netvars: Mapping[str, int], *, timestamp: int | None = None) -> Path:
    """Write a ``csgo.json``-shaped file atomically (used by the replay game)."""
    target = Path(path)
    body = {"timestamp": int(timestamp if timestamp is not None else datetime.now().timestamp()),
            "signatures": dict(signatures), "netvars": dict(netvars)}
    return atomic_write_text(target, json.dumps(body, indent=2))
