"""Atomic file writes: a temporary file beside the target, renamed over it when complete.

A reader sees the old file or the new one, never a partial one; a writer that fails (or is
killed) leaves at most its temporary file, named ``.<name>.<host>.<pid>.tmp`` so that
:func:`csgo_env.datasets.minari.convert_state.clean_stale_temps` can tell whose it was.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def temp_name(final: Path) -> Path:
    """A temporary name next to ``final`` that says which host and process writes it."""
    return final.with_name(f".{final.name}.{socket.gethostname()}.{os.getpid()}.tmp")


@contextmanager
def atomic_target(path: str | os.PathLike[str], *, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path to write instead of ``path``; on success it replaces ``path``.

    ``durable`` fsyncs the written file before the rename. If the block raises, the
    temporary file is deleted and ``path`` is left as it was.
    """
    final = Path(path)
    tmp = temp_name(final)
    try:
        yield tmp
        if durable:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], payload: bytes, *,
                       durable: bool = True) -> Path:
    """Write ``payload`` to ``path`` atomically; returns ``path``."""
    with atomic_target(path, durable=durable) as tmp:
        tmp.write_bytes(payload)
    return Path(path)


def atomic_write_text(path: str | os.PathLike[str], text: str, *, durable: bool = True) -> Path:
    """Write ``text`` as UTF-8 with ``\\n`` line ends (on every platform) atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"), durable=durable)
