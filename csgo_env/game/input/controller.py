"""Turn :class:`~csgo_env.actions.Action` values into key, button and mouse events.

Only changes are sent: a key held in consecutive actions is pressed once and released when
an action no longer holds it (releases go out before presses). The mouse move is the
action's bin centre in counts (``Action.mouse_dx``/``mouse_dy``), sent as one move or, as the
dataset authors' agent did, as two half-moves (the first half rounded toward zero, the
second the rest, so the halves always add up to the whole).

Every held key and button is released by :meth:`ActionController.close`, when an exception
leaves a ``with`` block, when the controller is garbage-collected unclosed (with a
ResourceWarning), at interpreter exit and on SIGTERM/SIGINT
(:mod:`csgo_env.game.input.safety`). When this process is killed outright (SIGKILL, a
crash in native code) a release guardian, a child process with its own input connection
(:mod:`csgo_env.game.input.guardian`), releases what was held: it is told the held set
whenever that changes (a superset before presses, the exact set after releases; a release
that interrupts a send, e.g. from a signal handler, leaves it the superset, since on X11 the
interrupted presses may still reach the server after that release).
"""

from __future__ import annotations

import contextlib
import threading
import warnings
import weakref

from csgo_env.actions import Action
from csgo_env.errors import InputBackendError, InvalidAction, explain
from csgo_env.game.input import guardian as input_guardian
from csgo_env.game.input import safety as input_safety
from csgo_env.game.input.backends import Button, InputBackend

BUTTON_OF: dict[str, Button] = {"fire": "left", "scope": "right"}
"""Action button name -> mouse button."""


class _HeldInput:
    """What one backend holds down; no reference back to the controller (so the safety
    registry does not keep a dropped controller alive)."""

    def __init__(self, backend: InputBackend) -> None:
        self.backend = backend
        self.keys: set[str] = set()
        self.buttons: set[str] = set()  # "fire" / "scope"
        self.lock = threading.RLock()
        self.guardian: input_guardian.Guardian | None = None
        self.sending = 0
        """> 0 while presses are being sent: a release that interrupts them (a signal
        handler, an error) may race their delivery, so the guardian then keeps, from that
        moment on, every name it was ever told (:meth:`Guardian.keep_superset`)."""

    def release_all(self) -> None:
        """Release everything held; try all of it, then raise the first error."""
        with self.lock:
            first: BaseException | None = None
            for key in sorted(self.keys):
                try:
                    self.backend.key_up(key)
                except Exception as exc:
                    first = first or exc
            for name in sorted(self.buttons):
                try:
                    self.backend.button_up(BUTTON_OF[name])
                except Exception as exc:
                    first = first or exc
            had_any = bool(self.keys or self.buttons)
            self.keys.clear()
            self.buttons.clear()
            if had_any:
                try:
                    self.backend.flush()
                except Exception as exc:
                    first = first or exc
            if first is not None:
                raise first  # the guardian keeps what it knows: it may still be held
            if self.guardian is not None:
                if self.sending:
                    self.guardian.keep_superset()
                self.guardian.report(())

    def close_guardian(self) -> None:
        guardian, self.guardian = self.guardian, None
        if guardian is not None:
            guardian.close()


def _finalize(state: _HeldInput, registered: bool) -> None:
    if state.keys or state.buttons:
        warnings.warn("ActionController was not closed; releasing held input",
                      ResourceWarning, stacklevel=2)
    try:
        state.release_all()
    except Exception:
        pass
    finally:
        if registered:
            input_safety.unregister(state)
        state.close_guardian()
        state.backend.close()


class ActionController:
    """Applies actions through ``backend``; owns it (``close`` closes it).

    ``split_mouse``: send each move as two half-moves. ``defer_second_half``: keep the
    second half until :meth:`send_pending_move` (or the next :meth:`apply`), so a caller
    can spread the two halves over the tick. ``release_on_exit``: register with
    :mod:`~csgo_env.game.input.safety` (atexit and SIGTERM/SIGINT release). ``guardian``
    (default: as ``release_on_exit``): start a release guardian for backends that support
    one (``guardian_spec()``); one that cannot start is a RuntimeWarning, not an error.
    """

    def __init__(self, backend: InputBackend, *, split_mouse: bool = True,
                 release_on_exit: bool = True, defer_second_half: bool = False,
                 guardian: bool | None = None) -> None:
        self.backend = backend
        self.split_mouse = bool(split_mouse)
        self.defer_second_half = bool(defer_second_half)
        self._state = _HeldInput(backend)
        self._pending: tuple[int, int] = (0, 0)
        self._closed = False
        self._registered = bool(release_on_exit)
        if self._registered:
            input_safety.register(self._state)
        if release_on_exit if guardian is None else guardian:
            self.start_guardian()
        self._finalizer = weakref.finalize(self, _finalize, self._state, self._registered)

    @property
    def held(self) -> frozenset[str]:
        """Names held now: key names from KEY_NAMES and ``"fire"`` / ``"scope"``."""
        return frozenset(self._state.keys | self._state.buttons)

    @property
    def guardian(self) -> input_guardian.Guardian | None:
        """The release guardian (None when off or unavailable)."""
        return self._state.guardian

    def start_guardian(self) -> input_guardian.Guardian | None:
        """Start a release guardian if none runs (told what is held now); return it."""
        state = self._state
        with state.lock:
            if state.guardian is None:
                state.guardian = input_guardian.start_for(self.backend, aliases=BUTTON_OF)
                if state.guardian is not None:
                    state.guardian.expect(state.keys | state.buttons)
            return state.guardian

    def stop_guardian(self) -> None:
        """Stop the guardian without a release (it is told nothing is held first)."""
        state = self._state
        with state.lock:
            guardian, state.guardian = state.guardian, None
            if guardian is not None:
                guardian.detach()

    @property
    def pending_move(self) -> tuple[int, int]:
        """The deferred second half-move (0, 0 when none)."""
        return self._pending

    def _check_open(self) -> None:
        if self._closed:
            raise InputBackendError("the ActionController is closed")

    def apply(self, action: Action) -> None:
        """Bring the held input to ``action`` and send its mouse move; then flush.

        On any error everything held is released before the error propagates.
        """
        if not isinstance(action, Action):
            raise InvalidAction(explain("apply() takes an Action",
                                        got=type(action).__name__,
                                        fix="use Action.from_multidiscrete(a) for arrays"))
        self._check_open()
        state, backend = self._state, self.backend
        with state.lock:
            state.sending += 1
            try:
                self._send_pending()
                want_buttons = {n for n in BUTTON_OF if getattr(action, n)}
                guardian = state.guardian
                if guardian is not None:  # told before pressing; nothing sent if no change
                    guardian.expect(action.keys | want_buttons)
                for key in sorted(state.keys - action.keys):
                    backend.key_up(key)
                    state.keys.discard(key)
                for name in sorted(state.buttons - want_buttons):
                    backend.button_up(BUTTON_OF[name])
                    state.buttons.discard(name)
                for key in sorted(action.keys - state.keys):
                    state.keys.add(key)  # before sending, so a failure still releases it
                    backend.key_down(key)
                for name in sorted(want_buttons - state.buttons):
                    state.buttons.add(name)
                    backend.button_down(BUTTON_OF[name])
                self._move(action.mouse_dx, action.mouse_dy)
                backend.flush()
                if guardian is not None:
                    guardian.report(state.keys | state.buttons)
            except BaseException:
                self._release_quietly()
                raise
            finally:
                state.sending -= 1

    def _move(self, dx: int, dy: int) -> None:
        if not self.split_mouse:
            if dx or dy:
                self.backend.move_relative(dx, dy)
            return
        first = (int(dx / 2), int(dy / 2))  # toward zero
        second = (dx - first[0], dy - first[1])
        if first != (0, 0):
            self.backend.move_relative(*first)
        if self.defer_second_half:
            self._pending = second
        elif second != (0, 0):
            self.backend.move_relative(*second)

    def _send_pending(self) -> None:
        pending, self._pending = self._pending, (0, 0)
        if pending != (0, 0):
            self.backend.move_relative(*pending)

    def send_pending_move(self) -> None:
        """Send the deferred second half-move now (no-op when none) and flush."""
        self._check_open()
        with self._state.lock:
            self._send_pending()
            self.backend.flush()

    def tap(self, key: str) -> None:
        """Press and release ``key`` (e.g. ``"n"``, bound to clear decals), then flush.

        A key that is held is only released (and leaves :attr:`held`): its press is already
        in effect, and an immediate up-down pair is merged into an auto-repeat by SDL.
        """
        self._check_open()
        state = self._state
        with state.lock:
            if state.guardian is not None:
                state.guardian.expect((key,))
            state.sending += 1
            try:
                if key in state.keys:
                    self.backend.key_up(key)
                    state.keys.discard(key)
                else:
                    self.backend.key_down(key)
                    self.backend.key_up(key)
                self.backend.flush()
            finally:
                state.sending -= 1
            if state.guardian is not None:
                state.guardian.report(state.keys | state.buttons)

    def release_all(self) -> None:
        """Release every held key and button (and drop a deferred half-move)."""
        self._pending = (0, 0)
        self._state.release_all()

    def _release_quietly(self) -> None:
        with contextlib.suppress(Exception):
            self.release_all()

    def close(self) -> None:
        """Release everything, unregister from the exit hooks, stop the guardian (it has
        nothing left to release), close the backend."""
        if self._closed:
            return
        self._closed = True
        self._pending = (0, 0)
        self._finalizer.detach()
        try:
            self._state.release_all()
        finally:
            if self._registered:
                input_safety.unregister(self._state)
            self._state.close_guardian()
            self.backend.close()

    def __enter__(self) -> ActionController:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
