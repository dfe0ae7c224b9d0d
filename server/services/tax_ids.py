"""Tax ids accepted by the API, checked against the market of the organisation they are for.

The rules are ``licence_protocol.tax_ids`` (the panel checks the same ones as the user types); a refusal is
422 INVALID_TAX_ID naming the market, the rule broken and the request field, so a client can word it.
"""

from __future__ import annotations

from licence_protocol.errors import ErrorCode
from licence_protocol.tax_ids import MARKETS, check_tax_id
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.models import Licence, Organisation

DEFAULT_MARKET = "CN"


def market_of(org: Organisation | None) -> str:
    """The organisation's market; the vendor's home market for none (or a value this server does not sell in)."""
    market = (org.market if org is not None else "") or DEFAULT_MARKET
    return market if market in MARKETS else DEFAULT_MARKET


def market_of_licence(session: Session, licence_id: int) -> str:
    """The market of the organisation a licence is bound to (an order's, an invoice's)."""
    licence = session.get(Licence, licence_id)
    org_id = licence.organisation_id if licence is not None else None
    return market_of(session.get(Organisation, org_id) if org_id is not None else None)


def accepted_tax_id(market: str, tax_id: str, *, field: str = "tax_id", optional: bool = True) -> str:
    """The tax id as it is stored (normalised, e.g. capitals and no spaces), or ApiError INVALID_TAX_ID.

    ``optional``: an empty one is accepted as empty, where the request lets the tax id be left out.
    """
    if optional and not tax_id.strip():
        return ""
    check = check_tax_id(market, tax_id)
    if check.failed_rule is not None:
        raise ApiError(
            ErrorCode.INVALID_TAX_ID,
            f"the tax id is not a valid {market} tax id ({check.failed_rule.value})",
            {"market": market, "rule": check.failed_rule.value, "field": field},
        )
    return check.display
