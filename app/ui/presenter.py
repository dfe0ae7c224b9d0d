"""Turns what LicenceService returns (typed results of app.domain, statuses, errors) into display values.

Every function takes typed values and returns text or plain values the widgets show; the service parses the
server's answers, so nothing here reads JSON. User text for errors comes from app.domain.error_catalogue (the
one module that words errors).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Literal

from licence_protocol.document import Product, Seats
from licence_protocol.errors import ErrorCode

from app.domain import formatting, rules
from app.domain.accounts import Organisation
from app.domain.activation import ActivationPreview, LicenceSummary
from app.domain.error_catalogue import error_message
from app.domain.error_codes import AnyErrorCode, ClientErrorCode
from app.domain.machines import Machine
from app.domain.markets import market_msgid
from app.domain.states import StateCode, explanation_msgid, sign_in_as, state_info
from app.i18n import isolate, state_label, tr
from app.services.errors import ApiError, InvalidDocumentError, NetworkError, NotSignedInError
from app.services.licence_service import LicenceService
from app.services.local_status import LocalStatus
from app.ui.status_view import StatusView

_NETWORK_CODES = {
    "timeout": ClientErrorCode.TIMEOUT,
    "proxy": ClientErrorCode.PROXY_ERROR,
    "tls": ClientErrorCode.TLS_ERROR,
}


# -- status ----------------------------------------------------------------------------------------


def status_view(status: LocalStatus, service: LicenceService | None = None) -> StatusView:
    """A StatusView from a LicenceService status (local or online)."""
    code = status.state.code if status.state is not None else StateCode.UNKNOWN_BLOCKED
    info = state_info(code)
    details = dict(status.details)
    doc = status.document
    login = current_login(service) if service is not None else None
    view = StatusView(
        code=info.code,
        label=state_label(info),
        label_zh=info.label_zh,
        explanation=tr(explanation_msgid(info, details), **details),
        next_step=tr(info.next_step, **details),
        actions=tuple(a.value for a in info.actions),
        sign_in_as=sign_in_as(info, details),
        signed_in=bool(login),
        signed_in_login=login,
        feature_code=status.feature_code or (doc.machine.feature_code if doc is not None else None),
        last_online_check=status.last_online_check,
        reregistrations=_used_of_limit(details.get("reregistrations")),
    )
    if doc is None:
        return view
    org = doc.organisation
    return replace(
        view,
        has_licence=True,
        licence_id=doc.licence_id,
        account=doc.account.display,
        organisation=isolate(org.name)
        + (f"  ({isolate(org.tax_id)})" if org.tax_id else "")
        + f" · {tr(market_msgid(org.market))}",
        product=product_text(doc.product, doc.edition),
        serial_masked=doc.serial_masked,
        expires_at=doc.expires_at,
        seats=(doc.seats.used, doc.seats.max),
        lease_expires_at=doc.lease_expires_at,
        certification_status=doc.certification.status,
        certification_deadline=doc.certification.deadline,
        addons=tuple((a.name or a.code, a.expires_at) for a in doc.addons),
        organisation_id=org.id,
        organisation_name=org.name,
        organisation_tax_id=org.tax_id,
        organisation_market=org.market,
    )


def _used_of_limit(value: object) -> tuple[int, int] | None:
    """FINGERPRINT_CHANGED details ``reregistrations: {used, limit}`` (docs/ARCHITECTURE.md)."""
    if not isinstance(value, Mapping):
        return None
    used, limit = value.get("used"), value.get("limit")
    return (used, limit) if isinstance(used, int) and isinstance(limit, int) else None


# States a completed 在线认证 can only end in when the server was not reached (a reached server renews the lease).
_OFFLINE_ONLY = frozenset({StateCode.OFFLINE_GRACE, StateCode.LEASE_EXPIRED})

NetworkState = Literal["online", "offline", "maintenance"]


def network_after_check(service: LicenceService, view: StatusView) -> NetworkState | None:
    """Whether the server answered the check just made: the service's ``online`` flag, else read off the state."""
    if service.maintenance is not None:
        return "maintenance"  # the server answered: it is reachable, only paused
    online = service.online
    if online is not None:
        return "online" if online else "offline"
    if not view.has_licence:
        return None  # no licence was checked online (start-up without a cached licence)
    return "offline" if view.code in _OFFLINE_ONLY else "online"


def product_text(product: Product, edition: str) -> str:
    """``金蝶KIS 专业版 V16.0 · Standard edition``: the product and, when known, its edition.

    The edition is left out when the product's name already says it (``e会计 标准版 5.0``, not ``… · 标准版``)."""
    name = f"{product.name} {product.version}".strip()
    label = edition_label(edition) if edition else ""
    if not label or _names_edition(product.name, edition, label):
        return name
    return f"{name} · {label}"


# The vendors' Chinese edition words: a product named with one of them already names its edition.
_EDITION_WORDS = {"free": ("免费版",), "standard": ("标准版",), "cloud": ("云盘版", "云版")}


def _names_edition(product_name: str, edition: str, label: str) -> bool:
    return label in product_name or any(word in product_name for word in _EDITION_WORDS.get(edition, ()))


def edition_label(edition: str) -> str:
    return {"free": tr("Free edition"), "standard": tr("Standard edition"), "cloud": tr("Cloud edition")}.get(
        edition, edition
    )


# -- errors ----------------------------------------------------------------------------------------


def error_text(exc: BaseException) -> str:
    """Plain words for a failed call; codes are worded by app.domain.error_catalogue only."""
    if isinstance(exc, ApiError):
        code: AnyErrorCode = exc.code
        details = exc.details
    elif isinstance(exc, NetworkError):
        code, details = _NETWORK_CODES.get(exc.kind, ClientErrorCode.NETWORK_ERROR), {}
    elif isinstance(exc, NotSignedInError):
        code, details = ErrorCode.UNAUTHORIZED, {}
    elif isinstance(exc, InvalidDocumentError):
        reason = exc.reason.lower()
        if "unknown key" in reason:
            code = ClientErrorCode.UNKNOWN_SIGNING_KEY
        else:
            code = ClientErrorCode.NONCE_MISMATCH if "nonce" in reason else ClientErrorCode.INVALID_DOCUMENT
        details = {}
    else:
        code, details = ErrorCode.INTERNAL_ERROR, {}
    msgid, fmt = error_message(code, details)
    return tr(msgid, **fmt)


def licence_id_from_error(exc: ApiError | None) -> int | None:
    if exc is None:
        return None
    value = exc.details.get("licence_id")
    return value if isinstance(value, int) else None


# -- account, organisations, licences ------------------------------------------------------------------


def current_login(service: LicenceService) -> str | None:
    """The signed-in login (also a remembered one while the server is unreachable)."""
    if service.login:
        return service.login
    account = service.account
    return account.login if account is not None else None


def keyring_warning(service: LicenceService) -> str | None:
    """Said on the sign-in dialog when no OS keyring can keep the session (signed in until the panel closes)."""
    if service.remembers_login:
        return None
    msgid, fmt = error_message(ClientErrorCode.KEYRING_UNAVAILABLE)
    return tr(msgid, **fmt)


def organisation_choice(org: Organisation) -> str:
    """An organisation as the checklist lists it: its name and tax id, which tell two alike names apart."""
    return f"{isolate(org.name)}    {tr('Tax ID: {tax_id}', tax_id=org.tax_id or '—')}"  # each keeps its order in RTL


def licence_summary(lic: LicenceSummary) -> str:
    """One line per licence an organisation already has: product, edition, serial, seats and expiry."""
    expiry = tr("Perpetual") if lic.expires_at is None else tr("until {when}", when=lic.expires_at.astimezone().date())
    seats = tr("{used} / {max} seats", used=lic.seats.used, max=lic.seats.max)
    product = isolate(f"{lic.product.name} {lic.product.version}")
    return f"{product} · {edition_label(lic.edition)} · {isolate(lic.serial_masked)} · {seats} · {expiry}"


def installed_product(product: Product | None) -> str | None:
    """The product this installation is, when the panel was told (the serial's product shows at review)."""
    if product is None:
        return None
    return f"{product.name} {product.version}".strip() or product.code


def preview_expiry(preview: ActivationPreview) -> str:
    """A fixed date, a number of days counted from activation, or perpetual."""
    if preview.expires_at is not None:
        return format_when(preview.expires_at)
    if preview.duration_days:
        return tr("{days} days from activation", days=preview.duration_days)
    return tr("Perpetual")


def product_differs(installed: Product | None, preview: ActivationPreview) -> bool:
    """The serial is for another product than the one installed here (only known when the panel was told)."""
    return bool(installed and installed.code and preview.product.code and installed.code != preview.product.code)


# -- input rules (app.domain.rules) ----------------------------------------------------------------------


def key_hint(check: rules.KeyCheck) -> tuple[str | None, bool]:
    """(text, is_error): errors are red, a still-incomplete key gets a neutral hint."""
    if check.ok or not check.reason:
        return None, False
    return tr(check.reason, **check.fmt), not check.partial


def serial_check(text: str) -> rules.KeyCheck:
    return rules.serial_format_ok(text)


def cdkey_check(text: str) -> rules.KeyCheck:
    return rules.cdkey_format_ok(text)


def password_rules(password: str) -> list[tuple[str, bool]]:
    return [(tr(msgid), ok) for _rule, ok, msgid in rules.password_feedback(password)]


# -- machines --------------------------------------------------------------------------------------


def seats_text(seats: Seats) -> str:
    return tr("Seats used: {used} of {max}", used=seats.used, max=seats.max)


def machine_cells(machine: Machine, this_feature_code: str | None) -> tuple[str, str, str, str]:
    """The machines table's row: name (this computer marked), feature code, activated, last seen."""
    name = machine.name or "—"
    if this_feature_code and machine.feature_code == this_feature_code:
        name = tr("{name} (this computer)", name=name)
    return (
        name,
        machine.feature_code or "—",
        format_when(machine.activated_at),
        format_when(machine.last_seen_at),
    )


def format_when(when: datetime | None) -> str:
    """A moment as people read it here: local time, to the minute, in the UI language's calendar and digits;
    a dash when there is none."""
    if when is None:
        return "—"
    return formatting.format_datetime(when.astimezone())
