"""Scheduling for a thread that waits for deadlines: wake on time even with busy cores.

With every core busy, a thread woken by its timer can wait for a CPU-bound task's time
slice to end (up to a 4 ms scheduler tick). Two remedies on Linux, for the calling thread:

* **real-time wait**: switch to ``SCHED_FIFO`` (priority 1) just before sleeping and back
  to the previous policy after the deadline (at once, or after the caller's short
  critical section, see below), so the wake-up preempts at once but the caller's own
  work runs at real-time priority for that short section at most. Needs ``CAP_SYS_NICE``
  or an ``RLIMIT_RTPRIO`` of at least 1 (e.g. ``@audio - rtprio 10`` in limits.conf).
* **short slice**: on Linux >= 6.12 (EEVDF) a normal thread may request its own slice
  (``sched_runtime``, 0.1-100 ms, no privilege needed); a shorter slice gives an earlier
  virtual deadline, so the woken thread usually preempts. Its CPU share is unchanged.

Both go through ``sched_setattr(2)``; policy, nice value and flags not named are kept.
Elsewhere (other systems, older kernels, seccomp filters) :func:`prepare_waits` reports
mode ``"default"`` and nothing changes.

Dropping back from real-time priority makes the kernel reschedule at once: with every core
busy, a thread that has just run its share of CPU then waits for a busy task's slice
(measured here: p99 16 ms with two busy processes on two cores). So the drop can be
deferred: ``WaitScheduling.enter_wait(drop_by=...)`` keeps the priority for the caller's
short critical section after the deadline (e.g. grab the frame) and a process-wide helper
thread (itself real-time) drops it at ``drop_by`` at the latest, unless the caller drops
it first with :meth:`WaitScheduling.leave_wait`. The helper is told when the wait begins,
so waking it costs nothing at the deadline.
"""

from __future__ import annotations

import ctypes
import heapq
import os
import platform
import sys
import threading
import time
from dataclasses import dataclass, field

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


def _set(attr: _SchedAttr, tid: int = 0) -> bool:
    """Apply ``attr`` to thread ``tid`` (0: the calling thread); True on success."""
    calls = _syscalls()
    if calls is None:
        return False
    libc, set_nr, _ = calls
    return libc.syscall(set_nr, tid, ctypes.byref(attr), 0) == 0


def _copy(attr: _SchedAttr, **changes: int) -> _SchedAttr:
    out = _SchedAttr.from_buffer_copy(attr)
    for name, value in changes.items():
        setattr(out, name, value)
    return out


@dataclass
class WaitScheduling:
    """How the calling thread waits: ``mode`` is ``"realtime"``, ``"short-slice"`` or
    ``"default"``; ``slice_s`` the granted slice (None: the kernel's default).

    Only the thread that called :func:`prepare_waits` may call :meth:`enter_wait`; the
    drop (:meth:`leave_wait`) is safe from any thread.
    """

    mode: str
    slice_s: float | None
    _normal: _SchedAttr | None = None
    _realtime: _SchedAttr | None = None
    tid: int = 0
    """Kernel id of the thread this scheduling belongs to (0: none changed)."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _raised: bool = False
    _epoch: int = 0  # counts raises: a drop scheduled before the latest raise is stale

    @property
    def raised(self) -> bool:
        """Whether the thread is at real-time priority now."""
        return self._raised

    def enter_wait(self, drop_by: float | None = None) -> bool:
        """Before sleeping towards a deadline: raise to real-time priority (a no-op unless
        ``mode == "realtime"``).

        ``drop_by`` (``time.perf_counter()`` seconds, after the deadline): keep the raised
        priority past the deadline, for the caller's short critical section, until
        :meth:`leave_wait` or the next :meth:`enter_wait`, but at the latest until
        ``drop_by``, when a helper thread drops it (plus up to the interpreter's switch
        interval while this thread holds the GIL). The helper is told now, during the
        wait, so nothing of it runs at the deadline. None: the caller drops it itself.

        Returns whether a drop at ``drop_by`` is scheduled (False when nothing was raised,
        or when no helper thread can start, e.g. at interpreter exit: drop it yourself).
        """
        if self._realtime is None:
            return False
        with self._lock:
            self._epoch += 1
            epoch = self._epoch
            if not self._raised:
                self._raised = _set(self._realtime, self.tid)
        if drop_by is None:
            _DEMOTER.cancel(self)
            return False
        return self._raised and _DEMOTER.schedule(self, drop_by, epoch)

    def leave_wait(self) -> None:
        """Back to the thread's normal scheduling now (idempotent, cheap when not raised)."""
        if self._realtime is None or not self._raised:
            return
        _DEMOTER.cancel(self)  # the helper need not wake (nor take the GIL) for it
        self._drop()

    def _drop(self, epoch: int | None = None) -> None:
        """Drop now; with ``epoch``, only if no raise came after the drop was scheduled."""
        with self._lock:
            if epoch is not None and epoch != self._epoch:
                return
            if self._raised and self._normal is not None:
                _set(self._normal, self.tid)
                self._raised = False


class _Demoter:
    """One helper thread per process that drops raised priorities when they fall due.

    It runs at real-time priority 2 (or 1) itself, so it preempts a waiting thread's
    busy neighbours and a real-time thread at priority 1 on the same core.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._due: dict[int, tuple[float, int, WaitScheduling]] = {}
        self._heap: list[tuple[float, int]] = []
        self._thread: threading.Thread | None = None

    def schedule(self, sched: WaitScheduling, due: float, epoch: int) -> bool:
        with self._cond:
            if self._thread is None or not self._thread.is_alive():
                try:
                    self._thread = threading.Thread(target=self._run, daemon=True,
                                                    name="csgo_env-priority-drop")
                    self._thread.start()
                except RuntimeError:  # interpreter shutting down
                    return False
            self._due[id(sched)] = (due, epoch, sched)
            heapq.heappush(self._heap, (due, id(sched)))
            self._cond.notify()
        return True

    def cancel(self, sched: WaitScheduling) -> None:
        if id(sched) not in self._due:
            return
        with self._cond:
            self._due.pop(id(sched), None)

    def _run(self) -> None:
        attr = _get()
        if attr is not None:
            for priority in (2, 1):
                if _set(_copy(attr, sched_policy=os.SCHED_FIFO, sched_priority=priority,
                              sched_runtime=0, sched_nice=0)):
                    break
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                due, key = self._heap[0]
                entry = self._due.get(key)
                if entry is None or entry[0] != due:  # cancelled or rescheduled
                    heapq.heappop(self._heap)
                    continue
                remaining = due - time.perf_counter()
                if remaining > 0:
                    self._cond.wait(remaining)
                    continue
                heapq.heappop(self._heap)
                del self._due[key]
                _, epoch, sched = entry
            sched._drop(epoch)

    def _after_fork(self) -> None:
        self._cond = threading.Condition()
        self._due, self._heap, self._thread = {}, [], None


_DEMOTER = _Demoter()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_DEMOTER._after_fork)


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
            return WaitScheduling("realtime", None, attr, rt, threading.get_native_id())
    if slice_s is not None:
        runtime = int(min(max(slice_s, MIN_SLICE_S), MAX_SLICE_S) * 1e9)
        if _set(_copy(attr, sched_runtime=runtime)):
            granted = (_get() or attr).sched_runtime / 1e9
            if granted:
                return WaitScheduling("short-slice", granted)
    return WaitScheduling("default", None)
