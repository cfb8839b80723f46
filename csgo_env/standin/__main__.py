"""``python -m csgo_env.standin``: run the replay game (see :mod:`csgo_env.standin.main`)."""

import sys

from csgo_env.standin.main import main

sys.exit(main())
