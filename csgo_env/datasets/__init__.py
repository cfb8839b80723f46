"""Recordings in the public Pearce & Zhu HDF5 layout, Minari export, catalog and loaders."""
