"""How tests read what a real `python -m app` process prints."""

from __future__ import annotations

# The panel writes JSON as UTF-8 bytes whatever the console's code page; plain text is in the console's
# encoding with '?' where it lacks a character (cp1252 on English Windows), so it is read leniently.
UTF8_TEXT = {"encoding": "utf-8", "errors": "replace"}
