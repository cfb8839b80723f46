"""``csgo-env benchmark``: the benchmark's stages as one resumable pipeline.

:mod:`~csgo_env.benchmark.plan` (what a run does), :mod:`~csgo_env.benchmark.pipeline`
(the stages), :mod:`~csgo_env.benchmark.stages` (resuming), :mod:`~csgo_env.benchmark.
training`, :mod:`~csgo_env.benchmark.live`, :mod:`~csgo_env.benchmark.report`, and
:mod:`~csgo_env.benchmark.config_file` (the real benchmark's settings file).
"""
