"""Core's own defaults, written as plugins through the same hooks a station
plugin uses (Datasette's ``default_*`` modules). They are on for every station."""
