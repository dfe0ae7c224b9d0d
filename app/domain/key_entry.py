"""Serial number and CDkey typed or pasted together into the serial field, as the card prints them.

Cards and confirmation e-mails print ``KJH-ABCD-EFGH-JKMN  ABCDE-FGHJK-…``: people type the serial, a space,
and carry on with the CDkey, or paste both at once. ``split_key_entry`` says which part is which, so the
serial field keeps the serial and the rest goes to the CDkey field (and the cursor with it).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from app.domain.rules import normalise_key, serial_format_ok


@dataclass(frozen=True)
class KeyEntry:
    """What the serial field holds: ``cdkey`` is None when nothing follows the serial yet.

    ``cdkey == ""`` means the separator was typed after a complete serial: the CDkey comes next."""

    serial: str
    cdkey: str | None = None

    @property
    def moves_on(self) -> bool:
        """The serial is complete and something (or a separator) follows: focus belongs in the CDkey field."""
        return self.cdkey is not None


def split_key_entry(text: str) -> KeyEntry:
    """Split ``text`` typed into the serial field into serial and CDkey.

    Only a *complete* serial followed by white space (space, tab, a line break, the full-width space of a
    Chinese input method) splits: a space typed inside an unfinished serial stays part of the serial, whose
    check ignores spaces anyway. Everything after the serial is the CDkey; spaces between its groups, as
    some cards print them, are dropped.
    """
    head, separator, rest = _split_at_space(unicodedata.normalize("NFKC", text).lstrip())
    if not separator or not serial_format_ok(head).ok:
        return KeyEntry(text)
    return KeyEntry(head, normalise_key(rest))


def _split_at_space(text: str) -> tuple[str, str, str]:
    """(before, the white space, after) at the first run of white space; ("text", "", "") without one."""
    for index, char in enumerate(text):
        if char.isspace():
            end = index
            while end < len(text) and text[end].isspace():
                end += 1
            return text[:index], text[index:end], text[end:]
    return text, "", ""
