"""The input channel: keyboard and mouse injection backends (``backends``: XTest on Linux,
DirectInput scan codes through pydirectinput on Windows), the controller that sends only
the changes of an action (``controller``), release of held keys on every exit path
(``safety``) and typing commands into the game's console (``console``)."""
