"""Subcommands of the ``csgo-env`` command, one module each.

Each module defines ``NAME`` (the subcommand), ``HELP`` (one line), ``add_arguments(parser)``
and ``run(args) -> int`` (the exit status). Heavy imports happen inside ``run``.
"""
