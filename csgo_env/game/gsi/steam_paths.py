"""Where Steam and its libraries live, and a small parser for Valve KeyValues (VDF) text.

Steam root: on Windows the registry value ``HKCU\\Software\\Valve\\Steam\\SteamPath``
(then ``%ProgramFiles(x86)%\\Steam``); on Linux ``$XDG_DATA_HOME/Steam``,
``~/.local/share/Steam``, ``~/.steam/steam``, ``~/.steam/root`` and the Flatpak and Snap
locations. Extra libraries are listed in ``<root>/steamapps/libraryfolders.vdf``, both in
the current layout (``"libraryfolders" { "0" { "path" "..." } }``) and the pre-2021 one
(``"LibraryFolders" { "1" "D:\\\\SteamLibrary" }``).

Discovery is best effort: a folder that does not exist is skipped, and an unreadable
``libraryfolders.vdf`` is logged and skipped, so one broken file never hides the others.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from csgo_env.errors import GSIConfigError, explain

log = logging.getLogger("csgo_env.game.steam")

KeyValues = dict[str, Any]
"""A parsed KeyValues block: keys map to ``str`` leaves or nested ``KeyValues``."""

_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"'}


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """Split KeyValues text into ``(kind, value, line)`` with kind ``str``, ``{`` or ``}``.

    Skips ``//`` comments and ``[$PLATFORM]`` conditionals.
    """
    out: list[tuple[str, str, int]] = []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
        elif c in "{}":
            out.append((c, c, line))
            i += 1
        elif c == "[":
            end = text.find("]", i)
            if end < 0:
                raise GSIConfigError(explain(f"KeyValues line {line}: unclosed '['",
                                             expected="[$CONDITION]", got=text[i:i + 20]))
            i = end + 1
        elif c == '"':
            start_line, i, buf = line, i + 1, []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n and text[i + 1] in _ESCAPES:
                    buf.append(_ESCAPES[text[i + 1]])
                    i += 2
                    continue
                if text[i] == "\n":
                    line += 1
                buf.append(text[i])
                i += 1
            if i >= n:
                raise GSIConfigError(explain(
                    f"KeyValues line {start_line}: unterminated quoted string",
                    expected='a closing "', got="end of text"))
            out.append(("str", "".join(buf), start_line))
            i += 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in '{}"':
                i += 1
            out.append(("str", text[start:i], line))
    return out


def parse_keyvalues(text: str) -> KeyValues:
    """Parse KeyValues text into nested dicts (later duplicate keys win).

    Raises :class:`~csgo_env.errors.GSIConfigError` naming the line of a syntax error.
    """
    toks = _tokens(text.lstrip("\ufeff"))
    root: KeyValues = {}
    stack: list[KeyValues] = [root]
    i = 0
    while i < len(toks):
        kind, value, line = toks[i]
        if kind == "}":
            if len(stack) == 1:
                raise GSIConfigError(explain(f"KeyValues line {line}: unmatched '}}'",
                                             expected="a key or the end of text", got="'}'"))
            stack.pop()
            i += 1
            continue
        if kind == "{":
            raise GSIConfigError(explain(f"KeyValues line {line}: '{{' without a key",
                                         expected="a key before '{'", got="'{'"))
        if i + 1 >= len(toks):
            raise GSIConfigError(explain(f"KeyValues line {line}: key {value!r} has no value",
                                         expected="a value or a '{' block", got="end of text"))
        nkind, nvalue, _ = toks[i + 1]
        if nkind == "{":
            child: KeyValues = {}
            stack[-1][value] = child
            stack.append(child)
        elif nkind == "str":
            stack[-1][value] = nvalue
        else:
            raise GSIConfigError(explain(f"KeyValues line {line}: key {value!r} has no value",
                                         expected="a value or a '{' block", got="'}'"))
        i += 2
    if len(stack) != 1:
        raise GSIConfigError(explain("KeyValues text ends inside a block",
                                     expected=f"{len(stack) - 1} more '}}'", got="end of text"))
    return root


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_keyvalues(data: KeyValues, indent: str = "    ", _level: int = 0) -> str:
    """Render nested dicts as KeyValues text (the inverse of :func:`parse_keyvalues`).

    Leaves are written with ``str()``; keys are padded so values line up within a block.
    """
    pad = indent * _level
    width = max((len(_quote(k)) for k, v in data.items() if not isinstance(v, dict)),
                default=0)
    lines = []
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"{pad}{_quote(key)}\n{pad}{{\n"
                         f"{format_keyvalues(value, indent, _level + 1)}{pad}}}\n")
        else:
            lines.append(f"{pad}{_quote(key).ljust(width)}  {_quote(str(value))}\n")
    return "".join(lines)


def _registry_steam_path() -> str | None:
    """``HKCU\\Software\\Valve\\Steam\\SteamPath`` from the Windows registry, or ``None``."""
    if sys.platform != "win32":  # callers check too; this also tells the type checker
        return None
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, r"Software\Valve\Steam") as key:
            value, _type = winreg.QueryValueEx(key, "SteamPath")
    except OSError:
        return None
    return str(value) if value else None


def candidate_steam_roots() -> list[Path]:
    """Every place Steam is looked for on this platform, existing or not, in order."""
    home = Path.home()
    if sys.platform == "win32":
        found = []
        registry = _registry_steam_path()
        if registry:
            found.append(Path(registry))
        program_files = os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)")
        found.append(Path(program_files) / "Steam")
        return found
    if sys.platform == "darwin":
        return [home / "Library" / "Application Support" / "Steam"]
    found = []
    xdg = os.environ.get("XDG_DATA_HOME")
    if xdg:
        found.append(Path(xdg) / "Steam")
    found += [home / ".local" / "share" / "Steam", home / ".steam" / "steam",
              home / ".steam" / "root",
              home / ".var" / "app" / "com.valvesoftware.Steam" / ".local" / "share" / "Steam",
              home / "snap" / "steam" / "common" / ".local" / "share" / "Steam"]
    return found


def _unique_dirs(paths: list[Path]) -> list[Path]:
    seen: set[Path] = set()
    out = []
    for p in paths:
        try:
            if not p.is_dir():
                continue
            real = p.resolve()
        except OSError:
            continue
        if real not in seen:
            seen.add(real)
            out.append(real)
    return out


def steam_roots() -> list[Path]:
    """Existing Steam installation folders, resolved and without duplicates."""
    return _unique_dirs(candidate_steam_roots())


def library_folders(root: Path) -> list[Path]:
    """``root`` and the extra libraries listed in its ``libraryfolders.vdf`` (existing only)."""
    paths = [Path(root)]
    for vdf in (Path(root) / "steamapps" / "libraryfolders.vdf",
                Path(root) / "config" / "libraryfolders.vdf"):
        if not vdf.is_file():
            continue
        try:
            data = parse_keyvalues(vdf.read_text(encoding="utf-8", errors="replace"))
        except (OSError, GSIConfigError) as exc:
            log.warning("skipping unreadable %s: %s", vdf, exc)
            continue
        block = next((v for k, v in data.items()
                      if k.lower() == "libraryfolders" and isinstance(v, dict)), {})
        for key, entry in block.items():
            if not key.isdigit():
                continue
            if isinstance(entry, dict):
                entry = entry.get("path")
            if isinstance(entry, str) and entry:
                paths.append(Path(entry))
    return _unique_dirs(paths)


def all_library_folders() -> list[Path]:
    """Every Steam library of every Steam root found on this machine."""
    libs: list[Path] = []
    for root in steam_roots():
        libs += library_folders(root)
    return _unique_dirs(libs)
