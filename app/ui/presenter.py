"""Turns what LicenceService returns (typed results, dicts, errors) into plain values for the widgets.

The one place in the UI that knows the service's result shapes, so a change there is fixed here.
User text for errors comes from app.domain.server_errors (the one module that words errors).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.domain import rules
from app.domain.server_errors import error_message
from app.domain.states import state_info
from app.i18n import state_label, tr
from app.services.errors import ApiError, InvalidDocumentError, NetworkError, NotSignedInError
from app.ui.activation.status_view import StatusView

_NETWORK_CODES = {"timeout": "TIMEOUT", "proxy": "PROXY_ERROR", "tls": "TLS_ERROR"}


def get(obj: Any, key: str, default: Any = None) -> Any:
    """Read ``key`` from a mapping or an attribute, so JSON-shaped and typed results read alike."""
    if obj is None:
        return default
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


# -- status ----------------------------------------------------------------------------------------


def status_view(status: Any, service: Any = None) -> StatusView:
    """A StatusView from a LicenceService status (local or online)."""
    state = get(status, "state")
    code = str(get(state, "code", "UNKNOWN_BLOCKED")) if state is not None else "UNKNOWN_BLOCKED"
    info = state_info(code)
    details = dict(get(status, "details") or {})
    doc = get(status, "document")
    login = current_login(service) if service is not None else None
    login = get(status, "signed_in_login", login) or login
    product = None
    if doc is not None:
        p = doc.product
        product = f"{p.name} {p.version}".strip() + (f" · {edition_label(doc.edition)}" if doc.edition else "")
    online = get(status, "online")
    network = "online" if online is True else "offline" if online is False else "unknown"
    cert = get(doc, "certification")
    return StatusView(
        code=info.code.value,
        label=state_label(info),
        label_zh=info.label_zh,
        explanation=tr(info.explanation, **details),
        next_step=tr(info.next_step, **details),
        actions=tuple(a.value for a in info.actions),
        signed_in=bool(login),
        signed_in_login=login,
        has_licence=doc is not None,
        licence_id=get(doc, "licence_id"),
        account=doc.account.display if doc is not None else None,
        organisation=(
            f"{doc.organisation.name}" + (f"  ({doc.organisation.tax_id})" if doc.organisation.tax_id else "")
        )
        if doc is not None
        else None,
        product=product,
        serial_masked=get(doc, "serial_masked"),
        feature_code=get(status, "feature_code") or get(get(doc, "machine"), "feature_code"),
        expires_at=get(doc, "expires_at"),
        seats=(doc.seats.used, doc.seats.max) if doc is not None else None,
        last_online_check=_moment(get(status, "last_online_check")),
        lease_expires_at=get(doc, "lease_expires_at"),
        certification_status=get(cert, "status"),
        certification_deadline=get(cert, "deadline"),
        network=network,  # type: ignore[arg-type]
        addons=tuple((a.name or a.code, a.expires_at) for a in doc.addons) if doc is not None else (),
        reregistrations=_used_of_limit(details.get("reregistrations")),
        organisation_id=doc.organisation.id if doc is not None else None,
        organisation_name=doc.organisation.name if doc is not None else None,
        organisation_tax_id=doc.organisation.tax_id if doc is not None else None,
    )


def _used_of_limit(value: Any) -> tuple[int, int] | None:
    """FINGERPRINT_CHANGED details ``reregistrations: {used, limit}`` (docs/ARCHITECTURE.md)."""
    used, limit = get(value, "used"), get(value, "limit")
    return (used, limit) if isinstance(used, int) and isinstance(limit, int) else None


def maintenance(service: Any) -> Any:
    """The maintenance window of the server's last answer (app.domain.lease.MaintenanceWindow), else None."""
    return get(service, "maintenance")


# States a completed 在线认证 can only end in when the server was not reached (a reached server renews the lease).
_OFFLINE_ONLY = frozenset({"OFFLINE_GRACE", "LEASE_EXPIRED"})


def network_after_check(service: Any, view: StatusView) -> str | None:
    """Whether the server answered the check just made: the service's ``online`` flag, else read off the state."""
    if get(service, "maintenance") is not None:
        return "maintenance"  # the server answered: it is reachable, only paused
    online = get(service, "online")
    if isinstance(online, bool):
        return "online" if online else "offline"
    if not view.has_licence:
        return None  # no licence was checked online (start-up without a cached licence)
    return "offline" if view.code in _OFFLINE_ONLY else "online"


def edition_label(edition: str) -> str:
    return {"free": tr("Free edition"), "standard": tr("Standard edition"), "cloud": tr("Cloud edition")}.get(
        edition, edition
    )


# -- errors ----------------------------------------------------------------------------------------


def error_text(exc: BaseException) -> str:
    """Plain words for a failed call; codes are worded by app.domain.server_errors only."""
    if isinstance(exc, ApiError):
        code, details = exc.code, exc.details
    elif isinstance(exc, NetworkError):
        code, details = _NETWORK_CODES.get(exc.kind, "NETWORK_ERROR"), {}
    elif isinstance(exc, NotSignedInError):
        code, details = "UNAUTHORIZED", {}
    elif isinstance(exc, InvalidDocumentError):
        code, details = ("NONCE_MISMATCH" if "nonce" in exc.reason.lower() else "INVALID_DOCUMENT"), {}
    else:
        code, details = "INTERNAL_ERROR", {}
    msgid, fmt = error_message(code, details)
    return tr(msgid, **fmt)


def licence_id_from_error(exc: ApiError | None) -> int | None:
    if exc is None:
        return None
    value = exc.details.get("licence_id")
    return value if isinstance(value, int) else None


# -- account, organisations, licences ------------------------------------------------------------------


def current_login(service: Any) -> str | None:
    """The signed-in login (also a remembered one while the server is unreachable)."""
    return get(service, "login") or get(get(service, "account"), "login")


def last_login(service: Any) -> str | None:
    return get(get(service, "settings"), "last_login")


def remember_default(service: Any) -> bool:
    return bool(get(get(service, "settings"), "remember_login", True))


def keyring_warning(service: Any) -> str | None:
    """Said on the sign-in dialog when no OS keyring can keep the session (signed in until the panel closes)."""
    if get(service, "remembers_login", True):
        return None
    msgid, fmt = error_message("KEYRING_UNAVAILABLE")
    return tr(msgid, **fmt)


def organisation(org: Any) -> dict[str, Any]:
    return {"id": get(org, "id"), "name": get(org, "name", ""), "tax_id": get(org, "tax_id", "")}


def organisations(me: Any) -> list[dict[str, Any]]:
    return [organisation(o) for o in get(me, "organisations") or []]


def licence_summaries(result: Any) -> list[str]:
    items = get(result, "licences", result) or []
    lines = []
    for lic in items:
        product = get(lic, "product") or {}
        seats = get(lic, "seats") or {}
        expires = _moment(get(lic, "expires_at"))
        lines.append(
            f"{get(product, 'name', '')} {get(product, 'version', '')} · {edition_label(get(lic, 'edition', ''))} · "
            f"{get(lic, 'serial_masked', '')} · "
            + tr("{used} / {max} seats", used=get(seats, "used", 0), max=get(seats, "max", 0))
            + " · "
            + (
                tr("Perpetual")
                if expires is None
                else tr("until {when}", when=expires.astimezone().strftime("%Y-%m-%d"))
            )
        )
    return lines


def this_product(service: Any) -> str | None:
    """The product this installation is, when the service knows it (the serial's product shows at review)."""
    product = get(service, "product")
    if product is None:
        return None
    return f"{get(product, 'name', '')} {get(product, 'version', '')}".strip() or get(product, "code")


def preview(result: Any) -> dict[str, Any]:
    product = get(result, "product") or {}
    seats = get(result, "seats") or {}
    edition = get(result, "edition", "")
    name = f"{get(product, 'name', '')} {get(product, 'version', '')}".strip()
    return {
        "product": name + (f" · {edition_label(edition)}" if edition else ""),
        "product_code": get(product, "code"),
        "serial_masked": get(result, "serial_masked", ""),
        "seats_used": get(seats, "used", 0),
        "seats_max": get(seats, "max", 0),
        "expires_at": _moment(get(result, "expires_at")),
        "duration_days": get(result, "duration_days"),
        "bound_org": get(result, "organisation"),
    }


def product_differs(service: Any, preview_values: Mapping[str, Any]) -> bool:
    mine = get(get(service, "product"), "code")
    theirs = preview_values.get("product_code")
    return bool(mine and theirs and mine != theirs)


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


def this_feature_code(service: Any) -> str | None:
    source = get(service, "fingerprint")
    return source.feature_code() if source is not None and hasattr(source, "feature_code") else None


def machines(result: Any) -> tuple[tuple[int, int] | None, list[dict[str, Any]]]:
    seats = get(result, "seats")
    seat_pair = (get(seats, "used", 0), get(seats, "max", 0)) if seats is not None else None
    rows = []
    for m in get(result, "machines") or []:
        rows.append(
            {
                "id": get(m, "id"),
                "name": get(m, "name") or "—",
                "feature_code": get(m, "fingerprint") or get(m, "feature_code") or "—",
                "activated_at": _moment(get(m, "activated_at")),
                "last_seen_at": _moment(get(m, "last_seen_at")),
            }
        )
    return seat_pair, rows
