"""The action of CSGO-Deathmatch-v0 and its lossless codec to the recordings' 51-vector.

The factored action space is ``MultiDiscrete([2]*13 + [23, 15])``:

=====  =========  ==============================================
index  name       meaning
=====  =========  ==============================================
0-3    w a s d    movement keys
4      space      jump
5      ctrl       crouch
6      shift      walk
7-9    1 2 3      primary weapon, pistol, knife
10     r          reload
11     fire       left mouse button
12     scope      right mouse button
13     mouse_x    bin index into :data:`MOUSE_X_BINS` (11 = no movement)
14     mouse_y    bin index into :data:`MOUSE_Y_BINS` (7 = no movement)
=====  =========  ==============================================

The recordings store the same information as a float64 0/1 vector of 51 entries
(``frame_{i}_y``): the 13 key/button flags, a one-hot block of 23 mouse_x bins (13..35) and a
one-hot block of 15 mouse_y bins (36..50). Mouse values are raw mouse counts per 1/16 s tick
at in-game sensitivity 2.5; +x turns right, +y looks down.

Quantisation of a continuous mouse move follows the dataset authors: clip to the outer
bins, then take the nearest bin, a tie going to the first (more negative) bin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from csgo_env.errors import InvalidAction, explain

if TYPE_CHECKING:
    from gymnasium.spaces import MultiDiscrete

KEY_NAMES: tuple[str, ...] = ("w", "a", "s", "d", "space", "ctrl", "shift", "1", "2", "3", "r")
"""The 11 keys in vector order; the names of ``infer_a`` key lists."""

BUTTON_NAMES: tuple[str, ...] = ("fire", "scope")
"""Left and right mouse buttons, vector indices 11 and 12."""

MOUSE_X_BINS: np.ndarray = np.array(
    [-1000, -500, -300, -200, -100, -60, -30, -20, -10, -4, -2, 0,
     2, 4, 10, 20, 30, 60, 100, 200, 300, 500, 1000], dtype=np.float64)
"""Mouse x bin centres in counts per tick (23 bins, +x turns right)."""

MOUSE_Y_BINS: np.ndarray = np.array(
    [-200, -100, -50, -20, -10, -4, -2, 0, 2, 4, 10, 20, 50, 100, 200], dtype=np.float64)
"""Mouse y bin centres in counts per tick (15 bins, +y looks down)."""

N_KEYS = len(KEY_NAMES)
N_BUTTONS = len(BUTTON_NAMES)
N_BINARY = N_KEYS + N_BUTTONS  # 13
N_MOUSE_X = len(MOUSE_X_BINS)  # 23
N_MOUSE_Y = len(MOUSE_Y_BINS)  # 15
VECTOR_SIZE = N_BINARY + N_MOUSE_X + N_MOUSE_Y  # 51
MOUSE_X_SLICE = slice(N_BINARY, N_BINARY + N_MOUSE_X)  # 13..35
MOUSE_Y_SLICE = slice(N_BINARY + N_MOUSE_X, VECTOR_SIZE)  # 36..50
MOUSE_X_ZERO_BIN = int(np.flatnonzero(MOUSE_X_BINS == 0)[0])  # 11
MOUSE_Y_ZERO_BIN = int(np.flatnonzero(MOUSE_Y_BINS == 0)[0])  # 7
NVEC: tuple[int, ...] = (2,) * N_BINARY + (N_MOUSE_X, N_MOUSE_Y)
"""``nvec`` of the factored action space (15 components)."""

FIRE_INDEX = N_KEYS  # 11
SCOPE_INDEX = N_KEYS + 1  # 12
MOUSE_X_INDEX = N_BINARY  # 13
MOUSE_Y_INDEX = N_BINARY + 1  # 14
"""Positions in the factored action (15,) of the buttons and the two mouse bins."""
KEY_INDEX: Mapping[str, int] = MappingProxyType({name: i for i, name in enumerate(KEY_NAMES)})
"""Key name -> position in the factored action and in the 51-vector."""


M_YAW_DEG = 0.022
"""Degrees of view rotation per mouse count at sensitivity 1 (the games' ``m_yaw`` and
``m_pitch``)."""
SENSITIVITY = 2.5
"""The in-game mouse sensitivity the recordings were made with."""
DEG_PER_COUNT = M_YAW_DEG * SENSITIVITY  # 0.055
"""Degrees of view rotation per mouse count at the recordings' settings (+x turns right,
+y looks down)."""


def action_space(seed: int | None = None) -> MultiDiscrete:
    """Return the factored action space ``MultiDiscrete([2]*13 + [23, 15])`` (int64)."""
    from gymnasium.spaces import MultiDiscrete

    return MultiDiscrete(np.array(NVEC, dtype=np.int64), dtype=np.int64, seed=seed)


def quantize_mouse_x(dx: float | np.ndarray) -> np.ndarray:
    """Bin index (int64) of mouse x counts: clip to +-1000, nearest bin, ties to the lower bin."""
    return _quantize(dx, MOUSE_X_BINS, "mouse_x")


def quantize_mouse_y(dy: float | np.ndarray) -> np.ndarray:
    """Bin index (int64) of mouse y counts: clip to +-200, nearest bin, ties to the lower bin."""
    return _quantize(dy, MOUSE_Y_BINS, "mouse_y")


def _quantize(value: float | np.ndarray, bins: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise InvalidAction(explain(f"{name} must be finite", expected="finite mouse counts",
                                    got=repr(value), fix="drop NaN/inf moves before quantising"))
    clipped = np.clip(arr, bins[0], bins[-1])
    # argmin returns the first minimum: a tie goes to the more negative bin.
    return np.argmin(np.abs(clipped[..., None] - bins), axis=-1).astype(np.int64)


@dataclass(frozen=True)
class Action:
    """One tick of input: held keys, mouse buttons and a quantised mouse move.

    ``keys`` holds names from :data:`KEY_NAMES`; ``mouse_x_bin``/``mouse_y_bin`` index
    :data:`MOUSE_X_BINS`/:data:`MOUSE_Y_BINS`. The default is the no-op action (no keys, no
    clicks, zero bins), which is what frame 0 of every recording carries.
    """

    keys: frozenset[str] = frozenset()
    fire: bool = False
    scope: bool = False
    mouse_x_bin: int = MOUSE_X_ZERO_BIN
    mouse_y_bin: int = MOUSE_Y_ZERO_BIN

    def __post_init__(self) -> None:
        keys = frozenset(self.keys)
        unknown = sorted(keys - set(KEY_NAMES))
        if unknown:
            raise InvalidAction(explain("unknown key name", expected=f"names from {KEY_NAMES}",
                                        got=repr(unknown), fix="use the names of KEY_NAMES"))
        object.__setattr__(self, "keys", keys)
        for name, value, n in (("mouse_x_bin", self.mouse_x_bin, N_MOUSE_X),
                               ("mouse_y_bin", self.mouse_y_bin, N_MOUSE_Y)):
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                raise InvalidAction(explain(f"{name} must be an integer bin index",
                                            expected=f"int in [0, {n})",
                                            got=f"{type(value).__name__} {value!r}"))
            if not 0 <= int(value) < n:
                raise InvalidAction(explain(f"{name} out of range", expected=f"0 <= bin < {n}",
                                            got=str(value),
                                            fix="quantise counts with Action.from_mouse"))
            object.__setattr__(self, name, int(value))
        object.__setattr__(self, "fire", bool(self.fire))
        object.__setattr__(self, "scope", bool(self.scope))

    # --- mouse counts ------------------------------------------------------------------
    @property
    def mouse_dx(self) -> int:
        """Mouse x move in counts per tick (the bin centre; +x turns right)."""
        return int(MOUSE_X_BINS[self.mouse_x_bin])

    @property
    def mouse_dy(self) -> int:
        """Mouse y move in counts per tick (the bin centre; +y looks down)."""
        return int(MOUSE_Y_BINS[self.mouse_y_bin])

    @classmethod
    def from_mouse(cls, dx: float = 0.0, dy: float = 0.0, *, keys: Iterable[str] = (),
                   fire: bool = False, scope: bool = False) -> Action:
        """Build an action from continuous mouse counts, quantised as the recordings are."""
        return cls(frozenset(keys), fire, scope, int(quantize_mouse_x(dx)),
                   int(quantize_mouse_y(dy)))

    # --- factored (MultiDiscrete) form ---------------------------------------------------
    def to_multidiscrete(self) -> np.ndarray:
        """The factored action: int64 array of shape (15,)."""
        out = np.zeros(len(NVEC), dtype=np.int64)
        for key in self.keys:
            out[KEY_INDEX[key]] = 1
        out[FIRE_INDEX] = self.fire
        out[SCOPE_INDEX] = self.scope
        out[N_BINARY] = self.mouse_x_bin
        out[N_BINARY + 1] = self.mouse_y_bin
        return out

    @classmethod
    def from_multidiscrete(cls, action: Sequence[int] | np.ndarray) -> Action:
        """Inverse of :meth:`to_multidiscrete`; validates length and ranges."""
        arr = check_multidiscrete(action)
        keys = frozenset(name for name, flag in zip(KEY_NAMES, arr[:N_KEYS], strict=True) if flag)
        return cls(keys, bool(arr[FIRE_INDEX]), bool(arr[SCOPE_INDEX]), int(arr[N_BINARY]),
                   int(arr[N_BINARY + 1]))

    # --- 51-vector form ------------------------------------------------------------------
    def to_vector(self) -> np.ndarray:
        """The recordings' form: float64 0/1 array of shape (51,)."""
        return multidiscrete_to_vectors(self.to_multidiscrete())

    @classmethod
    def from_vector(cls, vector: Sequence[float] | np.ndarray) -> Action:
        """Inverse of :meth:`to_vector`; validates length, 0/1 values and one-hot blocks."""
        return cls.from_multidiscrete(vectors_to_multidiscrete(vector))

    # --- infer_a form (metadata) ---------------------------------------------------------
    def to_infer_a(self) -> list:
        """The metadata form ``[keys_pressed, mouse_x, mouse_y, left, right]``.

        Keys come in :data:`KEY_NAMES` order; mouse values are the bin centres as floats.
        """
        keys = [k for k in KEY_NAMES if k in self.keys]
        return [keys, float(self.mouse_dx), float(self.mouse_dy), int(self.fire),
                int(self.scope)]

    @classmethod
    def from_infer_a(cls, infer_a: Sequence) -> Action:
        """Build from ``[keys_pressed, mouse_x, mouse_y, left, right]`` (mouse unquantised)."""
        if not isinstance(infer_a, (list, tuple)) or len(infer_a) != 5:
            raise InvalidAction(explain(
                "infer_a must be [keys_pressed, mouse_x, mouse_y, left, right]",
                expected="a list of 5 items", got=repr(infer_a)[:120]))
        keys, dx, dy, left, right = infer_a
        if isinstance(keys, str) or not isinstance(keys, Iterable):
            raise InvalidAction(explain("infer_a[0] must be a list of key names",
                                        expected=f"names from {KEY_NAMES}", got=repr(keys)))
        for name, flag in (("left", left), ("right", right)):
            if flag not in (0, 1, True, False):
                raise InvalidAction(explain(f"infer_a {name} click must be 0 or 1",
                                            got=repr(flag)))
        return cls.from_mouse(float(dx), float(dy), keys=keys, fire=bool(left),
                              scope=bool(right))


def check_multidiscrete(action: Sequence[int] | np.ndarray) -> np.ndarray:
    """Validate factored action(s) of shape (..., 15) and return them as int64."""
    arr = np.asarray(action)
    if arr.ndim == 0 or arr.shape[-1] != len(NVEC):
        raise InvalidAction(explain("factored action has the wrong shape",
                                    expected=f"(..., {len(NVEC)})", got=str(arr.shape)))
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise InvalidAction(explain("factored action must hold integers",
                                        got=f"non-integer values of dtype {arr.dtype}"))
    elif arr.dtype.kind not in "iub":
        raise InvalidAction(explain("factored action must be numeric", got=str(arr.dtype)))
    arr = arr.astype(np.int64)
    bad = (arr < 0) | (arr >= np.array(NVEC))
    if np.any(bad):
        where = np.argwhere(bad)[0]
        raise InvalidAction(explain(
            f"factored action component {int(where[-1])} out of range",
            expected=f"0 <= value < {NVEC[int(where[-1])]}", got=str(arr[tuple(where)])))
    return arr


def vectors_to_multidiscrete(vectors: Sequence[float] | np.ndarray) -> np.ndarray:
    """Convert 51-vector(s) of shape (..., 51) to factored actions (..., 15) int64.

    Raises :class:`InvalidAction` unless every entry is exactly 0 or 1 and each mouse block
    has exactly one bin set (the recordings never hold an all-zero mouse block).
    """
    arr = np.asarray(vectors, dtype=np.float64)
    if arr.ndim == 0 or arr.shape[-1] != VECTOR_SIZE:
        raise InvalidAction(explain("action vector has the wrong shape",
                                    expected=f"(..., {VECTOR_SIZE})", got=str(arr.shape)))
    not_binary = (arr != 0.0) & (arr != 1.0)
    if np.any(not_binary):
        where = np.argwhere(not_binary)[0]
        raise InvalidAction(explain(f"action vector entry {int(where[-1])} is not 0 or 1",
                                    expected="0.0 or 1.0", got=repr(float(arr[tuple(where)]))))
    for name, block in (("mouse_x", arr[..., MOUSE_X_SLICE]), ("mouse_y", arr[..., MOUSE_Y_SLICE])):
        counts = block.sum(axis=-1)
        if np.any(counts != 1):
            where = np.argwhere(counts != 1)[0]
            raise InvalidAction(explain(
                f"{name} block must be one-hot", expected="exactly one bin set",
                got=f"{int(counts[tuple(where)])} bins set"
                    + (f" at row {tuple(int(i) for i in where)}" if where.size else "")))
    out = np.empty((*arr.shape[:-1], len(NVEC)), dtype=np.int64)
    out[..., :N_BINARY] = arr[..., :N_BINARY]
    out[..., N_BINARY] = np.argmax(arr[..., MOUSE_X_SLICE], axis=-1)
    out[..., N_BINARY + 1] = np.argmax(arr[..., MOUSE_Y_SLICE], axis=-1)
    return out


def multidiscrete_to_vectors(actions: Sequence[int] | np.ndarray) -> np.ndarray:
    """Convert factored action(s) of shape (..., 15) to 51-vector(s) (..., 51) float64."""
    arr = check_multidiscrete(actions)
    out = np.zeros((*arr.shape[:-1], VECTOR_SIZE), dtype=np.float64)
    out[..., :N_BINARY] = arr[..., :N_BINARY]
    lead = np.indices(arr.shape[:-1])
    x_hot = (*lead, N_BINARY + arr[..., N_BINARY])
    y_hot = (*lead, MOUSE_Y_SLICE.start + arr[..., N_BINARY + 1])
    out[x_hot] = 1.0
    out[y_hot] = 1.0
    return out


NOOP = Action()
"""The default action: no keys, no clicks, zero mouse bins."""
