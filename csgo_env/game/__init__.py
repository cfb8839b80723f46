"""Talking to a running game: GSI, capture, input, process memory, the clock, game profiles.

Knows nothing of Gymnasium. Platform-specific modules are imported only by the backend
that needs them.
"""
