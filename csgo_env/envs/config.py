"""Arguments of ``CSGO-Deathmatch-v0``, declared once: :class:`EnvConfig`.

:class:`EnvConfig` is the live session's :class:`~csgo_env.game.session_config.SessionConfig`
plus the env's own fields. Each field carries its default, its doc and its check, so the
same declaration drives :func:`validate_config`, the env's keyword arguments (its
``__signature__``) and the spec sheet's argument list (:func:`arguments_doc`).

:func:`validate_config` turns keyword arguments into an :class:`EnvConfig` or raises
:class:`~csgo_env.errors.EnvConfigError` (expected / got / fix). It only looks at values
and at the file system (offsets and recording paths); it opens no socket, starts no thread
and launches no process, so a bad argument leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from csgo_env.errors import ArgumentError, EnvConfigError
from csgo_env.game.launch import launcher_for
from csgo_env.game.session_config import (
    SessionConfig,
    arg,
    fail,
    flag,
    positive,
    validate_fields,
)
from csgo_env.game.session_config import arguments_doc as _arguments_doc
from csgo_env.rewards import DEFAULT_REWARD, RewardSpec


def _reward(name: str, value: Any) -> RewardSpec:
    if isinstance(value, str):
        return RewardSpec.parse(value)
    if not isinstance(value, RewardSpec):
        raise fail("bad reward", "a RewardSpec or a string like 'kill - 0.5*death'", value,
                   "pass reward='kill - 0.5*death - 0.02*shot'")
    return value


def _render_mode(name: str, value: Any) -> str | None:
    if value not in (None, "rgb_array"):
        raise fail("unsupported render_mode", "None or 'rgb_array'", value,
                   "use render_mode='rgb_array'")
    return None if value is None else str(value)


@dataclass(frozen=True)
class EnvConfig(SessionConfig):
    """Validated arguments of the environment: the session's, then the env's own."""

    reward: RewardSpec = arg(DEFAULT_REWARD, "a RewardSpec or a string such as "
                             "``\"kill - 0.5*death - 0.02*shot\"``", _reward,
                             shown=repr(str(DEFAULT_REWARD)))
    terminate_on_death: bool = arg(False, "end the episode at the own player's death", flag)
    render_mode: str | None = arg(None, "None or ``\"rgb_array\"`` (``render()`` returns "
                                  "the last observation)", _render_mode)
    reset_timeout_s: float = arg(30.0, "seconds ``reset`` waits for a fresh GSI payload "
                                 "showing the own player alive", positive("use 30"))


def validate_config(env_id: str = "CSGO-Deathmatch-v0", /, **kwargs: Any) -> EnvConfig:
    """Validate the env's keyword arguments and return the :class:`EnvConfig`.

    Raises :class:`EnvConfigError` naming the argument, what was expected, what was got and
    the fix (``env_id`` names the env in the message). Unknown keyword arguments are an
    error as well (a typo must not be ignored).
    """
    try:
        cfg = validate_fields(EnvConfig, kwargs)
        return launcher_for(cfg.game).check(cfg)
    except ArgumentError as exc:  # a check's own argument error, reported as the env's
        if isinstance(exc, EnvConfigError):
            raise
        text = str(exc)
        if text.startswith("unknown argument(s)"):
            text = text.replace("unknown argument(s)", f"unknown argument(s) to {env_id}", 1)
        raise EnvConfigError(text) from exc


def arguments_doc(skip: Callable[[str], bool] = lambda name: False) -> str:
    """The env's argument list for its spec sheet, from the fields of :class:`EnvConfig`
    (fields whose name ``skip`` accepts are left out)."""
    return _arguments_doc(EnvConfig, skip)


def env_signature(first: str | None = "game",
                  skip: Callable[[str], bool] = lambda name: False) -> inspect.Signature:
    """The env's call signature from :class:`EnvConfig`: ``first`` positional (``None``:
    none), the rest keyword-only, each with its default (for ``help()`` and IDEs); fields
    whose name ``skip`` accepts are left out."""
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    for f in dataclasses.fields(EnvConfig):
        if skip(f.name):
            continue
        kind = (inspect.Parameter.POSITIONAL_OR_KEYWORD if f.name == first
                else inspect.Parameter.KEYWORD_ONLY)
        params.append(inspect.Parameter(f.name, kind, default=f.default))
    params.sort(key=lambda p: p.kind)
    return inspect.Signature(params, return_annotation=None)


__all__ = ["EnvConfig", "arguments_doc", "env_signature", "validate_config"]
