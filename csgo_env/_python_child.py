"""Command lines that run a module of this package in a child Python process, isolated
from the current directory.

``python -m csgo_env.x`` puts the current directory first on ``sys.path``, so a folder
named ``csgo_env`` there (a checkout seen from its parent folder, say) would be imported
instead of the package this process runs. :func:`module_command` starts the child with
``-c`` and a short bootstrap instead: it drops the current-directory entry and, should
the package then be found anywhere but where this process imported it from (or not at
all: a checkout run without being installed), puts this process's package root first.
The child so imports exactly the csgo_env of its parent, whatever the current directory
holds; ``PYTHONPATH`` and site-packages work as usual. The same code runs on Python 3.10,
which has no ``-P``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_BOOTSTRAP = """\
import importlib.util, os, runpy, sys
if sys.path and sys.path[0] == "":
    del sys.path[0]
root = {root!r}
spec = importlib.util.find_spec("csgo_env")
if spec is None or spec.origin is None or \\
        os.path.dirname(os.path.dirname(os.path.realpath(spec.origin))) != root:
    sys.path.insert(0, root)
runpy.run_module({module!r}, run_name="__main__", alter_sys=True)
"""


def package_root() -> str:
    """The real path of the folder holding the ``csgo_env`` package this process runs."""
    return os.path.realpath(Path(__file__).resolve().parent.parent)


def module_command(module: str, *args: str) -> list[str]:
    """``[python, "-c", bootstrap, *args]``: runs ``module`` like ``python -m module args``,
    but never from the current directory (module docstring).

    ``module`` must be a module of this package, e.g. ``"csgo_env.standin"``; the child's
    ``sys.argv[1:]`` is ``args``.
    """
    if module != "csgo_env" and not module.startswith("csgo_env."):
        raise ValueError(f"expected a module of csgo_env, got {module!r}")
    code = _BOOTSTRAP.format(root=package_root(), module=module)
    return [sys.executable, "-c", code, *args]
