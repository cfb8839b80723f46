"""Synthetic recordings in the exact public layout, for tests, the demo and the quick
benchmark: a small deathmatch simulation (``simulation``), its rendered frames
(``frames``) and the writer that labels every file synthetic (``recordings``)."""
