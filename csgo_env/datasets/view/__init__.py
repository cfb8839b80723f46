"""Looking at recordings: actions drawn over frames (``overlay``), written as PNG sheets,
GIF or MP4 (``output``), and dataset statistics figures (``figures``)."""
