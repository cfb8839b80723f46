"""Recording new data in the public layout: own play or a spectated player, at 16 Hz.

:mod:`~csgo_env.recording.recorder` runs the live session and the tick loop,
:mod:`~csgo_env.recording.curr_vars` turns GSI and memory into the authors' metadata keys,
:mod:`~csgo_env.recording.writer` writes 1000-frame files atomically from a child process,
:mod:`~csgo_env.recording.spectator` follows and switches the watched player,
:mod:`~csgo_env.recording.status` renders the status line and
:mod:`~csgo_env.recording.naming` numbers the files like the public ones.
The command is ``csgo-env record``.
"""
