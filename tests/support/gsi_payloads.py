"""GSI payloads shaped like the game's, and event scenarios reproducing real-capture quirks.

Field names and types follow the GSI payload description in the live-game reference
(``provider``, ``map``, ``round``, ``player.state``, ``player.weapons``,
``player.match_stats``, ``previously``, ``added``, ``auth``). Each :class:`Scenario` is a
payload sequence with the event counts it must produce; the tracker tests feed them
directly and the receiver tests POST them over HTTP.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

OWN = "76561198012345678"
"""``provider.steamid``: the local client."""
BOT = "76561197960265730"
OTHER = "76561198087654321"
TOKEN = "tok_3f9a1c0e7b"

_WEAPONS_ALIVE = {
    "weapon_0": {"name": "weapon_knife_t", "paintkit": "default", "type": "Knife",
                 "state": "holstered"},
    "weapon_1": {"name": "weapon_glock", "paintkit": "default", "type": "Pistol",
                 "ammo_clip": 20, "ammo_clip_max": 20, "ammo_reserve": 120,
                 "state": "holstered"},
    "weapon_2": {"name": "weapon_ak47", "paintkit": "cu_ak47_cobra", "type": "Rifle",
                 "ammo_clip": 27, "ammo_clip_max": 30, "ammo_reserve": 90,
                 "state": "active"},
}


def payload(*, steamid: str = OWN, own: str = OWN, health: int = 100, kills: int = 0,
            deaths: int = 0, map_name: str = "de_dust2", phase: str = "live",
            token: str | None = TOKEN, team: str = "T", activity: str = "playing",
            timestamp: int = 1_700_000_000, weapons: dict[str, Any] | None = None
            ) -> dict[str, Any]:
    """One payload; ``steamid`` is the player shown, ``own`` the local client."""
    if weapons is None:
        weapons = copy.deepcopy(_WEAPONS_ALIVE) if health > 0 else {}
    body: dict[str, Any] = {
        "provider": {"name": "Counter-Strike: Global Offensive", "appid": 730,
                     "version": 13_881, "steamid": own, "timestamp": timestamp},
        "map": {"mode": "deathmatch", "name": map_name, "phase": phase, "round": 0,
                "team_ct": {"score": 0}, "team_t": {"score": 0},
                "num_matches_to_win_series": 0, "current_spectators": 0,
                "souvenirs_total": 0},
        "round": {"phase": "live"},
        "player": {
            "steamid": steamid, "name": "agent" if steamid == own else "Bot Albert",
            "observer_slot": 1, "team": team, "activity": activity,
            "state": {"health": health, "armor": 100 if health else 0, "helmet": True,
                      "flashed": 0, "smoked": 0, "burning": 0, "money": 16000,
                      "round_kills": 0, "round_killhs": 0, "round_totaldmg": 0,
                      "equip_value": 3700},
            "weapons": weapons,
            "match_stats": {"kills": kills, "assists": 0, "deaths": deaths, "mvps": 0,
                            "score": 2 * kills},
        },
    }
    if token is not None:
        body["auth"] = {"token": token}
    return body


def real_size_payload(seq: int, token: str | None = TOKEN) -> dict[str, Any]:
    """A ~2.5 KB payload like a live player's mid-fight update, ``bench_seq`` = ``seq``."""
    body = payload(token=token, kills=seq % 50, health=100 - seq % 100 or 1,
                   timestamp=1_700_000_000 + seq)
    weapons = body["player"]["weapons"]
    weapons["weapon_3"] = {"name": "weapon_hegrenade", "paintkit": "default",
                           "type": "Grenade", "ammo_reserve": 1, "state": "holstered"}
    weapons["weapon_4"] = {"name": "weapon_flashbang", "paintkit": "default",
                           "type": "Grenade", "ammo_reserve": 2, "state": "holstered"}
    weapons["weapon_5"] = {"name": "weapon_smokegrenade", "paintkit": "default",
                           "type": "Grenade", "ammo_reserve": 1, "state": "holstered"}
    body["player"]["clan"] = "csgo_env"
    body["previously"] = {
        "player": {"state": {"health": 100, "armor": 100, "round_totaldmg": 0},
                   "weapons": {"weapon_2": {"ammo_clip": 28, "state": "holstered"},
                               "weapon_1": {"state": "active"}},
                   "match_stats": {"kills": max(0, seq % 50 - 1), "score": 0}},
        "provider": {"timestamp": 1_700_000_000 + seq - 1},
    }
    body["added"] = {"player": {"weapons": {"weapon_3": True, "weapon_4": True,
                                            "weapon_5": True}}}
    body["bench_seq"] = seq
    return body


def encode(body: dict[str, Any]) -> bytes:
    """JSON bytes the way the game sends them (indented, UTF-8)."""
    return json.dumps(body, indent="\t").encode("utf-8")


@dataclass
class Scenario:
    """A payload sequence and the totals it must produce.

    ``times``: the tracker clock per payload (default 0.1 s apart).
    ``expected``: ``(kills, deaths, suicides, respawns)``.
    """

    name: str
    payloads: list[dict[str, Any]]
    expected: tuple[int, int, int, int]
    mode: str = "own"
    target: str | None = None
    times: list[float] = field(default_factory=list)

    def feed_times(self) -> list[float]:
        return self.times or [0.1 * i for i in range(len(self.payloads))]


P = payload
SCENARIOS: list[Scenario] = [
    Scenario("kills_count_each_increment", [P(kills=0), P(kills=1), P(kills=3)], (3, 0, 0, 0)),
    Scenario("health_zero_then_counter_counts_one_death",
             [P(), P(health=0), P(health=0, deaths=1)], (0, 1, 0, 0)),
    Scenario("health_zero_and_counter_together",
             [P(), P(health=0, deaths=1)], (0, 1, 0, 0)),
    Scenario("spectated_player_stats_are_not_ours",
             [P(kills=2), P(kills=2, health=0),
              P(steamid=BOT, kills=-1, deaths=5), P(steamid=BOT, kills=0, deaths=5),
              P(steamid=OTHER, kills=9, deaths=1),
              P(kills=2, deaths=1)], (0, 1, 0, 1)),
    Scenario("suicide_kills_minus_one_deaths_plus_one",
             [P(kills=3), P(kills=2, deaths=1, health=0)], (0, 1, 1, 0)),
    Scenario("suicide_counters_after_health",
             [P(kills=3), P(kills=3, health=0), P(kills=2, deaths=1, health=0),
              P(kills=2, deaths=1)], (0, 1, 1, 1)),
    Scenario("teamkill_penalty_is_not_an_event",
             [P(kills=3), P(kills=2), P(kills=3)], (1, 0, 0, 0)),
    Scenario("respawn_after_death",
             [P(), P(health=0, deaths=1), P(health=100, deaths=1)], (0, 1, 0, 1)),
    Scenario("death_seen_only_in_counters",
             [P(deaths=0), P(steamid=BOT, kills=-1), P(deaths=1)], (0, 1, 0, 1)),
    Scenario("map_change_resets_baseline",
             [P(kills=5), P(map_name="de_mirage", kills=0), P(map_name="de_mirage", kills=1)],
             (1, 0, 0, 0)),
    Scenario("warmup_resets_baseline",
             [P(phase="warmup"), P(phase="warmup", kills=4, deaths=2),
              P(phase="live", kills=0), P(phase="live", kills=1)], (1, 0, 0, 0)),
    Scenario("match_restart_counters_down",
             [P(kills=5, deaths=3), P(kills=0, deaths=0), P(kills=1)], (1, 0, 0, 0)),
    Scenario("negative_kills_of_a_bot_are_a_baseline",
             [P(steamid=BOT, kills=-1), P(steamid=BOT, kills=0)], (1, 0, 0, 0),
             mode="spectate"),
    Scenario("spectate_target_change_resets",
             [P(steamid=BOT, kills=1), P(steamid=BOT, kills=2),
              P(steamid=OTHER, kills=10), P(steamid=OTHER, kills=11)], (2, 0, 0, 0),
             mode="spectate"),
    Scenario("spectate_fixed_target_ignores_others",
             [P(steamid=BOT, kills=1), P(steamid=OTHER, kills=10), P(steamid=BOT, kills=2),
              P(steamid=OTHER, kills=20, health=0), P(steamid=BOT, kills=3)], (2, 0, 0, 0),
             mode="spectate", target=BOT),
    Scenario("menu_payload_without_player",
             [P(kills=1), {"provider": P()["provider"], "auth": {"token": TOKEN}},
              P(kills=2)], (1, 0, 0, 0)),
    Scenario("silence_resets_baseline",
             [P(kills=1), P(kills=4), P(kills=5)], (1, 0, 0, 0), times=[0.0, 20.0, 20.1]),
]
