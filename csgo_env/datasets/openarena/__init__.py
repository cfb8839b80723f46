"""OpenArena demos read into the project's pose stream.

This package owns reading the ioquake3 demo format (``.dm_71``, network protocol 71, as
written by OpenArena 0.8.8's ``record`` command) and turning a demo into per-snapshot poses
of the followed player: server time, client number, origin, view angles, velocity,
movement type, health, weapon, and the obituaries the server broadcast.

- :mod:`~csgo_env.datasets.openarena.net_fields`: the delta-compression field tables
  (names, bit widths, order), facts of ioquake3's ``code/qcommon/msg.c``.
- :mod:`~csgo_env.datasets.openarena.bitstream`: one message's bits (Huffman decoding
  through ``q3huff2``, extra ``openarena``).
- :mod:`~csgo_env.datasets.openarena.demo_file`: the file's framing into messages.
- :mod:`~csgo_env.datasets.openarena.demo_reader`: server messages into gamestate and
  snapshots (delta decoding of player and entity states).
- :mod:`~csgo_env.datasets.openarena.poses`: snapshots into :class:`DemoPose` records.

Importing this package does not import ``q3huff2``; reading a demo does.
"""
