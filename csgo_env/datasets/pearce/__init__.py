"""The public Pearce & Zhu HDF5 recordings: byte-exact reading (``reader``, ``index``),
writing (``write``), whole-file validation (``validate``), safe metadata pickles
(``metadata``), the six file families and their names (``families``) and streaming the
authors' ``.tar`` archives (``tar_source``)."""
