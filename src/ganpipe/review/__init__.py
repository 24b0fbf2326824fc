"""``ganpipe review``: the click-to-reject page (server.py) and what it shows (state.py)."""
