"""Gymnasium layer: environments, reward specs and registration. Knows nothing of HTTP,
X11 or win32; those live in :mod:`csgo_env.game`."""
