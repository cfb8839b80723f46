"""Offline baselines (BC, CQL, IQL) on the factored action ``MultiDiscrete([2]*13 + [23, 15])``.

``encoders`` (IMPALA CNNs) and ``networks`` (frame stack, GRU, factored heads) with the
per-head operations of ``heads``; one file per algorithm (``bc``, ``cql``, ``iql``) on the
interface of ``algorithm`` (``registry`` names them); ``config`` (YAML, checked key by key),
``data`` (sequences from the loader, seeded validation hold-out, per-rank shares),
``trainer``, ``checkpoint``, ``logs`` and ``distributed`` (DDP under torchrun); ``export``
(checkpoint -> policy file for :mod:`csgo_env.policy`), ``predict`` (checkpoint -> offline
predictor) and ``d3rlpy_interop``. Every module here imports torch; this package's
``__init__`` does not.
"""
