"""Release every held key and button on every way out of the process.

A crashed or killed agent must never leave ``w`` or fire held in the game. Objects that
hold input (anything with ``release_all()``) are registered here; they are released

* at interpreter exit (``atexit``, which also runs after an uncaught exception), and
* on SIGTERM and SIGINT, by handlers that release first and then hand over to the handler
  that was there before: a Python handler is called (SIGINT still raises
  KeyboardInterrupt), an ignored signal stays ignored, and the default action is restored
  and the signal re-raised so the process still dies of it.

Signal handlers can only be installed from the main thread; from another thread
:func:`install` installs the ``atexit`` hook only. Handlers installed later by someone
else replace ours (the ``atexit`` hook still runs on a normal exit). Release on close and
on exceptions inside ``with`` blocks is the controller's job.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any, Protocol


class Releasable(Protocol):
    def release_all(self) -> None: ...


_SIGNALS: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT)
_registered: dict[int, Releasable] = {}
_previous: dict[int, Any] = {}
_lock = threading.RLock()
_atexit_installed = False


def register(obj: Releasable) -> None:
    """Release ``obj`` at exit and on SIGTERM/SIGINT until :func:`unregister` is called."""
    with _lock:
        _registered[id(obj)] = obj
    install()


def unregister(obj: Releasable) -> None:
    with _lock:
        _registered.pop(id(obj), None)


def registered_count() -> int:
    return len(_registered)


def release_everything() -> list[BaseException]:
    """Call ``release_all()`` on every registered object; return the errors (not raised)."""
    with _lock:
        objects = list(_registered.values())
    errors: list[BaseException] = []
    for obj in objects:
        try:
            obj.release_all()
        except Exception as exc:  # keep releasing the others
            errors.append(exc)
    return errors


def _handle(signum: int, frame: FrameType | None) -> None:
    release_everything()
    previous = _previous.get(signum, signal.SIG_DFL)
    if callable(previous):
        previous(signum, frame)
    elif previous == signal.SIG_IGN:
        return
    else:  # SIG_DFL (or unknown, set from C): die of the signal as we would have
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


def install() -> bool:
    """Install the ``atexit`` hook and, from the main thread, the signal handlers.

    Idempotent. Returns True if the signal handlers are in place.
    """
    global _atexit_installed
    with _lock:
        if not _atexit_installed:
            atexit.register(release_everything)
            _atexit_installed = True
        if threading.current_thread() is not threading.main_thread():
            return bool(_previous)
        for signum in _SIGNALS:
            current = signal.getsignal(signum)
            if current is _handle:
                continue
            with contextlib.suppress(ValueError, OSError):
                signal.signal(signum, _handle)
                _previous[signum] = current
        return all(signal.getsignal(s) is _handle for s in _SIGNALS)


def uninstall() -> None:
    """Put back the signal handlers that were there before (main thread only)."""
    with _lock:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum, previous in list(_previous.items()):
            if signal.getsignal(signum) is _handle:
                restore: Callable[..., Any] | int = (
                    previous if previous is not None else signal.SIG_DFL)
                signal.signal(signum, restore)
            del _previous[signum]
