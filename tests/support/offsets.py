"""Offsets files in both public formats, written by the tests with our own numbers.

The shapes follow the public tools' output (hazedumper ``csgo.json``; cs2-dumper
``offsets.json``, ``client_dll.json``, ``info.json``); none of the numbers is any game
build's. The JSON is written here by hand, independently of the loader under test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CSGO_TIMESTAMP = 1_690_000_000
CSGO_SIGNATURES = {
    "dwLocalPlayer": 0x00C1_2340,  # ~12 MiB into client.dll, like the real one
    "dwEntityList": 0x00C3_0000,
    "dwClientState": 0x0058_9FD4,
    "dwClientState_ViewAngles": 0x4D90,
    "dwForceJump": 0x0052_1234,  # unused by the reader; real files hold many such names
}
CSGO_NETVARS = {
    "m_iHealth": 0x100,
    "m_vecOrigin": 0x138,
    "m_vecVelocity": 0x114,
    "m_iFOV": 0x31E4,
    "m_hActiveWeapon": 0x2F08,
    "m_iClip1": 0x3264,
    "m_fFlags": 0x104,
}

CS2_BUILD = 14_101
CS2_TIMESTAMP_ISO = "2025-03-04T05:06:07.123456789+00:00"
CS2_TIMESTAMP = 1_741_064_767
CS2_MODULE_OFFSETS = {
    "client.dll": {"dwLocalPlayerPawn": 0x0018_4C30, "dwViewAngles": 0x0019_0E80,
                   "dwEntityList": 0x0017_A000, "dwBuildNumber": 0x10},
    "engine2.dll": {"dwBuildNumber": 0x0052_0C34, "dwWindowWidth": 0x0054_0000},
}
CS2_CLASSES: dict[str, dict[str, Any]] = {
    "CEntityInstance": {"fields": {"m_pEntity": 0x10}, "parent": None},
    "C_BaseEntity": {"fields": {"m_pGameSceneNode": 0x318, "m_iHealth": 0x334,
                                "m_vecAbsVelocity": 0x3F0}, "parent": "CEntityInstance"},
    "C_BaseModelEntity": {"fields": {"m_clrRender": 0xA70}, "parent": "C_BaseEntity"},
    "C_BasePlayerPawn": {"fields": {"m_pCameraServices": 0x1138}, "parent": "C_BaseModelEntity"},
    "C_CSPlayerPawnBase": {"fields": {}, "parent": "C_BasePlayerPawn"},
    "C_CSPlayerPawn": {"fields": {"m_angEyeAngles": 0x1438}, "parent": "C_CSPlayerPawnBase"},
    "CGameSceneNode": {"fields": {"m_vecAbsOrigin": 0xD0}, "parent": None},
    "CPlayer_CameraServices": {"fields": {}, "parent": None},
    "CCSPlayerBase_CameraServices": {"fields": {"m_iFOV": 0x290},
                                     "parent": "CPlayer_CameraServices"},
}


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def write_hazedumper(folder: Path, *, signatures: dict[str, int] | None = None,
                     netvars: dict[str, int] | None = None,
                     drop: tuple[str, ...] = ()) -> Path:
    """``folder/csgo.json``; ``signatures`` / ``netvars`` override entries, ``drop`` removes."""
    sig = {**CSGO_SIGNATURES, **(signatures or {})}
    net = {**CSGO_NETVARS, **(netvars or {})}
    for name in drop:
        sig.pop(name, None)
        net.pop(name, None)
    return write_json(folder / "csgo.json",
                      {"timestamp": CSGO_TIMESTAMP, "signatures": sig, "netvars": net})


def write_cs2_dumper(folder: Path, *, build: int | None = CS2_BUILD,
                     client: dict[str, int] | None = None,
                     fields: dict[str, dict[str, int]] | None = None,
                     schema_name: str = "client_dll.json") -> Path:
    """A cs2-dumper output folder; ``client`` overrides client.dll offsets, ``fields`` maps
    class -> {field: offset} overrides. ``build=None`` leaves ``info.json`` out."""
    modules = {m: dict(v) for m, v in CS2_MODULE_OFFSETS.items()}
    modules["client.dll"].update(client or {})
    classes = {name: {"fields": dict(body["fields"]), "metadata": [], "parent": body["parent"]}
               for name, body in CS2_CLASSES.items()}
    for cls, extra in (fields or {}).items():
        classes[cls]["fields"].update(extra)
    write_json(folder / "offsets.json", modules)
    write_json(folder / schema_name, {"client.dll": {"classes": classes, "enums": {}}})
    if build is not None:
        write_json(folder / "info.json", {"build_number": build, "timestamp": CS2_TIMESTAMP_ISO})
    return folder
