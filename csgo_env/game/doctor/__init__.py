"""``csgo-env doctor``: checks a user's live setup step by step (process, window, GSI,
offsets, mouse turn, loop timing) on the same wiring the live session uses, and says how
to fix each problem (``runner`` runs the ``checks`` and formats the report)."""
