"""The memory channel, read-only: process memory readers (``readers`` with the Linux and
Windows backends), offsets files from hazedumper / cs2-dumper (``offsets``) and the pose
reader that follows them to position, view angles and velocity (``pose``,
``pose_layouts``)."""
