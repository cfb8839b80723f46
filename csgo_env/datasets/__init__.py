"""Recorded gameplay: the public HDF5 recordings (``pearce``), Minari datasets made from them
(``minari``), synthetic recordings (``synthetic``) and the training-sequence loader
(``loader`` over ``sequence_store``)."""
