"""Translations: English msgids looked up in ``resources/i18n/<lang>.json``; stdlib only, no Qt.

``tr(msgid, **fmt)`` never raises: an unknown msgid falls back to the English text, and a placeholder
without a value shows as ``?``. Catalogues are read on first use and cached.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from app.deferred_logging import DeferredLogger
from app.domain import formatting
from app.resources import resource_path

if TYPE_CHECKING:  # the error catalogue is imported by tr_error only: `status` and the parser never need it
    from app.domain.error_codes import AnyErrorCode
    from app.domain.states import StateInfo

log = DeferredLogger(__name__)  # `status` and `check` import logging only if they log

LANGUAGES = ("zh_CN", "en", "vi", "fa")
DEFAULT_LANGUAGE = "en"
_RTL = frozenset({"fa"})
_LIST_SEPARATOR = {"zh_CN": "、", "fa": "، "}
# Unicode FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE: in right-to-left text a value such as "¥357.00",
# a tax id or a Chinese company name keeps its own direction instead of being reordered with the words around it.
_ISOLATE = ("\u2068", "\u2069")

_current: str | None = None


def N_(msgid: str) -> str:  # the gettext name that tools and readers know
    """Mark a msgid for translation where it is defined; translate it later with ``tr``."""
    return msgid


def normalise_language(tag: str | None) -> str | None:
    """``zh_TW.UTF-8`` → ``zh_CN``, ``vi-VN`` → ``vi``, ``Persian_Iran`` → ``fa``; None when unsupported."""
    if not tag:
        return None
    lowered = tag.strip().lower().replace("-", "_")
    if lowered in ("", "c", "posix") or lowered.startswith(("c.", "posix.")):
        return None
    if lowered.startswith(("zh", "chinese")):
        return "zh_CN"
    if lowered.startswith(("vi", "vietnam")):
        return "vi"
    if lowered.startswith(("fa", "persian", "farsi")):
        return "fa"
    if lowered.startswith(("en", "english")):
        return "en"
    return None


def system_language(environ: Mapping[str, str] | None = None) -> str:
    """The user's language from LANGUAGE / LC_ALL / LC_MESSAGES / LANG, then the OS locale; else English."""
    env = os.environ if environ is None else environ
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        for tag in value.split(":"):  # LANGUAGE is a priority list
            found = normalise_language(tag)
            if found:
                return found
        if value and var != "LANGUAGE":
            return DEFAULT_LANGUAGE  # an explicit, unsupported locale (de_DE, C): English
    if environ is not None:
        return DEFAULT_LANGUAGE
    return normalise_language(_os_locale()) or DEFAULT_LANGUAGE


def _os_locale() -> str | None:
    if sys.platform == "win32":  # Windows has no LANG; ask for the user's UI locale name (e.g. zh-CN)
        try:
            import ctypes

            buffer = ctypes.create_unicode_buffer(85)
            if ctypes.windll.kernel32.GetUserDefaultLocaleName(buffer, len(buffer)):  # type: ignore[attr-defined]
                return buffer.value
        except (AttributeError, OSError):
            pass
    try:
        import locale  # only when no environment variable names the language

        return locale.getlocale(locale.LC_MESSAGES if hasattr(locale, "LC_MESSAGES") else locale.LC_CTYPE)[0]
    except (ValueError, TypeError):
        return None


def set_language(lang: str | None) -> str:
    """Use ``lang`` (None: the system's); returns the language now in use."""
    global _current
    _current = normalise_language(lang) if lang else system_language()
    if _current is None:
        log.warning("unsupported language %r, using English", lang)
        _current = DEFAULT_LANGUAGE
    return _current


def current_language() -> str:
    return _current if _current is not None else set_language(None)


def is_rtl(lang: str | None = None) -> bool:
    """Persian is written right to left: the UI mirrors its layout."""
    return (lang or current_language()) in _RTL


@functools.cache
def catalogue(lang: str) -> Mapping[str, str]:
    """The msgid → translation table of ``lang`` (empty for English, or when the file is unreadable)."""
    if lang == DEFAULT_LANGUAGE or lang not in LANGUAGES:
        return {}
    path = resource_path("i18n", f"{lang}.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("translations for %s unavailable: %s", lang, exc)
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str) and v}


class _Values(dict[str, Any]):
    """Format arguments: a missing one shows as ``?``, lists are joined the way the language writes them."""

    def __init__(self, values: Mapping[str, Any], separator: str, *, isolate: bool = False) -> None:
        super().__init__(values)
        self.separator = separator
        self.isolate = isolate

    def __missing__(self, key: str) -> str:
        return "?"

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if isinstance(value, list | tuple | set | frozenset):
            value = self.separator.join(str(_localised(v)) for v in value)
        else:
            value = _localised(value)
        if self.isolate:
            return f"{_ISOLATE[0]}{value}{_ISOLATE[1]}"
        return value


def isolate(text: str, lang: str | None = None) -> str:
    """``text`` kept in its own direction inside a right-to-left sentence (unchanged under left-to-right languages).

    For identifiers composed outside ``tr()``'s placeholders, which it isolates itself: a serial number, a feature
    code, a tax id, a phone number, a URL, an amount or a Chinese company name beside Persian words.
    """
    return f"{_ISOLATE[0]}{text}{_ISOLATE[1]}" if text and is_rtl(lang) else text


def _localised(value: Any) -> Any:
    """The one place placeholders take the language's writing: dates and date-times in its calendar and order,
    whole numbers in its digits (Persian ۰–۹). A datetime is written as given: pass it in the zone to show."""
    if isinstance(value, datetime):
        return formatting.format_datetime(value)
    if isinstance(value, date):
        return formatting.format_date(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return formatting.native_digits(str(value))  # no grouping: fiscal years and ids are ints too
    return value


def tr(msgid: str, /, **fmt: Any) -> str:
    lang = current_language()
    text = catalogue(lang).get(msgid, msgid)
    if "{" not in text:
        return text
    try:
        return text.format_map(_Values(fmt, _LIST_SEPARATOR.get(lang, ", "), isolate=is_rtl(lang)))
    except (ValueError, IndexError, AttributeError, TypeError, KeyError):
        # A translation with a broken placeholder must not take the screen down: show it unformatted.
        log.warning("cannot format %r for %s", msgid, lang)
        return text


formatting.follow_language(current_language)  # Money.text and the date helpers follow the UI language


def state_label(info: StateInfo) -> str:
    """The state's label in the current language (Chinese exactly as docs/PROTOCOL.md "States")."""
    lang = current_language()
    if lang == "zh_CN":
        return info.label_zh
    return catalogue(lang).get(info.label_en, info.label_en)


def tr_error(code: AnyErrorCode, details: Mapping[str, Any] | None = None) -> str:
    """User text for an error code (server or client); see ``app.domain.error_catalogue``."""
    from app.domain.error_catalogue import error_message

    msgid, fmt = error_message(code, details)
    return tr(msgid, **fmt)
