"""What the arena tells about itself after a tick: a plain, JSON-ready snapshot.

SYNTHETIC. The arena process sends one with every ``shown`` reply (key ``"arena"``) and
the in-process recorder takes it from the world directly. It is *privileged* state (every
opponent's position, including those behind walls): the scripted expert
(:mod:`csgo_env.standin.arena_expert`) and coverage use it; agents under evaluation see
only the observation.

Units and frames as in :mod:`csgo_env.standin.arena_map`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csgo_env.errors import GameError, explain


@dataclass(frozen=True)
class OpponentView:
    """One opponent: ``x``, ``y`` (units), ``alive``, ``sees_player`` (ticks of sight > 0)."""

    x: float
    y: float
    alive: bool
    sees_player: bool


@dataclass(frozen=True)
class ArenaSnapshot:
    """The arena after tick ``tick``.

    ``position``/``velocity``: the player's (x, y, z) units and units/s; ``yaw_deg`` in
    [-180, 180) counter-clockwise from +x, ``pitch_deg`` +down; ``health`` 0..100; ``clip``
    rounds; ``reloading``; ``kills``/``deaths`` since the world began; ``opponents`` in a
    fixed order; ``seed`` of the world.
    """

    tick: int
    seed: int
    position: tuple[float, float, float]
    velocity: tuple[float, float, float]
    yaw_deg: float
    pitch_deg: float
    health: int
    clip: int
    reloading: bool
    kills: int
    deaths: int
    opponents: tuple[OpponentView, ...]

    @property
    def alive(self) -> bool:
        return self.health > 0

    def to_json(self) -> dict[str, Any]:
        """A dict of plain JSON types (lists for tuples)."""
        return {"tick": self.tick, "seed": self.seed, "position": list(self.position),
                "velocity": list(self.velocity), "yaw_deg": self.yaw_deg,
                "pitch_deg": self.pitch_deg, "health": self.health, "clip": self.clip,
                "reloading": self.reloading, "kills": self.kills, "deaths": self.deaths,
                "opponents": [[o.x, o.y, o.alive, o.sees_player] for o in self.opponents],
                "synthetic": True}

    @classmethod
    def from_json(cls, data: Any) -> ArenaSnapshot:
        """The inverse of :meth:`to_json`; a malformed dict raises :class:`GameError`."""
        try:
            return cls(
                tick=int(data["tick"]), seed=int(data["seed"]),
                position=_vec3(data["position"]), velocity=_vec3(data["velocity"]),
                yaw_deg=float(data["yaw_deg"]), pitch_deg=float(data["pitch_deg"]),
                health=int(data["health"]), clip=int(data["clip"]),
                reloading=bool(data["reloading"]), kills=int(data["kills"]),
                deaths=int(data["deaths"]),
                opponents=tuple(OpponentView(float(x), float(y), bool(a), bool(s))
                                for x, y, a, s in data["opponents"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise GameError(explain("malformed arena snapshot", expected="the dict of "
                                    "ArenaSnapshot.to_json", got=f"{type(exc).__name__}: "
                                    f"{exc} in {str(data)[:200]!r}")) from exc


def _vec3(values: Any) -> tuple[float, float, float]:
    x, y, z = (float(v) for v in values)
    return x, y, z
