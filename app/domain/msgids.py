"""The gettext marker for the domain: it names a msgid where the text is defined, and the UI translates it later.

The domain imports no translation layer (it stays pure); ``app.i18n.tr`` turns these msgids into the user's
language, and the catalogue checks find them by the ``N_`` name.
"""

from __future__ import annotations


def N_(msgid: str) -> str:
    """Mark a msgid for translation; translate it later with ``tr``."""
    return msgid
