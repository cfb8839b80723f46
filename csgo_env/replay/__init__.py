"""The replay game: a real window that plays frames back and logs the input it receives.

It stands in for Counter-Strike in CI (``game="replay"``). Importing this package is light;
pygame is imported only when a window is opened.
"""
