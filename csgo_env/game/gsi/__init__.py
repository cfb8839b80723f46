"""Game State Integration, the reward channel: the cfg file the game reads (``cfg``), the
Steam library lookup that finds its folder (``steam_paths``), the local HTTP receiver the
game POSTs to (``receiver``) and the tracker that turns payloads into kill/death events
(``events``)."""
