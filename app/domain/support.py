"""Customer service (联系客服) as the server publishes it per market, and where the system's clock is set.

``GET /api/v1/support?market=`` (docs/PROTOCOL.md "Service"): the market follows the panel's language —
Chinese → CN, Vietnamese → VN, Persian → IR; English keeps the vendor's home market, CN. Opening hours
come as data (days, times, zone) and are worded by the UI in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain.wire import JsonReader

DEFAULT_MARKET = "CN"
_MARKET_OF_LANGUAGE = {"zh_CN": "CN", "vi": "VN", "fa": "IR"}
DAYS = ("mon-fri", "mon-sat", "sat-wed", "every-day")

# Windows opens its date and time settings from this URI; elsewhere the UI explains the way there.
WINDOWS_DATE_TIME_SETTINGS = "ms-settings:dateandtime"


def market_for_language(language: str) -> str:
    return _MARKET_OF_LANGUAGE.get(language, DEFAULT_MARKET)


@dataclass(frozen=True)
class OpeningHours:
    days: str  # one of DAYS; a newer server's value is shown as it is
    opens: str  # HH:MM in ``timezone``
    closes: str
    timezone: str


@dataclass(frozen=True)
class SupportContacts:
    market: str
    team: str
    phone: str
    email: str
    qq_group: str | None
    chat: str | None
    hours: OpeningHours
    help_url: str | None
    download_url: str | None
    purchase_url: str | None = None  # the vendor's page selling the paid editions; absent from older servers

    @classmethod
    def from_json(cls, body: Any) -> SupportContacts:
        r = JsonReader(body, "support")
        hours = r.child("hours")
        return cls(
            market=r.text("market"),
            team=r.text("team"),
            phone=r.text("phone"),
            email=r.text("email"),
            qq_group=r.optional_text("qq_group") or None,
            chat=r.optional_text("chat") or None,
            hours=OpeningHours(hours.text("days"), hours.text("opens"), hours.text("closes"), hours.text("timezone")),
            help_url=r.optional_text("help_url") or None,
            download_url=r.optional_text("download_url") or None,
            purchase_url=r.optional_text("purchase_url") or None,
        )


def date_time_settings_uri(platform: str) -> str | None:
    """What opens the system's date and time settings on ``platform`` (``sys.platform``); None: explain instead."""
    return WINDOWS_DATE_TIME_SETTINGS if platform == "win32" else None
