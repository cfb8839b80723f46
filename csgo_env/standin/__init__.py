"""The stand-in game: a separate process with a real window that stands in for
Counter-Strike in CI, over the same channels (screen, input, GSI, memory). Two modes:

- **replay** (:mod:`csgo_env.standin.game`, ``game="replay"``): plays a recording back,
  POSTs GSI from its kill/death flags, keeps a pose in its memory and logs the input it
  receives (open loop);
- **arena** (:mod:`csgo_env.standin.arena_game`, ``game="arena"``): a seeded, closed-loop,
  small deathmatch (:mod:`~csgo_env.standin.arena_world`, drawn by
  :mod:`~csgo_env.standin.arena_render`) whose scripted expert
  (:mod:`~csgo_env.standin.arena_expert`) records demonstrations; synthetic.

Importing this package is light; pygame is imported only when a window is opened.
"""
