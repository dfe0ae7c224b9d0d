"""What 续费 and 批量续费 share: the period and date wording, and the renewal calls both make."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from app.domain import formatting
from app.domain.orders import Order
from app.domain.renewal import RenewalQuote, RenewalRequest
from app.i18n import tr
from app.services.http import CancelToken
from app.ui.purchase.payment_view import OrderSource


class RenewalOrders(OrderSource, Protocol):
    """Quote, order and follow a renewal (the payment step polls ``order``)."""

    def renewal_quote(
        self,
        months: int,
        ledgers: int | None = None,
        licence_id: int | None = None,
        *,
        cancel: CancelToken | None = None,
    ) -> RenewalQuote: ...

    def place_renewal(self, request: RenewalRequest, *, cancel: CancelToken | None = None) -> Order: ...

    def renewal_order(self, order_id: int, *, cancel: CancelToken | None = None) -> Order: ...


def period_text(months: int) -> str:
    """``12 months (1 year)``, ``24 months (2 years)``, ``18 months``: whole years named in their own number."""
    years, rest = divmod(months, 12)
    if rest or not years:
        return tr("{months} months", months=months)
    if years == 1:
        return tr("{months} months (1 year)", months=months)
    return tr("{months} months ({years} years)", months=months, years=years)


def date_text(value: datetime | None) -> str:
    """A day in the UI language's calendar and digits (Solar Hijri under Persian); a dash when there is none."""
    return formatting.format_date(value.astimezone()) if value is not None else "—"
