"""Sizes of the public HDF5 layout, defined once (no imports beyond the observation contract).

A public file holds ``FRAMES_PER_FILE`` frames; frame ``i`` has four datasets named
``frame_{i}_{kind}`` for each kind of :data:`KINDS` (see :mod:`csgo_env.datasets.pearce.reader`
for their shapes and meaning). The screenshot has the observation's shape, stored BGR.
"""

from __future__ import annotations

from csgo_env.observations import OBS_SHAPE

FRAMES_PER_FILE = 1000
"""Frames in one public recording (62.5 s at 16 Hz)."""
FRAME_SHAPE: tuple[int, int, int] = OBS_SHAPE
"""Height, width, channels of one screenshot (the observation's shape)."""
XAUX_SIZE = 54
"""Entries of ``frame_{i}_xaux``: the previous 3 actions plus health, ammo and team."""
HELPER_SIZE = 2
"""Entries of ``frame_{i}_helperarr``: the ``[kill, death]`` flags of the tick."""
KINDS: tuple[str, ...] = ("x", "xaux", "y", "helperarr")
"""Dataset suffixes per frame, in the order the public files were written."""
