"""Server messages of a demo decoded into its gamestate and snapshots.

Each message starts with the reliable acknowledge (int32), then opcodes until ``svc_EOF``:
``svc_gamestate`` (configstrings, entity baselines, our client number), ``svc_serverCommand``
(a sequence number and a command string, e.g. ``cs N "..."`` configstring updates,
``print``), ``svc_snapshot`` (server time, delta source, flags, area mask, the delta-coded
player state of the viewed player and the delta-coded entity list). A snapshot is decoded
against the earlier snapshot it names (``deltaNum`` messages back) or, when it names none,
against nothing; entities new to a snapshot are decoded against their baseline.
State values are kept by field name (:mod:`~csgo_env.datasets.openarena.net_fields`):
floats as ``float``, integers as ``int``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from csgo_env.datasets.openarena.bitstream import MessageBits, MessageOverrun
from csgo_env.datasets.openarena.demo_file import iter_messages
from csgo_env.datasets.openarena.net_fields import (
    ENTITY_FIELDS,
    GENTITYNUM_BITS,
    MAX_CONFIGSTRINGS,
    MAX_GENTITIES,
    MAX_PERSISTANT,
    MAX_POWERUPS,
    MAX_STATS,
    MAX_WEAPONS,
    PACKET_BACKUP,
    PLAYER_FIELDS,
    SVC_BASELINE,
    SVC_CONFIGSTRING,
    SVC_EOF,
    SVC_GAMESTATE,
    SVC_NOP,
    SVC_SERVERCOMMAND,
    SVC_SNAPSHOT,
)
from csgo_env.errors import RecordingCorrupt, explain

State = dict[str, float | int]
"""A player or entity state by field name; fields never sent read as absent (zero)."""


@dataclass
class PlayerState:
    """A decoded ``playerState_t``: the scalar ``fields`` and the four arrays."""

    fields: State = field(default_factory=dict)
    stats: list[int] = field(default_factory=lambda: [0] * MAX_STATS)
    persistant: list[int] = field(default_factory=lambda: [0] * MAX_PERSISTANT)
    ammo: list[int] = field(default_factory=lambda: [0] * MAX_WEAPONS)
    powerups: list[int] = field(default_factory=lambda: [0] * MAX_POWERUPS)

    def copy(self) -> PlayerState:
        return PlayerState(dict(self.fields), list(self.stats), list(self.persistant),
                           list(self.ammo), list(self.powerups))


@dataclass
class Snapshot:
    """One decoded snapshot: ``server_time`` (ms), ``message`` (server message number),
    ``flags`` (``snapFlags``), ``player`` (the viewed player's state) and ``entities``
    (entity number -> state, only the entities the server sent)."""

    server_time: int
    message: int
    flags: int
    player: PlayerState
    entities: dict[int, State]


@dataclass
class DemoState:
    """What a demo's messages set up: ``configstrings`` (index -> text, updated by ``cs``
    commands as they arrive), ``client_num`` (the recording client's own slot) and the
    server ``commands`` in order as ``(server_time_of_last_snapshot, text)``."""

    configstrings: dict[int, str] = field(default_factory=dict)
    client_num: int = -1
    commands: list[tuple[int, str]] = field(default_factory=list)
    baselines: dict[int, State] = field(default_factory=dict)


def _read_delta(bits: MessageBits, old: State, table: tuple[tuple[str, int], ...],
                entity: bool) -> State:
    count = bits.byte()
    if count > len(table):
        raise MessageOverrun(f"field count {count} > {len(table)}")
    new = dict(old)
    for name, width in table[:count]:
        if not bits.bits(1):
            continue
        if width == 0:
            new[name] = bits.entity_float() if entity else bits.player_float()
        elif entity and not bits.bits(1):
            new[name] = 0
        elif width < 0:
            new[name] = bits.signed(-width)
        else:
            new[name] = bits.bits(width) & ((1 << width) - 1)
    return new


def read_entity(bits: MessageBits, old: State) -> State | None:
    """An entity delta after its number: ``None`` when the entity was removed."""
    if bits.bits(1):
        return None
    if not bits.bits(1):
        return dict(old)
    return _read_delta(bits, old, ENTITY_FIELDS, entity=True)


def _read_array(bits: MessageBits, values: list[int], long: bool) -> None:
    mask = bits.bits(len(values))
    for i in range(len(values)):
        if mask & (1 << i):
            values[i] = bits.long() if long else bits.short()


def read_player(bits: MessageBits, old: PlayerState | None) -> PlayerState:
    """A delta-coded player state against ``old`` (``None``: against all zeros)."""
    new = old.copy() if old is not None else PlayerState()
    new.fields = _read_delta(bits, new.fields, PLAYER_FIELDS, entity=False)
    if bits.bits(1):
        for values, long in ((new.stats, False), (new.persistant, False),
                             (new.ammo, False), (new.powerups, True)):
            if bits.bits(1):
                _read_array(bits, values, long)
    return new


def _read_entities(bits: MessageBits, old: dict[int, State],
                   baselines: dict[int, State]) -> dict[int, State]:
    new: dict[int, State] = {}
    pending = sorted(old)
    while True:
        number = bits.bits(GENTITYNUM_BITS)
        if number == MAX_GENTITIES - 1:
            break
        while pending and pending[0] < number:
            kept = pending.pop(0)
            new[kept] = old[kept]
        source = old[pending.pop(0)] if pending and pending[0] == number else \
            baselines.get(number, {})
        state = read_entity(bits, source)
        if state is not None:
            new[number] = state
    for kept in pending:
        new[kept] = old[kept]
    return new


class DemoDecoder:
    """Decodes a demo's messages in order; :meth:`feed` yields the valid snapshots."""

    def __init__(self) -> None:
        self.state = DemoState()
        self._recent: dict[int, Snapshot] = {}
        self._last_time = 0

    def feed(self, sequence: int, payload: bytes) -> Iterator[Snapshot]:
        bits = MessageBits(payload)
        bits.long()  # reliable acknowledge
        while True:
            op = bits.byte()
            if op == SVC_EOF:
                return
            if op == SVC_NOP:
                continue
            if op == SVC_SERVERCOMMAND:
                bits.long()
                self._command(bits.string())
            elif op == SVC_GAMESTATE:
                self._gamestate(bits)
            elif op == SVC_SNAPSHOT:
                snap = self._snapshot(bits, sequence)
                if snap is not None:
                    yield snap
            else:
                raise MessageOverrun(f"unknown opcode {op}")

    def _command(self, text: str) -> None:
        self.state.commands.append((self._last_time, text))
        if text.startswith("cs "):
            index, _, rest = text[3:].partition(" ")
            if index.isdigit():
                self.state.configstrings[int(index)] = rest.strip().strip('"')

    def _gamestate(self, bits: MessageBits) -> None:
        bits.long()  # server command sequence
        while True:
            op = bits.byte()
            if op == SVC_EOF:
                break
            if op == SVC_CONFIGSTRING:
                index = bits.short()
                if not 0 <= index < MAX_CONFIGSTRINGS:
                    raise MessageOverrun(f"configstring index {index}")
                self.state.configstrings[index] = bits.string()
            elif op == SVC_BASELINE:
                number = bits.bits(GENTITYNUM_BITS)
                state = read_entity(bits, {})
                self.state.baselines[number] = state or {}
            else:
                raise MessageOverrun(f"bad gamestate opcode {op}")
        self.state.client_num = bits.long()
        bits.long()  # checksum feed

    def _snapshot(self, bits: MessageBits, sequence: int) -> Snapshot | None:
        server_time = bits.long()
        delta = bits.byte()
        flags = bits.byte()
        old = self._recent.get(sequence - delta) if delta else None
        valid = not delta or old is not None
        bits.data(bits.byte())  # area mask
        player = read_player(bits, old.player if old else None)
        entities = _read_entities(bits, old.entities if old else {}, self.state.baselines)
        if not valid:
            return None
        snap = Snapshot(server_time, sequence, flags, player, entities)
        self._recent[sequence] = snap
        self._recent.pop(sequence - PACKET_BACKUP, None)
        self._last_time = server_time
        return snap


def read_demo(path: str | Path) -> tuple[DemoState, list[Snapshot]]:
    """Every valid snapshot of the demo at ``path`` and the final :class:`DemoState`.

    Raises :class:`RecordingCorrupt` (with the record's byte offset) for a message that
    does not decode.
    """
    decoder = DemoDecoder()
    snapshots: list[Snapshot] = []
    for message in iter_messages(path):
        try:
            snapshots.extend(decoder.feed(message.sequence, message.payload))
        except MessageOverrun as exc:
            raise RecordingCorrupt(explain(
                "a demo message does not decode", expected="an ioquake3 protocol 71 "
                "server message", got=f"{exc} (record at byte {message.offset})",
                fix="check that the file is an OpenArena .dm_71 demo"),
                path=str(path)) from exc
    return decoder.state, snapshots
