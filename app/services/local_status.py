"""The offline licence check: cache → signature → document → clock watermark → one state.

Used by ``python -m app status`` and by the panel (LicenceService adds what its session knows). Imports
neither Qt, requests nor keyring: for the offline check the signed-in account is the document's own (an IT
person running ``status`` is not signed in as the licence owner), so no keyring lookup is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from licence_protocol.document import DocumentFormatError, LicenceDocument
from licence_protocol.envelope import BadSignatureError, EnvelopeError, UnknownKeyError, verify_envelope
from licence_protocol.fingerprint import feature_code

from app.domain.evaluate import DocumentProblem, EvaluationInput, evaluate, evaluate_for_status
from app.domain.states import StateInfo, exit_code_for
from app.services.cache import CacheProblem, ClockWatermark, to_iso
from app.services.paths import AppPaths

if TYPE_CHECKING:
    from app.domain.error_codes import AnyErrorCode

EXIT_CACHE_UNREADABLE = 3
STATUS_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class LocalStatus:
    """Everything ``status`` prints. ``state`` is None only when the cache could not be read (exit 3)."""

    checked_at: datetime
    exit_code: int
    state: StateInfo | None
    details: Mapping[str, Any]  # placeholders for the state's explanation ({lease_end}, {days_left}…)
    cache_file: Path
    cache_problem: CacheProblem | None
    cache_reason: str | None
    document: LicenceDocument | None  # only a verified, parsed document
    kid: str | None
    verification_error: str | None
    feature_code: str  # this machine's
    machine_match: str | None  # same | changed | different, against the document's machine
    changed_components: tuple[str, ...] = field(default=())
    # The verified document's issued_at: when the server last answered this machine. Never the cache's own
    # note of it, which anyone who can write licence.json can change.
    last_online_check: datetime | None = None
    clock_watermark: datetime | None = None  # as it was before this check; a local note, not signed

    @property
    def usable(self) -> bool:
        return self.exit_code == 0


# The panel's remembered login that could not be confirmed (offline): like `status`, the document's own
# account counts as signed in.
DOCUMENT_ACCOUNT: Final = "document"
# Who counts as signed in: an account id, DOCUMENT_ACCOUNT, or None (nobody: 未登录).
SignedInAccount = int | Literal["document"] | None


@dataclass(frozen=True)
class SessionFacts:
    """What the panel knows beyond the cache; the offline ``status`` command knows none of it."""

    signed_in_account_id: SignedInAccount
    online: bool | None = None  # whether the server answered the last check; None = not checked
    last_server_error: AnyErrorCode | None = None  # the licence error code of the last online check
    error_details: Mapping[str, Any] = field(default_factory=dict)


def read_local_status(
    paths: AppPaths,
    *,
    now: datetime,
    components: Mapping[str, str],
    trusted: Mapping[str, Ed25519PublicKey],
    record_clock: bool = True,
    session: SessionFacts | None = None,
    watermark: ClockWatermark | None = None,
) -> LocalStatus:
    """Evaluate this machine's licence from the cache alone. Never raises for a bad or missing cache.

    Without ``session`` (``python -m app status``) the document's own account counts as signed in and an
    unreadable cache is reported as such (exit 3, no state). With it (the panel) the session's account,
    network state and last server error join the evaluation, and an unreadable cache is a state like any.

    ``record_clock`` moves the clock watermark forward to ``now`` afterwards (best effort), so a
    machine that stays offline still notices its clock being set back later. ``watermark`` is the panel's
    store with its copy outside the data dir (the keyring); without it, the copies ``status`` can read.
    """
    watermark_store = watermark or ClockWatermark(paths)
    cache = watermark_store.cache
    read = cache.load()
    latest_seen = watermark_store.latest()
    common: dict[str, Any] = {
        "checked_at": now,
        "cache_file": paths.licence_file,
        "cache_problem": read.problem,
        "cache_reason": read.reason,
        "feature_code": feature_code(components) if components else "",
        "clock_watermark": latest_seen,
    }
    if read.problem == "corrupt" and session is None:
        return LocalStatus(
            exit_code=EXIT_CACHE_UNREADABLE,
            state=None,
            details={},
            document=None,
            kid=None,
            verification_error=None,
            machine_match=None,
            **common,
        )

    document: LicenceDocument | None = None
    kid: str | None = None
    error: str | None = None
    problem: DocumentProblem | None = "corrupt" if read.problem == "corrupt" else "missing"
    if read.envelope is not None:
        claimed_kid = read.envelope.get("kid")
        kid = claimed_kid if isinstance(claimed_kid, str) else None
        document, problem, error = verify_document(read.envelope, trusted)

    facts = session or SessionFacts(DOCUMENT_ACCOUNT)  # `status`: not checked online, so no OFFLINE_GRACE guess
    account = facts.signed_in_account_id
    inputs = EvaluationInput(
        document=document,
        now=now,
        document_problem=problem,
        watermark=latest_seen,
        local_components=dict(components),
        signed_in_account_id=None if account == DOCUMENT_ACCOUNT else account,
        online=facts.online,
        last_server_error=facts.last_server_error,
        error_details=facts.error_details,
    )
    evaluation = evaluate_for_status(inputs) if account == DOCUMENT_ACCOUNT else evaluate(inputs)
    # After evaluating: the check above compares against what was stored before this run. `status` writes
    # nothing on a machine without a licence; the panel records the clock it saw in any case.
    if record_clock and (read.envelope is not None or session is not None):
        watermark_store.observe(now, document.server_time if document else None)

    return LocalStatus(
        exit_code=exit_code_for(evaluation.code),
        state=evaluation.state,
        details=dict(evaluation.details),
        document=document,
        kid=kid,
        verification_error=error,
        machine_match=evaluation.machine_match.value if evaluation.machine_match else None,
        changed_components=evaluation.changed_components,
        last_online_check=document.issued_at if document else None,
        **common,
    )


def verify_document(
    envelope: Mapping[str, Any], trusted: Mapping[str, Ed25519PublicKey]
) -> tuple[LicenceDocument | None, DocumentProblem | None, str | None]:
    """(document, problem, reason): a document only when signed by a trusted key and readable."""
    try:
        verified = verify_envelope(envelope, trusted)
    except UnknownKeyError as exc:
        return None, "unknown_key", exc.reason
    except BadSignatureError as exc:
        return None, "bad_signature", exc.reason
    except EnvelopeError as exc:
        return None, "corrupt", exc.reason
    try:
        return LicenceDocument.from_payload(verified.payload), None, None
    except DocumentFormatError as exc:
        return None, "format", str(exc)


# --- output of `python -m app status` ------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return to_iso(moment) if moment is not None else None


def _days_until(moment: datetime | None, now: datetime) -> int | None:
    """Whole days from ``now`` (rounded down, like the domain's), negative once passed."""
    return (moment - now).days if moment is not None else None


def _explain(msgid: str, details: Mapping[str, Any], tr: Callable[..., str]) -> str:
    return tr(msgid, **details)  # tr never raises: a placeholder without a value shows as "?"


def _licence_json(doc: LicenceDocument, now: datetime) -> dict[str, Any]:
    deadline = doc.certification.deadline
    return {
        "licence_id": doc.licence_id,
        "serial_masked": doc.serial_masked,
        "product": {"code": doc.product.code, "name": doc.product.name, "version": doc.product.version},
        "edition": doc.edition,
        "policy": doc.policy,
        "status": doc.status,
        "account": {"id": doc.account.id, "display": doc.account.display},
        "organisation": {
            "id": doc.organisation.id,
            "name": doc.organisation.name,
            "tax_id": doc.organisation.tax_id,
            "market": doc.organisation.market,
        },
        "machine": {"id": doc.machine.id, "name": doc.machine.name, "feature_code": doc.machine.feature_code},
        "seats": {"used": doc.seats.used, "max": doc.seats.max},
        "ledgers": {"purchased": doc.ledgers.purchased, "in_use": doc.ledgers.in_use},
        "expires_at": _iso(doc.expires_at),
        "perpetual": doc.perpetual,
        "days_to_expiry": _days_until(doc.expires_at, now),
        "lease_expires_at": to_iso(doc.lease_expires_at),
        "lease_days_left": (doc.lease_expires_at - now).days,
        "issued_at": to_iso(doc.issued_at),
        "server_time": to_iso(doc.server_time),
        "certification": {
            "status": doc.certification.status,
            "deadline": _iso(deadline),
            "days_left": _days_until(deadline, now),
        },
        "addons": [{"code": a.code, "name": a.name, "expires_at": _iso(a.expires_at)} for a in doc.addons],
        "entitlements": [
            {"module": e.module, "ledger_id": e.ledger_id, "fiscal_year": e.fiscal_year} for e in doc.entitlements
        ],
        "vouchers": [
            {"ledger_id": v.ledger_id, "fiscal_year": v.fiscal_year, "used": v.used, "quota": v.quota}
            for v in doc.vouchers
        ],
    }


def status_as_json(status: LocalStatus) -> dict[str, Any]:
    """The stable JSON of ``status --json`` (schema: resources/status.schema.json, schema_version 1)."""
    from app.i18n import tr

    state = status.state
    return {
        "schema_version": STATUS_SCHEMA_VERSION,
        "checked_at": to_iso(status.checked_at),
        "exit_code": status.exit_code,
        "usable": status.usable,
        "state": None
        if state is None
        else {
            "code": state.code.value,
            "label_zh": state.label_zh,
            "label_en": state.label_en,
            "severity": state.severity.value,
            "explanation": _explain(state.explanation, status.details, tr),
            "next_step": _explain(state.next_step, status.details, tr),
            "actions": [action.value for action in state.actions],
            "purchase": state.purchase.value,
        },
        "cache": {"file": str(status.cache_file), "problem": status.cache_problem, "reason": status.cache_reason},
        "document": {
            "verified": status.document is not None,
            "kid": status.kid,
            "error": status.verification_error,
        },
        "this_machine": {
            "feature_code": status.feature_code,
            "match": status.machine_match,
            "changed_components": list(status.changed_components),
        },
        "licence": _licence_json(status.document, status.checked_at) if status.document else None,
        "last_online_check": _iso(status.last_online_check),
        "clock_watermark": _iso(status.clock_watermark),
    }


def format_status_text(status: LocalStatus) -> str:
    """The human-readable report of ``status``, in the language chosen with --lang."""
    from app.i18n import current_language, state_label, tr

    rows: list[tuple[str, str]] = []
    state = status.state
    if state is None:
        rows.append((tr("State"), tr("The licence cache cannot be read: {reason}", reason=status.cache_reason)))
    else:
        if current_language() in ("zh_CN", "en"):
            rows.append((tr("State"), f"{state.code.value}  {state.label_zh} / {state.label_en}"))
        else:  # a Vietnamese or Persian reader gets the label in their language, not Chinese and English
            rows.append((tr("State"), f"{state.code.value}  {state_label(state)}"))
        rows.append(("", _explain(state.explanation, status.details, tr)))
        rows.append((tr("Next step"), _explain(state.next_step, status.details, tr)))
    if status.verification_error:
        rows.append((tr("Licence file problem"), status.verification_error))
    doc = status.document
    now = status.checked_at
    if doc is not None:
        product = " ".join(p for p in (doc.product.name, doc.product.version) if p)
        rows += [
            (tr("Product"), f"{product} ({doc.edition}{', ' + doc.policy if doc.policy else ''})"),
            (tr("Organisation"), f"{doc.organisation.name}  {tr('tax id')} {doc.organisation.tax_id}".rstrip()),
            (tr("Account"), doc.account.display),
            (tr("Serial number"), doc.serial_masked),
        ]
    match_note = {
        "same": tr("matches the licence"),
        "changed": tr("changed since activation"),
        "different": tr("another computer than the licence's"),
    }.get(status.machine_match or "")
    rows.append((tr("Feature code"), status.feature_code + (f"  ({match_note})" if match_note else "")))
    if doc is not None:
        rows += [
            (tr("Expires"), _date_with_days(doc.expires_at, now, tr) if doc.expires_at else tr("Perpetual")),
            (tr("Seats"), tr("{used} of {max} used", used=doc.seats.used, max=doc.seats.max)),
            (
                tr("Ledgers"),
                tr("{in_use} in use, {purchased} bought", in_use=doc.ledgers.in_use, purchased=doc.ledgers.purchased),
            ),
            (tr("Offline lease ends"), _date_with_days(doc.lease_expires_at, now, tr, with_time=True)),
        ]
    rows.append((tr("Last online check"), _local(status.last_online_check, True) if status.last_online_check else "-"))
    if doc is not None:
        cert = doc.certification
        # The status in words (the GUI's), not the document's code; an unknown code is shown as it is.
        cert_text = {"certified": tr("Certified"), "pending": tr("Pending")}.get(cert.status, cert.status)
        if cert.deadline is not None:
            cert_text += ", " + tr("due") + " " + _date_with_days(cert.deadline, now, tr)
        rows.append((tr("Enterprise certification"), cert_text))
        addons = "; ".join(
            (a.name or a.code) + (f" ({tr('until')} {_local(a.expires_at)})" if a.expires_at else "")
            for a in doc.addons
        )
        rows.append((tr("Add-ons"), addons or "-"))
    rows.append((tr("Licence file"), str(status.cache_file)))
    width = max(_display_width(label) for label, _ in rows) + 2
    return "\n".join(
        (f"{label}:" if label else "") + " " * (width - _display_width(label) - (1 if label else 0)) + value
        for label, value in rows
    )


def _display_width(text: str) -> int:
    """Terminal columns: CJK characters take two, so Chinese labels still line up."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _local(moment: datetime | None, with_time: bool = False) -> str:
    """Local time in the --lang language's calendar and digits (Solar Hijri under Persian); --json stays ISO."""
    from app.domain import formatting

    if moment is None:
        return "-"
    local = moment.astimezone()
    return formatting.format_datetime(local) if with_time else formatting.format_date(local)


def _date_with_days(moment: datetime, now: datetime, tr: Callable[..., str], *, with_time: bool = False) -> str:
    days = (moment - now).days
    note = tr("{days} days left", days=days) if days >= 0 else tr("passed {days} days ago", days=-days)
    return f"{_local(moment, with_time)} ({note})"
