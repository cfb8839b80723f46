"""The delta-compression field tables of protocol 71 (facts of ioquake3's ``msg.c``).

A delta-compressed state is sent as a count ``lc`` of leading fields that may have changed,
then per field one "changed" bit and, when set, the new value. Each table row is
``(name, bits)``: ``bits == 0`` marks a 32-bit float (sent as a 13-bit biased integer when
integral, else as its raw bits); a negative ``bits`` marks a signed integer of ``-bits``
bits. Array elements are named ``name[i]``. The order is the wire order.
"""

from __future__ import annotations

GENTITYNUM_BITS = 10
"""Bits of an entity number; ``2**10 - 1`` ends an entity list (``ENTITYNUM_NONE``)."""
MAX_GENTITIES = 1 << GENTITYNUM_BITS
FLOAT_INT_BITS = 13
FLOAT_INT_BIAS = 1 << (FLOAT_INT_BITS - 1)
MAX_STATS = 16
MAX_PERSISTANT = 16
MAX_WEAPONS = 16
MAX_POWERUPS = 16
MAX_CONFIGSTRINGS = 1024
PACKET_BACKUP = 32
"""Snapshots a delta may refer back to."""

ENTITY_FIELDS: tuple[tuple[str, int], ...] = (
    ("pos.trTime", 32), ("pos.trBase[0]", 0), ("pos.trBase[1]", 0),
    ("pos.trDelta[0]", 0), ("pos.trDelta[1]", 0), ("pos.trBase[2]", 0),
    ("apos.trBase[1]", 0), ("pos.trDelta[2]", 0), ("apos.trBase[0]", 0),
    ("event", 10), ("angles2[1]", 0), ("eType", 8), ("torsoAnim", 8),
    ("eventParm", 8), ("legsAnim", 8), ("groundEntityNum", GENTITYNUM_BITS),
    ("pos.trType", 8), ("eFlags", 19), ("otherEntityNum", GENTITYNUM_BITS),
    ("weapon", 8), ("clientNum", 8), ("angles[1]", 0), ("pos.trDuration", 32),
    ("apos.trType", 8), ("origin[0]", 0), ("origin[1]", 0), ("origin[2]", 0),
    ("solid", 24), ("powerups", MAX_POWERUPS), ("modelindex", 8),
    ("otherEntityNum2", GENTITYNUM_BITS), ("loopSound", 8), ("generic1", 8),
    ("origin2[2]", 0), ("origin2[0]", 0), ("origin2[1]", 0), ("modelindex2", 8),
    ("angles[0]", 0), ("time", 32), ("apos.trTime", 32), ("apos.trDuration", 32),
    ("apos.trBase[2]", 0), ("apos.trDelta[0]", 0), ("apos.trDelta[1]", 0),
    ("apos.trDelta[2]", 0), ("time2", 32), ("angles[2]", 0), ("angles2[0]", 0),
    ("angles2[2]", 0), ("constantLight", 32), ("frame", 16),
)
"""``entityState_t`` (51 fields)."""

PLAYER_FIELDS: tuple[tuple[str, int], ...] = (
    ("commandTime", 32), ("origin[0]", 0), ("origin[1]", 0), ("bobCycle", 8),
    ("velocity[0]", 0), ("velocity[1]", 0), ("viewangles[1]", 0), ("viewangles[0]", 0),
    ("weaponTime", -16), ("origin[2]", 0), ("velocity[2]", 0), ("legsTimer", 8),
    ("pm_time", -16), ("eventSequence", 16), ("torsoAnim", 8), ("movementDir", 4),
    ("events[0]", 8), ("legsAnim", 8), ("events[1]", 8), ("pm_flags", 16),
    ("groundEntityNum", GENTITYNUM_BITS), ("weaponstate", 4), ("eFlags", 16),
    ("externalEvent", 10), ("gravity", 16), ("speed", 16), ("delta_angles[1]", 16),
    ("externalEventParm", 8), ("viewheight", -8), ("damageEvent", 8), ("damageYaw", 8),
    ("damagePitch", 8), ("damageCount", 8), ("generic1", 8), ("pm_type", 8),
    ("delta_angles[0]", 16), ("delta_angles[2]", 16), ("torsoTimer", 12),
    ("eventParms[0]", 8), ("eventParms[1]", 8), ("clientNum", 8), ("weapon", 5),
    ("viewangles[2]", 0), ("grapplePoint[0]", 0), ("grapplePoint[1]", 0),
    ("grapplePoint[2]", 0), ("jumppad_ent", GENTITYNUM_BITS), ("loopSound", 16),
)
"""``playerState_t`` (48 fields); the arrays ``stats``, ``persistant``, ``ammo`` (16-bit
each) and ``powerups`` (32-bit) follow as bit-masked lists."""

# Server-to-client message opcodes (``svc_ops_e``).
SVC_NOP = 1
SVC_GAMESTATE = 2
SVC_CONFIGSTRING = 3
SVC_BASELINE = 4
SVC_SERVERCOMMAND = 5
SVC_DOWNLOAD = 6
SVC_SNAPSHOT = 7
SVC_EOF = 8
