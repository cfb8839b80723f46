"""The input channel: keyboard and mouse injection backends (``backends``: XTest on Linux,
DirectInput scan codes through pydirectinput on Windows), the controller that sends only
the changes of an action (``controller``), release of held keys on every exit path
(``safety``), the release guardian process that releases them when the agent is killed
outright (``guardian``: agent side; ``guardian_process`` with ``guardian_x11`` /
``guardian_win32``: the guardian's side) and typing commands into the game's console
(``console``)."""
