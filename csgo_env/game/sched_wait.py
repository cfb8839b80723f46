"""Scheduling for a thread that waits for deadlines: wake on time even with busy cores.

With every core busy, a thread woken by its timer can wait for a CPU-bound task's time
slice to end (up to a 4 ms scheduler tick). Two remedies on Linux, for the calling thread:

* **real-time wait**: switch to ``SCHED_FIFO`` (priority 1) just before sleeping and back
  to the previous policy right after the deadline, so the wake-up preempts at once but
  the caller's own work never runs at real-time priority. Needs ``CAP_SYS_NICE`` or an
  ``RLIMIT_RTPRIO`` of at least 1 (e.g. ``@audio - rtprio 10`` in limits.conf).
* **short slice**: on Linux >= 6.12 (EEVDF) a normal thread may request its own slice
  (``sched_runtime``, 0.1-100 ms, no privilege needed); a shorter slice gives an earlier
  virtual deadline, so the woken thread usually preempts. Its CPU share is unchanged.

Both go through ``sched_setattr(2)``; policy, nice value and flags not named are kept.
Elsewhere (other systems, older kernels, seccomp filters) :func:`prepare_waits` reports
mode ``"default"`` and nothing changes.
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys
from dataclasses import dataclass

_SYSCALLS = {"x86_64": (314, 315), "aarch64": (274, 275)}  # (sched_setattr, sched_getattr)
MIN_SLICE_S = 100e-6
MAX_SLICE_S = 0.1


class _SchedAttr(ctypes.Structure):
    _fields_ = [("size", ctypes.c_uint32), ("sched_policy", ctypes.c_uint32),
                ("sched_flags", ctypes.c_uint64), ("sched_nice", ctypes.c_int32),
                ("sched_priority", ctypes.c_uint32), ("sched_runtime", ctypes.c_uint64),
                ("sched_deadline", ctypes.c_uint64), ("sched_period", ctypes.c_uint64),
                ("sched_util_min", ctypes.c_uint32), ("sched_util_max", ctypes.c_uint32)]


def _syscalls() -> tuple[ctypes.CDLL, int, int] | None:
    if not sys.platform.startswith("linux") or platform.machine() not in _SYSCALLS:
        return None
    set_nr, get_nr = _SYSCALLS[platform.machine()]
    return ctypes.CDLL(None, use_errno=True), set_nr, get_nr


def _get() -> _SchedAttr | None:
    calls = _syscalls()
    if calls is None:
        return None
    libc, _, get_nr = calls
    attr = _SchedAttr()
    if libc.syscall(get_nr, 0, ctypes.byref(attr), ctypes.sizeof(attr), 0) != 0:
        return None
    attr.size = ctypes.sizeof(attr)
    return attr


def _set(attr: _SchedAttr) -> bool:
    calls = _syscalls()
    if calls is None:
        return False
    libc, set_nr, _ = calls
    return libc.syscall(set_nr, 0, ctypes.byref(attr), 0) == 0


def _copy(attr: _SchedAttr, **changes: int) -> _SchedAttr:
    out = _SchedAttr.from_buffer_copy(attr)
    for name, value in changes.items():
        setattr(out, name, value)
    return out


@dataclass
class WaitScheduling:
    """How the calling thread waits: ``mode`` is ``"realtime"``, ``"short-slice"`` or
    ``"default"``; ``slice_s`` the granted slice (None: the kernel's default)."""

    mode: str
    slice_s: float | None
    _normal: _SchedAttr | None = None
    _realtime: _SchedAttr | None = None

    def enter_wait(self) -> None:
        """Before sleeping towards a deadline (a no-op unless ``mode == "realtime"``)."""
        if self._realtime is not None:
            _set(self._realtime)

    def leave_wait(self) -> None:
        """Right after the deadline: back to the thread's normal scheduling."""
        if self._realtime is not None:
            assert self._normal is not None, "saved together with the real-time attributes"
            _set(self._normal)


def prepare_waits(*, realtime: bool = True, slice_s: float | None = 0.0001) -> WaitScheduling:
    """Set up the calling thread for deadline waits; see the module docstring.

    ``realtime``: use the real-time wait if permitted (the thread's normal scheduling is
    then left unchanged). Otherwise ``slice_s`` is requested as the thread's slice from now
    on (None: leave it alone). Only a thread with the normal policy (``SCHED_OTHER``) is
    changed.
    """
    attr = _get()
    if attr is None or attr.sched_policy != os.SCHED_OTHER:
        return WaitScheduling("default", None)
    if realtime:  # preferred: the thread's normal scheduling stays exactly as it was
        rt = _copy(attr, sched_policy=os.SCHED_FIFO, sched_priority=1, sched_runtime=0,
                   sched_nice=0)
        if _set(rt):
            _set(attr)
            return WaitScheduling("realtime", None, attr, rt)
    if slice_s is not None:
        runtime = int(min(max(slice_s, MIN_SLICE_S), MAX_SLICE_S) * 1e9)
        if _set(_copy(attr, sched_runtime=runtime)):
            granted = (_get() or attr).sched_runtime / 1e9
            if granted:
                return WaitScheduling("short-slice", granted)
    return WaitScheduling("default", None)
