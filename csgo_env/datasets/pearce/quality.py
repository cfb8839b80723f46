"""The dataset authors' per-file quality statistics and flags.

While labelling, Pearce & Zhu counted per recording and deleted files over these limits
(their script ``dm_infer_actions.py``,
https://github.com/TeaPearce/Counter-Strike_Behavioural_Cloning):

=====================  =========================================================  =====
statistic              counted over frames 1..n-1                                 flag
=====================  =========================================================  =====
``dead_frames``        skipped (see below) with memory health 0                   > 200
``skipped_other``      skipped for another reason (no active weapon, GSI 0 only)  --
``hp_disagree``        memory health differs from GSI health now and one frame    > 20
                       before (GSI may lag a frame)
``ammo_disagree``      memory clip ammo differs from GSI's, likewise              > 20
``not_first_person``   observer mode other than 4 (first person)                  > 0
``static_mouse``       yaw changed by less than 0.001 rad                         > 650
``static_movement``    horizontal speed below 0.01                                > 350
=====================  =========================================================  =====

A frame is skipped when GSI health is 0 or no weapon is active, at it or one frame
before; the last five statistics count only frames that are not skipped, as the authors'
script did. Thresholds are for 1000-frame files.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from csgo_env.datasets.pearce.infer_rules import processed_frames
from csgo_env.datasets.pearce.metadata_columns import MetadataColumns

LIMITS: dict[str, int] = {"dead_frames": 200, "hp_disagree": 20, "ammo_disagree": 20,
                          "not_first_person": 0, "static_mouse": 650, "static_movement": 350}
"""A file is flagged for each statistic above its limit (the authors' values)."""
FIRST_PERSON = 4
STATIC_YAW_RAD = 0.001
STATIC_SPEED = 0.01


@dataclass
class FileQuality:
    """The statistics of one recording's metadata and the flags they raise."""

    name: str
    frames: int
    dead_frames: int
    skipped_other: int
    hp_disagree: int
    ammo_disagree: int
    not_first_person: int
    static_mouse: int
    static_movement: int
    flags: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether no statistic is over its limit."""
        return not self.flags

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, with ``ok``."""
        return {**asdict(self), "ok": self.ok}


def file_quality(c: MetadataColumns, *, name: str,
                 limits: dict[str, int] | None = None) -> FileQuality:
    """Count the statistics of one recording's metadata columns and flag them."""
    limits = LIMITS if limits is None else limits
    processed = processed_frames(c)
    judged = np.zeros(c.num_frames, dtype=bool)
    judged[1:] = True
    skipped = judged & ~processed
    prev = np.roll(np.arange(c.num_frames), 1)
    hp = (c.obs_health != c.gsi_health) & (c.obs_health[prev] != c.gsi_health)
    known_ammo = ~np.isnan(c.gsi_ammo)
    ammo = known_ammo & (c.ammo_active != c.gsi_ammo) & (c.ammo_active[prev] != c.gsi_ammo)
    dyaw = np.abs(c.xy_rad - c.xy_rad[prev])
    out = FileQuality(
        name=name, frames=c.num_frames,
        dead_frames=int((skipped & (c.obs_health == 0)).sum()),
        skipped_other=int((skipped & (c.obs_health != 0)).sum()),
        hp_disagree=int((processed & hp).sum()), ammo_disagree=int((processed & ammo).sum()),
        not_first_person=int((processed & (c.obs_mode != FIRST_PERSON)).sum()),
        static_mouse=int((processed & (dyaw < STATIC_YAW_RAD)).sum()),
        static_movement=int((processed & (c.vel_mag < STATIC_SPEED)).sum()))
    out.flags = [key for key, limit in limits.items() if getattr(out, key) > limit]
    return out


COLUMNS = (("dead_frames", "dead"), ("skipped_other", "skip"), ("hp_disagree", "hp!="),
           ("ammo_disagree", "ammo!="), ("not_first_person", "3rd-p"),
           ("static_mouse", "still-mouse"), ("static_movement", "still-move"))


def quality_table(rows: list[FileQuality]) -> str:
    """A plain-text table, one line per file, flagged values marked with ``*``."""
    name_width = max([len("file"), *(len(r.name) for r in rows)])
    head = f"{'file':<{name_width}}  {'frames':>6}  " + "  ".join(
        f"{label:>11}" for _, label in COLUMNS) + "  flags"
    lines = [head, "-" * len(head)]
    for r in rows:
        cells = [f"{getattr(r, key)}{'*' if key in r.flags else ''}" for key, _ in COLUMNS]
        lines.append(f"{r.name:<{name_width}}  {r.frames:>6}  "
                     + "  ".join(f"{cell:>11}" for cell in cells)
                     + f"  {', '.join(r.flags) if r.flags else 'ok'}")
    return "\n".join(lines)


__all__ = ["LIMITS", "FileQuality", "file_quality", "quality_table"]
