"""Writing recordings from a child process, so the 16 Hz loop never waits for the disk.

The recorder hands each tick's frame and ``curr_vars`` to :class:`RecordingWriter`: the
frame goes into a ring of frames in shared memory (``multiprocessing.shared_memory``: no
disk behind it, so the loop is never throttled by the page cache's writeback; where shared
memory cannot be had, a memory-mapped temporary file beside the recordings), and a small
message (file number, frame index, ring slot, ``curr_vars``) goes over a pipe to the writer
process, which runs behind the loop (nice 19, Linux's batch scheduling class) and flushes
what it wrote every 32 frames, so the disk never gets a file's worth at once. That
process appends the frame to the recording's temporary HDF5 file in the public layout
(:class:`~csgo_env.datasets.pearce.write.RecordingStream`), with

- ``y`` the default action (labels come later from ``csgo-env infer-actions``),
- ``helperarr`` ``[kill, death]`` from the GSI counters as the inference computes them
  (kill iff kills rose by exactly 1 and deaths did not change, and the other way round),
- ``xaux`` the three previous frames' (default) actions with GSI health, memory clip ammo
  and team (unknown values as 0, as the public files have them).

When a file is complete the process writes its metadata file
(``currvarsv2_{stub}{N}_to_{N}.npy``, ``{'file_num{N}_frame_{j}': [curr_vars, infer_a,
helper]}``) atomically, then renames the finished recording into place, and reports back.
So a recording under its final name is always complete and has its metadata; a crash (even
SIGKILL of the recorder: the writer sees its pipe close) loses at most the file in progress,
whose temporary file the writer deletes; the ring of a killed recorder is freed by the next
run (:func:`sweep_stale_rings`, as :func:`~csgo_env.datasets.minari.convert_state.
clean_stale_temps` does for temporary files). A ring slot is reused only after the writer
acknowledged it; if the writer falls a whole ring behind, :meth:`RecordingWriter.add`
waits and counts the wait.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from csgo_env._atomic import temp_name
from csgo_env.errors import DatasetError, explain
from csgo_env.observations import OBS_SHAPE

RING_FRAMES = 256
"""Frames the ring holds: 16 s at 16 Hz (32 MB)."""
READY_TIMEOUT_S = 60.0
FLUSH_EVERY = 32
"""Frames between the writer's flushes to disk (durable mode): 4 MB at a time."""


@dataclass(frozen=True)
class FileTarget:
    """Where file ``number`` goes: the recording and its metadata file."""

    number: int
    recording: Path
    metadata: Path


@dataclass
class WriterReport:
    """What the writer has reported so far."""

    written: list[FileTarget] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    acked: int = -1
    waits: int = 0


class RecordingWriter:
    """The parent side: a ring of frames and a pipe to the writer process."""

    def __init__(self, out_dir: Path, *, ring_frames: int = RING_FRAMES,
                 durable: bool = True, synthetic: str | None = None) -> None:
        """``synthetic``: the generator to name in the folder's ``SYNTHETIC`` marker, which
        lists each file before its first frame is written (``None``: real data)."""
        self.out_dir = Path(out_dir)
        self.synthetic = synthetic
        self.ring_frames = int(ring_frames)
        self.durable = durable
        self.report = WriterReport()
        self._ring_path = temp_name(self.out_dir / "recording_ring")
        self._ring: np.ndarray | None = None
        self._shm: Any = None
        self._conn: Connection | None = None
        self._proc: Any = None
        self._seq = -1
        self._stopping = False
        self._eof = self._lost = False

    def start(self) -> RecordingWriter:
        """Make the ring and start the writer process."""
        from multiprocessing import shared_memory

        self.out_dir.mkdir(parents=True, exist_ok=True)
        shape = (self.ring_frames, *OBS_SHAPE)
        try:
            self._shm = shared_memory.SharedMemory(
                create=True, size=int(np.prod(shape)), name=ring_name(os.getpid()))
            _untrack(self._shm)  # freed by close(), or by the next run's sweep_stale_rings
            self._ring = np.ndarray(shape, dtype=np.uint8, buffer=self._shm.buf)
            where = f"shm:{self._shm.name}"
        except OSError:  # no usable /dev/shm: a file beside the recordings
            self._shm = None
            self._ring = np.lib.format.open_memmap(self._ring_path, mode="w+",
                                                   dtype=np.uint8, shape=shape)
            where = str(self._ring_path)
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=writer_main, name="csgo-env-record-writer",
                                 args=(child, where, shape, self.durable,
                                       self.synthetic),
                                 daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent
        # The process imports h5py and friends before it says it is ready, so that work
        # never competes with the first ticks of the loop.
        if not parent.poll(READY_TIMEOUT_S) or parent.recv() != ("ready",):
            self.close(timeout_s=5.0)
            raise DatasetError(explain("the recording writer process did not start",
                                       expected=f"its ready message within {READY_TIMEOUT_S:g} s",
                                       got="; ".join(self.report.errors) or "nothing",
                                       fix="check that the Python environment imports h5py"))
        return self

    def add(self, target: FileTarget, index: int, frame: np.ndarray,
            curr_vars: Mapping[str, Any]) -> None:
        """Frame ``index`` of ``target``'s file: RGB uint8 (150, 280, 3) and its curr_vars."""
        ring, conn = self._parts()
        self._seq += 1
        while self._seq - self.report.acked > self.ring_frames:
            self.report.waits += 1
            self.poll(timeout=0.05)
            if not self._proc.is_alive():
                raise DatasetError(explain(
                    "the recording writer process stopped", got="; ".join(
                        self.report.errors) or "no message",
                    fix="check free disk space and write permission in the output folder"))
        slot = self._seq % self.ring_frames
        ring[slot] = frame
        conn.send(("frame", self._seq, slot, target, index, dict(curr_vars)))

    def commit(self, target: FileTarget) -> None:
        """``target``'s file is complete: write its metadata, then rename it into place."""
        self._parts()[1].send(("commit", target.number))

    def abort(self, target: FileTarget) -> None:
        """Drop the unfinished file of ``target`` (its temporary file is deleted)."""
        self._parts()[1].send(("abort", target.number))

    def poll(self, timeout: float = 0.0) -> WriterReport:
        """Take the writer's messages (waiting up to ``timeout`` for the first)."""
        conn = self._parts()[1]
        wait = timeout
        while not self._eof and conn.poll(wait):
            wait = 0.0
            try:
                kind, *rest = conn.recv()
            except EOFError:
                self._eof = True
                break
            if kind == "ack":
                self.report.acked = max(self.report.acked, int(rest[0]))
            elif kind == "written":
                self.report.written.append(rest[0])
            elif kind == "error":
                self.report.errors.append(str(rest[0]))
        if self._eof and not self._stopping and not self._lost:
            self._lost = True
            self.report.errors.append("the writer process ended unexpectedly")
        return self.report

    def _parts(self) -> tuple[np.ndarray, Connection]:
        if self._ring is None or self._conn is None:
            raise DatasetError("the recording writer is not running (start() it first)")
        return self._ring, self._conn

    def close(self, timeout_s: float = 60.0) -> WriterReport:
        """Let the writer finish what it was sent (files not committed are dropped), stop
        it and delete the ring. Idempotent."""
        if self._conn is not None:
            self._stopping = True
            with contextlib.suppress(OSError, BrokenPipeError):
                self._conn.send(("stop",))
            deadline = time.monotonic() + timeout_s
            while self._proc.is_alive() and not self._eof and time.monotonic() < deadline:
                with contextlib.suppress(OSError, EOFError):
                    self.poll(timeout=0.1)
            with contextlib.suppress(OSError, EOFError):
                self.poll()
            self._proc.join(max(1.0, deadline - time.monotonic()))
            if self._proc.is_alive():
                self._proc.terminate()
                self.report.errors.append("the writer did not finish in time; stopped it")
            self._proc.join(5.0)
            self._conn.close()
            self._conn = None
        if self._ring is not None:
            self._ring = None  # the mapping closes with its last reference
            if self._shm is not None:
                _free(self._shm)
                self._shm = None
            else:
                self._ring_path.unlink(missing_ok=True)
        return self.report


# --- the writer process ------------------------------------------------------------------

def _finite(value: Any) -> float:
    """A number for xaux: NaN, None and non-numbers count as unknown (0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0.0
    return float(value)


class _OpenFile:
    """One recording being written by the writer process."""

    def __init__(self, target: FileTarget, durable: bool) -> None:
        from csgo_env.datasets.pearce.write import RecordingStream

        self.target = target
        self.stream = RecordingStream(target.recording, durable=durable)
        self.entries: dict[str, list[Any]] = {}
        self.state: list[tuple[float, float, float]] = []  # health, ammo, team
        self.counters: tuple[Any, Any] | None = None

    def append(self, index: int, frame: np.ndarray, curr_vars: dict[str, Any]) -> None:
        from csgo_env.actions import NOOP
        from csgo_env.datasets.pearce.write import make_xaux

        if index != self.stream.frames:
            raise DatasetError(explain(f"{self.target.recording.name}: frames out of order",
                                       expected=f"frame {self.stream.frames}",
                                       got=f"frame {index}"))
        kills, deaths = curr_vars.get("gsi_kills"), curr_vars.get("gsi_deaths")
        helper = np.zeros(2)
        if self.counters is not None:
            dk = _finite(kills) - _finite(self.counters[0])
            dd = _finite(deaths) - _finite(self.counters[1])
            known = all(isinstance(v, (int, float)) and math.isfinite(v)
                        for v in (kills, deaths, *self.counters))
            helper[:] = (known and dk == 1 and dd == 0), (known and dd == 1 and dk == 0)
        self.counters = (kills, deaths)
        team = curr_vars.get("gsi_team")
        self.state.append((_finite(curr_vars.get("gsi_health")),
                           _finite(curr_vars.get("ammo_active")), 1.0 if team == "CT" else 0.0))
        recent = np.array(self.state[-4:])
        vectors = np.tile(NOOP.to_vector(), (len(recent), 1))
        xaux = make_xaux(vectors, health=recent[:, 0], ammo=recent[:, 1], team=recent[:, 2])
        self.stream.append(frame, NOOP.to_vector(), xaux[-1], helper)
        self.entries[f"file_num{self.target.number}_frame_{index}"] = [
            curr_vars, NOOP.to_infer_a(), helper]
        if self.stream.durable and self.stream.frames % FLUSH_EVERY == 0:
            self.stream.flush()

    def commit(self) -> None:
        from csgo_env.datasets.pearce.metadata import write_metadata

        write_metadata(self.target.metadata, self.entries)
        self.stream.commit()


def ring_name(pid: int) -> str:
    """The shared-memory name of the frame ring of recorder process ``pid``."""
    return f"csgo_env_record_ring_{pid}"


SHM_DIR = Path("/dev/shm")


def _untrack(shm: Any) -> None:
    """Keep multiprocessing's resource tracker away from the ring: the recorder frees it
    (POSIX; on Windows the segment goes with its last handle)."""
    if os.name == "posix":
        from multiprocessing import resource_tracker

        with contextlib.suppress(Exception):
            resource_tracker.unregister(shm._name, "shared_memory")


def _free(shm: Any) -> None:
    """Close and remove the ring (untracked, so not through the resource tracker)."""
    shm.close()
    if os.name == "posix":
        from multiprocessing import shared_memory

        with contextlib.suppress(OSError):
            shared_memory._posixshmem.shm_unlink(shm._name)  # type: ignore[attr-defined]
    # Windows: the segment goes with its last handle


def sweep_stale_rings() -> list[str]:
    """Free the frame rings of recorders that died without closing (SIGKILL): shared
    memory named :func:`ring_name` of a process that no longer runs. Returns their names."""
    from csgo_env._pids import pid_alive

    removed: list[str] = []
    if not SHM_DIR.is_dir():
        return removed
    prefix = ring_name(0)[:-1]
    for path in SHM_DIR.glob(prefix + "*"):
        pid = path.name[len(prefix):]
        if pid.isdigit() and not pid_alive(int(pid)):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path.name)
    return removed


def _yield_to_the_loop() -> None:
    """The writer runs behind the loop, the game and the X server: nice 19 and, on Linux,
    the batch scheduling class (never preempts interactive work)."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(19)
    batch = getattr(os, "SCHED_BATCH", None)
    if batch is not None:
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, batch, os.sched_param(0))


def _open_ring(where: str, shape: tuple[int, ...]) -> tuple[np.ndarray, Any]:
    if where.startswith("shm:"):
        from multiprocessing import shared_memory

        shm = shared_memory.SharedMemory(name=where[4:])
        _untrack(shm)  # the recorder owns it: this process must never unlink it
        return np.ndarray(shape, dtype=np.uint8, buffer=shm.buf), shm
    return np.load(where, mmap_mode="r"), None


def writer_main(conn: Connection, where: str, shape: tuple[int, ...], durable: bool,
                synthetic: str | None = None) -> None:
    """The writer process: frames in, complete files out (see the module docstring)."""
    from csgo_env.datasets.pearce.metadata import write_metadata  # noqa: F401 - import now
    from csgo_env.datasets.pearce.metadata_pairing import mark_synthetic
    from csgo_env.datasets.pearce.write import RecordingStream  # noqa: F401 - import now

    _yield_to_the_loop()

    ring, shm = _open_ring(where, shape)
    files: dict[int, _OpenFile] = {}
    conn.send(("ready",))

    def drop(number: int) -> None:
        open_file = files.pop(number, None)
        if open_file is not None:
            open_file.stream.abort()

    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                return  # the recorder is gone: drop what is unfinished
            kind = message[0]
            if kind == "stop":
                return
            try:
                if kind == "frame":
                    _, seq, slot, target, index, curr_vars = message
                    frame = np.array(ring[slot])  # copy before acknowledging the slot
                    conn.send(("ack", seq))
                    if index == 0:
                        drop(target.number)
                        if synthetic is not None:
                            mark_synthetic(target.recording.parent, [target.recording.name],
                                           generator=synthetic)
                        files[target.number] = _OpenFile(target, durable)
                    open_file = files.get(target.number)
                    if open_file is not None:
                        open_file.append(index, frame, curr_vars)
                elif kind == "commit":
                    open_file = files.pop(message[1])
                    open_file.commit()
                    conn.send(("written", open_file.target))
                elif kind == "abort":
                    drop(message[1])
            except Exception as exc:  # report, drop that file, keep serving the others
                number = message[1] if kind in ("commit", "abort") else message[3].number
                drop(number)
                conn.send(("error", f"file {number}: {type(exc).__name__}: {exc}"))
    finally:
        for number in list(files):
            drop(number)
        del ring
        if shm is not None:
            shm.close()


__all__ = ["RING_FRAMES", "FileTarget", "RecordingWriter", "WriterReport", "ring_name",
           "sweep_stale_rings", "writer_main"]
