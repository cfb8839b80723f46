"""Whether a process id is in use on this host (for sweeping what dead processes left)."""

from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    """True when ``pid`` names a running process (one of another user's counts: the
    signal-0 probe is refused, not failed), False when no process has it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


__all__ = ["pid_alive"]
