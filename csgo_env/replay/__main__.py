"""``python -m csgo_env.replay``: run the replay game (see :mod:`csgo_env.replay.main`)."""

import sys

from csgo_env.replay.main import main

sys.exit(main())
