"""Cleaning stages: filter (what is usable), reduce (to RGB or L), resize (to one square size)."""
