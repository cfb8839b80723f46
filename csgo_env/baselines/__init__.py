"""Offline baselines (BC, CQL, IQL) on the factored action."""
