"""One licence state from the cached document, the clock, this machine and the signed-in account.

Order of precedence — the first rule that applies wins:

 1. no account signed in                            → NOT_LOGGED_IN (facts of a cached document are still filled)
 2. clock more than 24 h before the watermark or
    before the document's server time               → CLOCK_TAMPERED (NTP or time-zone corrections are tolerated)
 3. document corrupt / bad signature               → ILLEGAL_COPY;  signed by a key this panel does not know
                                                      → PANEL_UPDATE_REQUIRED;  newer ``format`` → UNKNOWN_BLOCKED
 4. machine components DIFFERENT                    → ILLEGAL_COPY;  CHANGED → FINGERPRINT_CHANGED
 5. document account ≠ signed-in account            → ACCOUNT_MISMATCH
 6. document status suspended / revoked             → SUSPENDED;  a status this client does not know → UNKNOWN_BLOCKED
 7. last online check answered a licence error      → its state (TOO_MANY_MACHINES, LICENCE_EXPIRED → EXPIRED, …;
                                                      unknown codes → UNKNOWN_BLOCKED). Comes before 8 because a
                                                      failed activation (seats full, IP bound) has no document yet.
 8. no document                                     → NOT_ACTIVATED
 9. past expiry                                     → EXPIRED
10. past the offline lease                          → LEASE_EXPIRED
11. cloud edition with more ledgers in use than bought → LEDGER_LIMIT_EXCEEDED
12. certification overdue (or pending past deadline) → CERTIFICATION_OVERDUE
13. offline (online is False) and inside the lease  → OFFLINE_GRACE
14. expiry within 30 days                           → EXPIRING_SOON
15. certification pending, deadline within 30 days  → CERTIFICATION_PENDING
16. otherwise                                       → ACTIVE

Local evidence (clock, signature, machine, account) outranks what the server said, which outranks
the document's own dates. A pending certification further than 30 days away is only a fact
(``certification_days_left``), so a freshly activated machine reads ACTIVE, not a warning.

``online=None`` means "not checked": no OFFLINE_GRACE, the lease alone decides. ``evaluate_for_status``
is the offline check of ``python -m app status``: no keyring there, so the document's own account counts
as the signed-in one (rules 1 and 5 are skipped).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Literal

from licence_protocol.document import LicenceDocument
from licence_protocol.fingerprint import MachineMatch, compare_components

from app.domain.states import StateCode, StateInfo, state_info

if TYPE_CHECKING:
    from app.domain.error_codes import AnyErrorCode

DocumentProblem = Literal["missing", "corrupt", "bad_signature", "unknown_key", "format"]

CLOCK_TOLERANCE = timedelta(hours=24)
EXPIRY_WARNING = timedelta(days=30)
CERTIFICATION_WARNING = timedelta(days=30)
LEASE_WARNING = timedelta(days=3)  # OFFLINE_GRACE gets a stronger warning in its last days
_BLOCKED_STATUSES = frozenset({"suspended", "revoked"})
_KNOWN_STATUSES = frozenset({"active", "expired"}) | _BLOCKED_STATUSES
_ILLEGAL_PROBLEMS = frozenset({"corrupt", "bad_signature"})


@dataclass(frozen=True)
class EvaluationInput:
    document: LicenceDocument | None
    now: datetime
    document_problem: DocumentProblem | None = None
    watermark: datetime | None = None  # latest time this machine has seen
    local_components: Mapping[str, str] = field(default_factory=dict)
    signed_in_account_id: int | None = None
    online: bool | None = None  # None = not checked
    last_server_error: AnyErrorCode | None = None  # error code of the last online licence check
    error_details: Mapping[str, Any] = field(default_factory=dict)
    tz: tzinfo | None = None  # zone dates are shown in; None = this computer's


@dataclass(frozen=True)
class Evaluation:
    state: StateInfo
    document: LicenceDocument | None
    days_to_expiry: int | None  # None = perpetual or no document; negative once expired
    lease_remaining: timedelta | None  # never negative
    lease_ending_soon: bool
    machine_match: MachineMatch | None
    changed_components: tuple[str, ...]
    certification_days_left: int | None
    details: dict[str, Any]  # fills the {placeholders} of the state's texts

    @property
    def code(self) -> StateCode:
        return self.state.code


def evaluate(inp: EvaluationInput) -> Evaluation:
    return _evaluate(inp, require_account=True)


def evaluate_for_status(inp: EvaluationInput) -> Evaluation:
    """Offline check without the keyring: the document's own account counts as signed in."""
    return _evaluate(inp, require_account=False)


def _evaluate(inp: EvaluationInput, *, require_account: bool) -> Evaluation:
    now = _aware(inp.now)
    doc = inp.document if inp.document_problem in (None, "missing") else None
    match = compare_components(doc.machine.components, inp.local_components) if doc else None
    facts = _facts(doc, now, inp, match.changed if match else ())
    code = _decide(inp, doc, now, match.verdict if match else None, require_account)
    days_to_expiry = _days(doc.expires_at - now) if doc and doc.expires_at else None
    lease_remaining = max(doc.lease_expires_at - now, timedelta(0)) if doc else None
    deadline = doc.certification.deadline if doc else None
    return Evaluation(
        state=state_info(code),
        document=doc,
        days_to_expiry=days_to_expiry,
        lease_remaining=lease_remaining,
        lease_ending_soon=lease_remaining is not None and lease_remaining <= LEASE_WARNING,
        machine_match=match.verdict if match else None,
        changed_components=match.changed if match and match.verdict is not MachineMatch.SAME else (),
        certification_days_left=_days(deadline - now) if deadline else None,
        details=facts,
    )


def _decide(
    inp: EvaluationInput,
    doc: LicenceDocument | None,
    now: datetime,
    verdict: MachineMatch | None,
    require_account: bool,
) -> StateCode:
    if require_account and inp.signed_in_account_id is None:
        return StateCode.NOT_LOGGED_IN
    if _clock_rolled_back(now, inp.watermark, doc):
        return StateCode.CLOCK_TAMPERED
    if inp.document_problem in _ILLEGAL_PROBLEMS:
        return StateCode.ILLEGAL_COPY
    if inp.document_problem == "unknown_key":  # the vendor rotated its key after this panel was built
        return StateCode.PANEL_UPDATE_REQUIRED
    if inp.document_problem == "format":
        return StateCode.UNKNOWN_BLOCKED
    if doc is not None:
        if verdict is MachineMatch.DIFFERENT:
            return StateCode.ILLEGAL_COPY
        if verdict is MachineMatch.CHANGED:
            return StateCode.FINGERPRINT_CHANGED
        if require_account and doc.account.id != inp.signed_in_account_id:
            return StateCode.ACCOUNT_MISMATCH
        if doc.status in _BLOCKED_STATUSES:
            return StateCode.SUSPENDED
        if doc.status not in _KNOWN_STATUSES:  # a newer server's status is never read as valid
            return StateCode.UNKNOWN_BLOCKED
    if inp.last_server_error:
        from app.domain.error_catalogue import state_for_error  # the offline `status` has no server error

        from_server = state_for_error(inp.last_server_error)
        if from_server is not None:
            return from_server
    if doc is None:
        return StateCode.NOT_ACTIVATED
    return _decide_by_dates(inp, doc, now)


def _decide_by_dates(inp: EvaluationInput, doc: LicenceDocument, now: datetime) -> StateCode:
    cert = doc.certification
    if doc.status == "expired" or (doc.expires_at is not None and now >= doc.expires_at):
        return StateCode.EXPIRED
    if now >= doc.lease_expires_at:
        return StateCode.LEASE_EXPIRED
    if doc.edition == "cloud" and doc.ledgers.in_use > doc.ledgers.purchased:
        return StateCode.LEDGER_LIMIT_EXCEEDED
    if cert.status == "overdue" or (cert.status == "pending" and cert.deadline is not None and now >= cert.deadline):
        return StateCode.CERTIFICATION_OVERDUE
    if inp.online is False:
        return StateCode.OFFLINE_GRACE
    if doc.expires_at is not None and doc.expires_at - now <= EXPIRY_WARNING:
        return StateCode.EXPIRING_SOON
    if cert.status == "pending" and cert.deadline is not None and cert.deadline - now <= CERTIFICATION_WARNING:
        return StateCode.CERTIFICATION_PENDING
    return StateCode.ACTIVE


def _clock_rolled_back(now: datetime, watermark: datetime | None, doc: LicenceDocument | None) -> bool:
    """True when the clock is more than a day before a time already seen (here or by the server)."""
    seen = [_aware(t) for t in (watermark, doc.server_time if doc else None) if t is not None]
    return any(latest - now > CLOCK_TOLERANCE for latest in seen)


def _facts(
    doc: LicenceDocument | None, now: datetime, inp: EvaluationInput, changed: tuple[str, ...]
) -> dict[str, Any]:
    tz = inp.tz
    facts: dict[str, Any] = {}
    seen = [_aware(t) for t in (inp.watermark, doc.server_time if doc else None) if t is not None]
    if seen:
        facts["watermark"] = _when(max(seen), tz)
    if doc is not None:
        facts.update(
            product=doc.product.name,
            organisation=doc.organisation.name,
            licence_account=doc.account.display,
            seats_used=doc.seats.used,
            seats_max=doc.seats.max,
            ledgers_in_use=doc.ledgers.in_use,
            ledgers_purchased=doc.ledgers.purchased,
            lease_end=_when(doc.lease_expires_at, tz),
            lease_days_left=max(_days(doc.lease_expires_at - now), 0),
        )
        if doc.expires_at is not None:
            facts.update(expires_on=_day(doc.expires_at, tz), days_left=max(_days(doc.expires_at - now), 0))
        if doc.certification.deadline is not None:
            deadline = doc.certification.deadline
            facts.update(
                certification_deadline=_day(deadline, tz),
                certification_days_left=max(_days(deadline - now), 0),
            )
    if changed:
        facts["changed"] = ", ".join(changed)
    # What the server said about this very state wins over the (older) cached document.
    facts.update(inp.error_details)
    return facts


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _days(delta: timedelta) -> int:
    """Whole days, rounded down (a licence ending in 36 hours has 1 day left)."""
    return delta.days


# Days and moments stay date / datetime objects in the details: tr() writes them in the UI language's calendar
# (Solar Hijri under Persian), so the domain never fixes one way of writing a date.
def _day(moment: datetime, tz: tzinfo | None) -> date:
    return moment.astimezone(tz).date()


def _when(moment: datetime, tz: tzinfo | None) -> datetime:
    return _aware(moment).astimezone(tz).replace(second=0, microsecond=0)
