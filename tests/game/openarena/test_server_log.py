"""The server log's records and the own client's events, on lines as the real server
prints them (console form, and the games.log form with its time prefix)."""

from __future__ import annotations

import pytest

from csgo_env.errors import GameError
from csgo_env.game.openarena.kill_feed import KillFeed
from csgo_env.game.openarena.server_log import (
    WORLD,
    ClientEvent,
    Kill,
    MapEvent,
    Userinfo,
    parse_info,
    parse_line,
)

OWN = "csgoenv1a2b3c4d"
GUID = "F4285B3760E56110E01BD8C665D12AFD"
OWN_USERINFO = (f"ClientUserinfoChanged: 3 n\\{OWN}\\t\\0\\model\\sarge\\hmodel\\sarge\\"
                f"g_redteam\\\\g_blueteam\\\\c1\\4\\c2\\5\\hc\\100\\w\\0\\l\\0\\tt\\0\\tl\\0\\id\\"
                f"{GUID}")
BOT_USERINFO = ("  0:10 ClientUserinfoChanged: 0 n\\Gargoyle\\t\\0\\model\\gargoyle\\hmodel\\"
                "gargoyle\\c1\\4\\c2\\5\\hc\\70\\w\\0\\l\\0\\skill\\ 2.00\\tt\\0\\tl\\0\\id\\")


def test_lines_parse_into_records() -> None:
    assert parse_line("Kill: 0 2 7: Gargoyle killed Sergei by MOD_ROCKET_SPLASH") == \
        Kill(0, 2, "MOD_ROCKET_SPLASH")
    kill = parse_line("  0:30 Kill: 1022 3 20: <world> killed Zq7xk2 by MOD_SUICIDE")
    assert kill == Kill(WORLD, 3, "MOD_SUICIDE") and isinstance(kill, Kill) and kill.suicide
    own_goal = parse_line("12:05 Kill: 0 0 7: Gargoyle killed Gargoyle by MOD_ROCKET_SPLASH")
    assert isinstance(own_goal, Kill) and own_goal.suicide
    assert not Kill(1, 2, "MOD_RAILGUN").suicide
    info = parse_line(OWN_USERINFO)
    assert isinstance(info, Userinfo) and info.num == 3
    assert (info.name, info.guid, info.info["g_redteam"], info.info["hc"]) == (OWN, GUID, "",
                                                                              "100")
    bot = parse_line(BOT_USERINFO)
    assert isinstance(bot, Userinfo) and bot.name == "Gargoyle" and bot.guid == ""
    assert parse_line("ClientConnect: 12") == ClientEvent("ClientConnect", 12)
    assert parse_line(" 0:08 ClientBegin: 0") == ClientEvent("ClientBegin", 0)
    assert parse_line("ClientDisconnect: 3") == ClientEvent("ClientDisconnect", 3)
    init = parse_line("  0:00 InitGame: \\com_protocol\\71\\fraglimit\\0\\mapname\\oa_dm1")
    assert isinstance(init, MapEvent) and init.info["mapname"] == "oa_dm1"
    assert parse_line("ShutdownGame:") == MapEvent("ShutdownGame", {})


@pytest.mark.parametrize("line", [
    "say: Sarge: Kill: 0 3 7: x killed y by MOD_RAILGUN",  # chat pretending to be a kill
    "broadcast: print \"Gargoyle^7 connected\\n\"",
    "Item: 0 weapon_rocketlauncher",
    "Kill: a b c: nonsense",
    "ClientConnect: x",
    "loaded skill 4 from bots/default_c.c",
    "",
])
def test_other_lines_are_not_records(line: str) -> None:
    assert parse_line(line) is None


def test_parse_info_pairs() -> None:
    assert parse_info("\\a\\1\\b\\\\c\\3") == {"a": "1", "b": "", "c": "3"}
    assert parse_info("a\\1\\trailing") == {"a": "1", "trailing": ""}


def _feed(feed: KillFeed, *lines: str) -> list[str]:
    kinds = []
    for line in lines:
        record = parse_line(line)
        assert record is not None, line
        kinds += [e.kind for e in feed.feed(record, t=1.0)]
    return kinds


def test_own_slot_events_kills_deaths_suicides() -> None:
    feed = KillFeed(OWN)
    _feed(feed, BOT_USERINFO, "ClientConnect: 3")
    assert not feed.identify(3)  # the log has not shown slot 3's userinfo yet
    assert _feed(feed, "Kill: 0 3 10: Gargoyle killed x by MOD_RAILGUN") == []  # not ours yet
    _feed(feed, OWN_USERINFO, "ClientBegin: 3")
    assert feed.identify(3) and feed.own == 3 and feed.guid == GUID
    assert _feed(feed, "Kill: 3 0 10: me killed Gargoyle by MOD_RAILGUN") == ["kill"]
    assert _feed(feed, "Kill: 0 3 10: Gargoyle killed me by MOD_RAILGUN") == ["death"]
    assert _feed(feed, "Kill: 1022 3 19: <world> killed me by MOD_FALLING") == \
        ["death", "suicide"]
    assert _feed(feed, "Kill: 3 3 7: me killed me by MOD_ROCKET_SPLASH") == \
        ["death", "suicide"]
    assert _feed(feed, "Kill: 0 1 10: Gargoyle killed Neko by MOD_RAILGUN") == []
    counts = feed.drain()
    assert (counts.kills, counts.deaths, counts.suicides) == (1, 3, 2)
    assert feed.drain().deaths == 0 and feed.totals.deaths == 3 and feed.kill_lines == 6


def test_a_name_alone_never_makes_a_slot_ours() -> None:
    feed = KillFeed(OWN)
    _feed(feed, BOT_USERINFO)
    with pytest.raises(GameError, match="another player"):
        feed.identify(0)  # slot 0 is Gargoyle: the client's slot number must match the name
    impostor = OWN_USERINFO.replace("ClientUserinfoChanged: 3", "ClientUserinfoChanged: 5")
    _feed(feed, OWN_USERINFO, impostor)  # someone else takes our name in slot 5
    assert feed.identify(3)
    assert _feed(feed, "Kill: 5 0 10: x killed Gargoyle by MOD_RAILGUN") == []
    assert _feed(feed, "Kill: 0 5 10: Gargoyle killed x by MOD_RAILGUN") == []


def test_slot_lost_to_another_guid_or_disconnect_raises() -> None:
    feed = KillFeed(OWN)
    _feed(feed, OWN_USERINFO)
    assert feed.identify(3)
    _feed(feed, OWN_USERINFO.replace(GUID, "0" * 32))
    assert feed.own is None and "guid" in (feed.lost or "")
    assert _feed(feed, "Kill: 0 3 10: Gargoyle killed x by MOD_RAILGUN") == []
    with pytest.raises(GameError, match="no longer on the server"):
        feed.drain()
    feed = KillFeed(OWN)
    _feed(feed, OWN_USERINFO)
    assert feed.identify(3)
    _feed(feed, "ClientDisconnect: 3")
    with pytest.raises(GameError, match="disconnected"):
        feed.drain()
