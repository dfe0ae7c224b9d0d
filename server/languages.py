"""The language of an answer: the request's ``Accept-Language`` among zh_CN, en, vi and fa.

The panel sends its UI language on every request; a browser sends the user's. Texts the server writes for
people (item names, the pay page, notifications) are chosen with it; error codes stay codes for the client.
"""

from __future__ import annotations

LANGUAGES = ("zh_CN", "en", "vi", "fa")
DEFAULT_LANGUAGE = "zh_CN"  # the language of the first market, and of every text before there were others
RTL_LANGUAGES = frozenset({"fa"})
# <html lang>: the BCP 47 tag of each language.
HTML_TAGS = {"zh_CN": "zh-CN", "en": "en", "vi": "vi", "fa": "fa"}
MAX_HEADER_CHARS = 512  # a longer header is someone else's problem: read only its start


def language_of_tag(tag: str) -> str | None:
    """``zh-Hans-CN`` → zh_CN, ``vi-VN`` → vi, ``fa-IR`` → fa, ``en-GB`` → en; None for anything else."""
    primary = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    return {"zh": "zh_CN", "en": "en", "vi": "vi", "fa": "fa"}.get(primary)


def negotiate(header: str | None, fallback: str = DEFAULT_LANGUAGE) -> str:
    """The supported language the header prefers most (by ``q``, then order); ``fallback`` when none."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((header or "")[:MAX_HEADER_CHARS].split(",")):
        tag, _, params = part.partition(";")
        language = language_of_tag(tag)
        if language is None:
            continue
        quality = _quality(params)
        if quality <= 0:
            continue
        # Highest q first; on a tie the earlier entry wins (hence the negative position).
        candidate = (quality, -position, language)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best is not None else fallback


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


def is_rtl(language: str) -> bool:
    return language in RTL_LANGUAGES
