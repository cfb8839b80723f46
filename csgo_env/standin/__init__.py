"""The stand-in game: a separate process with a real window that plays a recording back,
POSTs GSI from its kill/death flags, keeps a pose in its memory and logs the input it
receives.

It stands in for Counter-Strike in CI (profile ``game="replay"``, its replay mode).
Importing this package is light; pygame is imported only when a window is opened.
"""
