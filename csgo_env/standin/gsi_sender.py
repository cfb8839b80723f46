"""The replay game's side of Game State Integration: build payloads and POST them.

:func:`build_payload` makes a payload shaped like the real game's (see the GSI section of
the live-game reference): ``provider`` (with ``steamid`` equal to ``player.steamid``: the
own player is playing, not spectating), ``map``, ``round``, ``player`` with ``state``,
``weapons`` (``{}`` while dead) and ``match_stats``, and ``auth`` copied from the cfg's
token. :class:`GSISender` POSTs it over real HTTP to the receiver, one keep-alive
connection, and waits for the 2xx as the game does.
"""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from csgo_env.errors import GSIError, explain

REPLAY_STEAMID = "76561190000000001"
"""The replay player's (fake) 64-bit SteamID."""


@dataclass
class PlayerCounters:
    """The own player's GSI-visible state: match counters, health and the active clip."""

    kills: int = 0
    deaths: int = 0
    health: int = 100
    ammo_clip: int = 30
    ammo_clip_max: int = 30
    ammo_reserve: int = 90
    round_kills: int = 0


def build_payload(counters: PlayerCounters, *, token: str | None, map_name: str = "de_dust2",
                  timestamp: int | None = None, frame: int | None = None) -> dict[str, Any]:
    """A full GSI payload for the own player (health 0 means dead: ``weapons`` is ``{}``).

    ``frame`` (the recording frame shown) goes into ``provider.replay_frame``, a field the
    real game does not send; receivers ignore unknown fields.
    """
    alive = counters.health > 0
    weapons: dict[str, Any] = {}
    if alive:
        weapons = {
            "weapon_0": {"name": "weapon_knife", "paintkit": "default", "type": "Knife",
                         "state": "holstered"},
            "weapon_1": {"name": "weapon_ak47", "paintkit": "default", "type": "Rifle",
                         "state": "active", "ammo_clip": counters.ammo_clip,
                         "ammo_clip_max": counters.ammo_clip_max,
                         "ammo_reserve": counters.ammo_reserve},
        }
    provider: dict[str, Any] = {"name": "Counter-Strike: Global Offensive", "appid": 730,
                                "version": 13881, "steamid": REPLAY_STEAMID,
                                "timestamp": int(time.time() if timestamp is None else timestamp)}
    if frame is not None:
        provider["replay_frame"] = int(frame)
    payload: dict[str, Any] = {
        "provider": provider,
        "map": {"mode": "deathmatch", "name": map_name, "phase": "live", "round": 0,
                "team_ct": {"score": 0}, "team_t": {"score": 0}},
        "round": {"phase": "live"},
        "player": {
            "steamid": REPLAY_STEAMID, "name": "replay", "observer_slot": 1, "team": "T",
            "activity": "playing",
            "state": {"health": counters.health, "armor": 100 if alive else 0, "helmet": alive,
                      "flashed": 0, "smoked": 0, "burning": 0, "money": 16000,
                      "round_kills": counters.round_kills, "round_killhs": 0,
                      "equip_value": 3700 if alive else 0, "round_totaldmg": 0},
            "weapons": weapons,
            "match_stats": {"kills": counters.kills, "assists": 0, "deaths": counters.deaths,
                            "mvps": 0, "score": 2 * counters.kills},
        },
    }
    if token is not None:
        payload["auth"] = {"token": token}
    return payload


class GSISender:
    """POSTs payloads to ``url`` (``http://host:port/``) and waits for the reply.

    ``post`` returns the HTTP status; a refused or broken connection raises
    :class:`~csgo_env.errors.GSIError` (the caller decides whether that is fatal — the
    real game just keeps trying). Not thread-safe; one sender per thread.
    """

    def __init__(self, url: str, *, timeout_s: float = 5.0) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname or parts.port is None:
            raise GSIError(explain("bad GSI url", expected="http://HOST:PORT/", got=repr(url)))
        self.url = url
        self._host = parts.hostname
        self._port = parts.port
        self._path = parts.path or "/"
        self._timeout = timeout_s
        self._conn: http.client.HTTPConnection | None = None

    def post(self, payload: dict[str, Any]) -> int:
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "Valve/Steam HTTP Client 1.0"}
        for attempt in (0, 1):  # one retry on a stale keep-alive connection
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self._host, self._port,
                                                        timeout=self._timeout)
            try:
                self._conn.request("POST", self._path, body=body, headers=headers)
                response = self._conn.getresponse()
                response.read()
                if response.will_close:
                    self.close()
                return response.status
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                if attempt:
                    raise GSIError(explain("GSI POST failed", expected=f"a reply from {self.url}",
                                           got=f"{type(exc).__name__}: {exc}")) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
