"""Minari datasets made from the recordings: the catalog of dataset ids and splits
(``catalog``), conversion of recordings into episodes (``export``), the on-disk episode
storage Minari reads (``storage``) and the resumable conversion state (``convert_state``)."""
