"""Customer service contacts per market: what the panel's 联系客服 (contact support) shows.

Stored per market (CN, VN, IR) in ``support_contacts``; opening hours are data (days, times, zone), so
each client words them in its own language. The demo seeds believable contacts for the three markets.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from server.errors import not_found
from server.models import SupportContact

MARKETS = ("CN", "VN", "IR")
DAYS = ("mon-fri", "mon-sat", "sat-wed", "every-day")

# Demo contacts: shaped like the vendors' own (the community QQ group of the refund rules, a 400 line,
# Zalo in Vietnam, Telegram in Iran and its Saturday-to-Wednesday week); the domains are the vendor's.
DEMO_CONTACTS: tuple[dict[str, Any], ...] = (
    {
        "market": "CN",
        "team": "e会计 社区客服中心",
        "phone": "400-821-6036",
        "email": "service@kuaijihui.com",
        "qq_group": "636016246",
        "chat": None,
        "days": "mon-fri",
        "opens": "09:00",
        "closes": "18:00",
        "timezone": "Asia/Shanghai",
        "help_url": "https://www.kuaijihui.com/help",
        "download_url": "https://www.kuaijihui.com/download/panel",
    },
    {
        "market": "VN",
        "team": "Trung tâm hỗ trợ khách hàng e会计 Việt Nam",
        "phone": "1900 6868 36",
        "email": "hotro@kuaijihui.vn",
        "qq_group": None,
        "chat": "Zalo 0903 686 036",
        "days": "mon-sat",
        "opens": "08:00",
        "closes": "17:30",
        "timezone": "Asia/Ho_Chi_Minh",
        "help_url": "https://kuaijihui.vn/ho-tro",
        "download_url": "https://kuaijihui.vn/tai-ve/panel",
    },
    {
        "market": "IR",
        "team": "پشتیبانی مشتریان e会计 ایران",
        "phone": "021-9100 6036",
        "email": "support@kuaijihui.ir",
        "qq_group": None,
        "chat": "Telegram @kuaijihui_support",
        "days": "sat-wed",
        "opens": "08:30",
        "closes": "16:30",
        "timezone": "Asia/Tehran",
        "help_url": "https://kuaijihui.ir/support",
        "download_url": "https://kuaijihui.ir/download/panel",
    },
)


# Where each market's vendor sells the paid editions: the way up from a free licence whose activations are used
# up. A vendor setting rather than a contact, kept here until the contacts table has a column for it.
PURCHASE_PAGES = {
    "CN": "https://www.kuaijihui.com/buy",
    "VN": "https://kuaijihui.vn/mua-ban-quyen",
    "IR": "https://kuaijihui.ir/buy",
}


def contacts_for(session: Session, market: str) -> dict[str, Any]:
    """The contacts of ``market`` as the API answers them; NOT_FOUND for a market without any."""
    row = session.get(SupportContact, market.upper())
    if row is None:
        raise not_found("support contacts")
    return {
        "market": row.market,
        "team": row.team,
        "phone": row.phone,
        "email": row.email,
        "qq_group": row.qq_group,
        "chat": row.chat,
        "hours": {"days": row.days, "opens": row.opens, "closes": row.closes, "timezone": row.timezone},
        "help_url": row.help_url,
        "download_url": row.download_url,
        "purchase_url": PURCHASE_PAGES.get(row.market),
    }


def seed_demo_contacts(session: Session) -> None:
    """Create or refresh the demo's contacts of every market (safe to run on every demo start)."""
    for values in DEMO_CONTACTS:
        row = session.get(SupportContact, values["market"])
        if row is None:
            session.add(SupportContact(**values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
