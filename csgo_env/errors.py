"""One exception hierarchy for csgo_env.

Every error a user can act on has its own class under :class:`CsgoEnvError`. Messages say
what was expected, what was got, and the fix; build them with :func:`explain` so they read
the same everywhere.
"""

from __future__ import annotations


def explain(problem: str, *, expected: str | None = None, got: str | None = None,
            fix: str | None = None) -> str:
    """Format an error message as ``problem: expected ..., got .... Fix: ...``."""
    parts = [problem]
    details = []
    if expected is not None:
        details.append(f"expected {expected}")
    if got is not None:
        details.append(f"got {got}")
    if details:
        parts[0] += ": " + ", ".join(details)
    if fix is not None:
        parts.append(f"Fix: {fix}")
    return ". ".join(parts)


class CsgoEnvError(Exception):
    """Base class of every error raised on purpose by csgo_env."""


class DependencyMissing(CsgoEnvError, ImportError):
    """An optional dependency (an extra) is not installed or cannot run on this platform."""


class InvalidAction(CsgoEnvError, ValueError):
    """An action (vector, factored array, key list or mouse value) is malformed."""


class ArgumentError(CsgoEnvError, ValueError):
    """An argument of a csgo_env class or function is invalid (bad value, type or range)."""


class UsageError(ArgumentError):
    """A ``csgo-env`` command-line option is invalid or the options contradict each other."""


class UnknownGame(ArgumentError):
    """A game (profile) name is not one of the known profiles."""


class UnknownBackend(ArgumentError):
    """A backend name (capture, window, input, memory) is not registered."""


# --- policies -------------------------------------------------------------------------

class PolicyError(CsgoEnvError, ValueError):
    """A policy broke its contract: wrong observation given to it or wrong output from it."""


class PolicyFileError(PolicyError):
    """A policy file is missing, not an exported program, or cannot be loaded."""


# --- datasets -------------------------------------------------------------------------

class DatasetError(CsgoEnvError):
    """Base class for problems with recordings and converted datasets."""


class RecordingCorrupt(DatasetError):
    """A recording file is unreadable, truncated, or breaks the public layout.

    Attributes ``path`` and ``frame`` (``None`` when the problem is not tied to one frame)
    locate the problem.
    """

    def __init__(self, message: str, *, path: str | None = None, frame: int | None = None):
        super().__init__(message)
        self.path = path
        self.frame = frame


class UnsafePickle(DatasetError):
    """A metadata pickle asks for something other than plain data; nothing was executed."""


class DatasetNotFound(DatasetError, FileNotFoundError):
    """A dataset id, recording or folder does not exist where it was looked for."""


class MetadataMismatch(DatasetError):
    """A metadata file does not describe the recording it was paired with (other file
    numbers, another frame count) or lacks a field a computation needs; nothing from it
    was used."""


# --- the live game --------------------------------------------------------------------

class GameError(CsgoEnvError):
    """Base class for problems talking to a running game."""


class GameNotRunning(GameError):
    """The game process could not be found."""


class WindowNotFound(GameError):
    """The game window could not be found, is minimised, or is not capturable."""


class CaptureError(GameError):
    """A screen grab failed or returned an image of the wrong size."""


class InputBackendError(GameError):
    """Keyboard or mouse injection failed or is unavailable."""


class GSIError(GameError):
    """Base class for Game State Integration problems."""


class GSISilent(GSIError, TimeoutError):
    """No (fresh) GSI payload arrived within the allowed time."""


class GSIConfigError(GSIError):
    """The GSI cfg folder could not be found or the cfg could not be written."""


class MemoryReadError(GameError):
    """Reading the game process's memory failed (permissions, bad address, process gone)."""


class ProcessExited(MemoryReadError, GameNotRunning):
    """The process whose memory was being read has exited."""


class LocalPlayerMissing(GameError):
    """The game runs but has no local player in memory (main menu, loading, not joined)."""


class OffsetsOutdated(GameError):
    """Offsets do not match the running game build or give values outside sane ranges."""


class OffsetsFileError(GameError, ValueError):
    """An offsets file is missing, unreadable or not of a known format."""


# --- the environment ------------------------------------------------------------------

class EnvConfigError(ArgumentError):
    """An environment argument is invalid; raised before anything external is started."""


class EnvTimeout(CsgoEnvError, TimeoutError):
    """The environment waited too long for the game (alive player, fresh GSI, first frame)."""


# --- training -------------------------------------------------------------------------

class TrainConfigError(ArgumentError):
    """A training config is invalid: an unknown key, a wrong type, an impossible value, or a
    run folder that already holds another run."""


class CheckpointError(CsgoEnvError, ValueError):
    """A training checkpoint is missing or unreadable, or was written by another algorithm,
    for another action space or for another network."""


# --- evaluation -----------------------------------------------------------------------

class EvaluationError(CsgoEnvError, ValueError):
    """Inputs to a metric, an aggregate or a table are malformed or disagree."""


class ResultsRefused(EvaluationError):
    """Run results that must not be combined (other dataset versions, protocol versions,
    missing seeds); the message gives the reason and nothing is written."""
