"""Spectator recordings: following the watched player through real GSI POSTs, and the
target switch on a schedule and on death."""

from __future__ import annotations

import time

import pytest

from csgo_env.actions import Action
from csgo_env.errors import ArgumentError
from csgo_env.game.gsi.events import EventTracker
from csgo_env.game.gsi.receiver import GSIReceiver
from csgo_env.recording.curr_vars import gsi_fields
from csgo_env.recording.spectator import Spectator
from csgo_env.standin.gsi_sender import GSISender
from tests.support.gsi_payloads import BOT, OTHER, OWN, TOKEN, payload

SWITCH = Action(frozenset({"1"}))


def _post(receiver: GSIReceiver, sender: GSISender, body: dict) -> dict:
    before = receiver.latest_t
    assert sender.post(body) == 200
    return receiver.wait_for_payload(2.0, newer_than=before)


def test_follows_the_watched_player_and_counts_only_theirs() -> None:
    tracker = EventTracker("spectate")
    spectator = Spectator(tracker, switch_every=1000)
    with GSIReceiver(port=0, token=TOKEN, tracker=tracker) as receiver:
        sender = GSISender(receiver.url)
        try:
            for body in (payload(steamid=BOT, kills=4), payload(steamid=BOT, kills=5),
                         payload(steamid=BOT, kills=6)):
                assert spectator.observe(_post(receiver, sender, body)) == BOT
            assert tracker.state.steamid == BOT and tracker.totals.kills == 2
            # the switch shows another player with far more kills: a new baseline
            latest = _post(receiver, sender, payload(steamid=OTHER, kills=30, deaths=2))
            assert spectator.observe(latest) == OTHER
            fields = gsi_fields(latest, spectator.watched, tracker.state)
            assert (fields["gsi_steamid"], fields["gsi_kills"]) == (OTHER, 30)
            spectator.observe(_post(receiver, sender, payload(steamid=OTHER, kills=31,
                                                               deaths=2)))
            spectator.observe(_post(receiver, sender, payload(steamid=OTHER, health=0,
                                                               kills=31, deaths=3)))
        finally:
            sender.close()
    assert spectator.targets == [BOT, OTHER]
    assert (tracker.totals.kills, tracker.totals.deaths) == (3, 1)
    assert spectator.watched_health == 0


def test_switch_on_schedule_and_on_death() -> None:
    tracker = EventTracker("spectate")
    spectator = Spectator(tracker, switch_every=10, cooldown=4)
    alive, dead = payload(steamid=BOT, own=OWN), payload(steamid=BOT, own=OWN, health=0)
    sent = {}
    for tick in range(40):
        spectator.observe(dead if 15 <= tick < 30 else alive)
        action = spectator.action(tick)
        if action is not None:
            sent[tick] = action
    presses = [t for t, a in sent.items() if a == SWITCH]
    releases = [t for t, a in sent.items() if a == Action()]
    # every 10 ticks while alive; every 4 ticks while the watched player is dead
    assert presses == [10, 15, 19, 23, 27, 37]
    assert releases == [t + 1 for t in presses]
    assert spectator.presses == len(presses)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ArgumentError, match="spectate"):
        Spectator(EventTracker("own"))
    with pytest.raises(ArgumentError, match="switch key"):
        Spectator(EventTracker("spectate"), switch_key="q")
    with pytest.raises(ArgumentError, match="spectate"):
        Spectator(EventTracker("spectate", target_steamid=BOT))


def test_own_player_dead_block_is_not_theirs() -> None:
    tracker = EventTracker("own")
    tracker.feed(payload(kills=3, deaths=1), t=time.monotonic())
    shown_bot = payload(steamid=BOT, own=OWN, kills=-1, deaths=7)
    fields = gsi_fields(shown_bot, OWN, tracker.state)
    assert fields["gsi_health"] == 0 and not fields["found_active"]
    assert (fields["gsi_kills"], fields["gsi_deaths"]) == (3, 1)
    assert fields["gsi_weapons"] == {}
    fresh = gsi_fields(shown_bot, OWN, None)
    assert fresh["gsi_kills"] != fresh["gsi_kills"]  # NaN: never seen, not zero
