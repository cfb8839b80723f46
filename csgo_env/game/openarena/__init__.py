"""OpenArena (ioquake3 engine) as a real game for the live stack, on Linux.

A local match per run: a dedicated server with bots and our client on loopback, its window
captured and its input injected like any game's, its events read from the server's log and
the own player's pose from the client's memory. Modules:

- :mod:`~csgo_env.game.openarena.install` -- where the engine and the game data are;
- :mod:`~csgo_env.game.openarena.commands` -- command lines, config files, key bindings;
- :mod:`~csgo_env.game.openarena.children` -- child processes that never outlive us;
- :mod:`~csgo_env.game.openarena.server` / :mod:`~csgo_env.game.openarena.client` -- the two
  programs;
- :mod:`~csgo_env.game.openarena.server_log` / :mod:`~csgo_env.game.openarena.kill_feed` --
  the log's records and the own client's kills and deaths;
- :mod:`~csgo_env.game.openarena.elf_symbols` /
  :mod:`~csgo_env.game.openarena.client_memory` -- the own player's state in the client;
- :mod:`~csgo_env.game.openarena.feed` -- the session's event feed;
- :mod:`~csgo_env.game.openarena.launcher` -- the ``openarena`` launcher.
"""
