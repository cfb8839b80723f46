"""The screen channel: finding the game's OS window (``windows`` with its X11 and win32
backends), grabbing and cropping its client area into observations (``capture``), and a
private X server for headless runs (``xvfb``)."""
