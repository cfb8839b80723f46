"""Import optional dependencies lazily with an error that names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from csgo_env.errors import DependencyMissing, explain


def require(module: str, *, extra: str, package: str | None = None,
            purpose: str = "this feature") -> ModuleType:
    """Import ``module`` or raise :class:`DependencyMissing` naming ``pip install csgo-env[extra]``.

    Only a missing top-level module becomes ``DependencyMissing``; an ``ImportError`` raised
    from inside an installed package (a broken install) propagates unchanged so it is not
    misreported as "not installed".
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is None or module.split(".")[0] != exc.name.split(".")[0]:
            raise
        raise DependencyMissing(explain(
            f"{purpose} needs the Python package {package or module!r}",
            expected="it to be importable", got="ModuleNotFoundError",
            fix=f'pip install "csgo-env[{extra}]"')) from exc
