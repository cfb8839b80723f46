"""The event tracker on payload sequences that reproduce the quirks of real captures."""

from __future__ import annotations

import threading

import pytest

from csgo_env.errors import ArgumentError
from csgo_env.game.gsi.events import EventCounts, EventTracker, GameEvent
from tests.support.gsi_payloads import BOT, OTHER, OWN, SCENARIOS, Scenario, payload


def _counts(c: EventCounts) -> tuple[int, int, int, int]:
    return (c.kills, c.deaths, c.suicides, c.respawns)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenarios_produce_expected_counts(scenario: Scenario) -> None:
    tracker = EventTracker(mode=scenario.mode, target_steamid=scenario.target)
    emitted: list[GameEvent] = []
    for body, t in zip(scenario.payloads, scenario.feed_times(), strict=True):
        emitted += tracker.feed(body, t)
    counts = tracker.drain()
    assert _counts(counts) == scenario.expected
    assert _counts(tracker.drain()) == (0, 0, 0, 0)  # drained
    assert _counts(tracker.totals) == scenario.expected
    kinds = [e.kind for e in emitted]
    assert (kinds.count("kill"), kinds.count("death"), kinds.count("suicide"),
            kinds.count("respawn")) == scenario.expected


def test_events_carry_time_and_steamid() -> None:
    tracker = EventTracker()
    tracker.feed(payload(kills=0), 1.0)
    events = tracker.feed(payload(kills=2, health=0, deaths=1), 1.5)
    assert events == [GameEvent("death", 1.5, OWN), GameEvent("kill", 1.5, OWN),
                      GameEvent("kill", 1.5, OWN)]


def test_own_state_never_takes_spectated_stats() -> None:
    tracker = EventTracker()
    tracker.feed(payload(kills=4, deaths=1), 0.0)
    state = tracker.state
    assert state is not None and state.alive and state.kills == 4
    assert state.active_weapon == "weapon_ak47" and state.ammo_clip == 27
    assert state.map_name == "de_dust2" and state.map_phase == "live" and state.team == "T"
    tracker.feed(payload(kills=4, deaths=1, health=0), 0.1)
    tracker.feed(payload(steamid=BOT, kills=-1, deaths=7), 0.2)
    state = tracker.state
    assert state is not None
    assert state.steamid == OWN and state.kills == 4 and state.deaths == 1
    assert not state.alive and state.active_weapon is None  # weapons are {} when dead


def test_spectate_mode_follows_shown_player_state() -> None:
    tracker = EventTracker(mode="spectate")
    tracker.feed(payload(steamid=BOT, kills=-1), 0.0)
    assert tracker.state is not None and tracker.state.steamid == BOT
    assert tracker.state.kills == -1
    tracker.feed(payload(steamid=OTHER, kills=3), 0.1)
    assert tracker.state is not None and tracker.state.steamid == OTHER


def test_drain_splits_counts_between_calls() -> None:
    tracker = EventTracker()
    tracker.feed(payload(kills=0), 0.0)
    tracker.feed(payload(kills=1), 0.1)
    assert _counts(tracker.drain()) == (1, 0, 0, 0)
    tracker.feed(payload(kills=1, health=0), 0.2)
    tracker.feed(payload(kills=1, health=0, deaths=1), 0.3)
    assert _counts(tracker.drain()) == (0, 1, 0, 0)
    assert _counts(tracker.totals) == (1, 1, 0, 0)


def test_reset_forgets_baseline_and_counts() -> None:
    tracker = EventTracker()
    tracker.feed(payload(kills=0), 0.0)
    tracker.feed(payload(kills=1), 0.1)
    tracker.reset()
    assert tracker.state is None and _counts(tracker.totals) == (0, 0, 0, 0)
    tracker.feed(payload(kills=7), 0.2)  # new baseline, not 6 kills
    assert _counts(tracker.drain()) == (0, 0, 0, 0)


def test_concurrent_feed_and_drain_lose_nothing() -> None:
    """A feeder thread and a draining thread: every kill is counted exactly once."""
    tracker = EventTracker()
    kills = 2000
    drained: list[EventCounts] = []
    done = threading.Event()

    def feed() -> None:
        for k in range(kills + 1):
            tracker.feed(payload(kills=k))
        done.set()

    def drain() -> None:
        while not done.is_set():
            drained.append(tracker.drain())

    threads = [threading.Thread(target=feed), threading.Thread(target=drain)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    drained.append(tracker.drain())
    assert len(drained) > 1
    assert sum(c.kills for c in drained) == kills
    assert tracker.totals.kills == kills


@pytest.mark.parametrize("kwargs", [{"mode": "both"}, {"mode": "own", "target_steamid": BOT},
                                    {"silence_reset_s": 0}])
def test_bad_arguments_are_refused(kwargs: dict) -> None:
    with pytest.raises(ArgumentError, match=r"expected|got"):
        EventTracker(**kwargs)


def test_garbage_fields_do_not_crash() -> None:
    tracker = EventTracker()
    tracker.feed({"provider": {"steamid": OWN}, "player": {"steamid": OWN, "state": "x",
                                                          "match_stats": [1, 2]}}, 0.0)
    tracker.feed({"provider": {"steamid": OWN},
                  "player": {"steamid": OWN, "state": {"health": "100"},
                             "match_stats": {"kills": True}, "weapons": None}}, 0.1)
    assert _counts(tracker.drain()) == (0, 0, 0, 0)
    with pytest.raises(TypeError):
        tracker.feed([1, 2], 0.2)  # type: ignore[arg-type]
