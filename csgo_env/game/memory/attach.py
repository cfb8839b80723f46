"""The memory wiring, written once: offsets file -> opened process -> pose reader.

:func:`open_pose_source` is what the live session and the doctor both call; the recorder
reuses it too. Only reads: nothing here can write to the game.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from csgo_env.game.memory.offsets import Offsets, load_offsets
from csgo_env.game.memory.pose import Pose, PoseReader
from csgo_env.game.memory.readers import ProcessMemory, open_process
from csgo_env.game.profiles import GameProfile


class PoseProvider(Protocol):
    """What the session reads the pose from: this module's :class:`PoseSource`, or a game's
    own reader (OpenArena's client memory)."""

    def read(self) -> Pose:
        """One pose; raises a :class:`~csgo_env.errors.GameError` when it cannot be read."""
        ...

    def close(self) -> None:
        """Release the reader (idempotent)."""
        ...


@dataclass
class PoseSource:
    """An opened process with the offsets and the pose reader that follow its pointers."""

    memory: ProcessMemory
    offsets: Offsets
    reader: PoseReader

    def read(self) -> Pose:
        """One pose (see :meth:`PoseReader.read` for what it raises)."""
        return self.reader.read()

    def close(self) -> None:
        """Close the process handle (idempotent)."""
        self.memory.close()


def open_pose_source(offsets_path: str | Path, profile: GameProfile, pid: int, *,
                     backend: str = "auto", follow_observed: bool = False) -> PoseSource:
    """Load ``offsets_path`` for ``profile``, open process ``pid`` read-only with ``backend``
    and build the pose reader (``follow_observed``: a spectator reads the player it
    watches); the handle is closed again if the reader cannot be built."""
    offsets = load_offsets(offsets_path, game=profile.name)
    memory = open_process(pid, backend=backend)
    try:
        return PoseSource(memory, offsets, PoseReader(memory, offsets, profile,
                                                       follow_observed=follow_observed))
    except BaseException:
        memory.close()
        raise
