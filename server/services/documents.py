"""The signed licence document: what one machine is entitled to (docs/PROTOCOL.md, "Licence document")."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    ScalarSelect,
    String,
    Text,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, aliased

from server.models import (
    Account,
    AddonKey,
    Entitlement,
    Ledger,
    LedgerYear,
    Licence,
    Machine,
    Organisation,
    UTCDateTime,
)
from server.services.keys import mask_serial
from server.services.licence_fields import AccountFields, LicenceFields, MachineFields, OrganisationFields
from server.services.seats import seats_max
from server.services.vouchers import offline_allowance
from server.signing import KeyStore

DOCUMENT_FORMAT = 1


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def mask_login(login: str) -> str:
    """An account as a document may show it: ``13800000001`` → ``138****0001``, ``ab****@example.com``."""
    local, at, domain = login.partition("@")
    if at:
        return f"{local[:2]}****@{domain}"
    if len(login) >= 8:
        return f"{login[:3]}****{login[-4:]}"
    return f"{login[:1]}****"


def certification_of(org: OrganisationFields, now: datetime) -> dict[str, Any]:
    """The organisation's certification as clients see it: a pending one past its deadline is overdue."""
    status = org.certification_status
    deadline = org.certification_deadline
    if status == "pending" and deadline is not None and deadline <= now:
        status = "overdue"
    return {"status": status, "deadline": iso(deadline)}


def organisation_out(org: Organisation, now: datetime) -> dict[str, Any]:
    return {
        "id": org.id,
        "name": org.name,
        "tax_id": org.tax_id,
        "market": org.market,
        "certification": certification_of(org, now),
    }


def active_machines(session: Session, licence_id: int) -> list[Machine]:
    stmt = (
        select(Machine).where(Machine.licence_id == licence_id, Machine.deactivated_at.is_(None)).order_by(Machine.id)
    )
    return list(session.scalars(stmt))


def seats_used(session: Session, licence_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(Machine)
        .where(Machine.licence_id == licence_id, Machine.deactivated_at.is_(None))
    )
    return int(session.scalar(stmt) or 0)


def ledgers_in_use(session: Session, organisation_id: int | None) -> int:
    """Ledgers that count against the purchased number: archived ones do not."""
    if organisation_id is None:
        return 0
    stmt = (
        select(func.count())
        .select_from(Ledger)
        .where(Ledger.organisation_id == organisation_id, Ledger.archived_at.is_(None))
    )
    return int(session.scalar(stmt) or 0)


# Everything the document counts and lists beyond the licence's own rows, in ONE statement: the seat
# count, ledgers in use, entitlements, voucher years and add-ons were five round trips per signed
# document (validate is the hot path). One UNION ALL of fixed-shape rows tagged by ``kind``; the
# ORDER BY gives each kind the order its own query had (entitlements by ledger, year, module; years
# by ledger, year; add-ons by id), NULL placement left to the database as before. Built once, with
# bound parameters, so a request pays neither the statement's construction nor its compilation.
_NO_INT = cast(null(), Integer)
_NO_TEXT = cast(null(), String)
_NO_TIME = cast(null(), UTCDateTime())
_LICENCE_ID = bindparam("licence_id", type_=Integer)
_ORG_ID = bindparam("organisation_id", type_=Integer)
_FACT_COLUMNS = ("kind", "n1", "n2", "n3", "n4", "s1", "s2", "at")
_FACT_ORDER = ("kind", "n1", "n2", "s1")
# The row shape every branch shares: kind, four integers, two texts, one time.
_FactRows = CompoundSelect[str, int, int | None, int | None, int | None, str | None, str | None, datetime | None]


def _fact_rows(licence_id: ColumnElement[int], organisation_id: ColumnElement[int]) -> _FactRows:
    return union_all(
        select(
            literal_column("'seats'", String).label("kind"),
            func.count().label("n1"),
            _NO_INT.label("n2"),
            _NO_INT.label("n3"),
            _NO_INT.label("n4"),
            _NO_TEXT.label("s1"),
            _NO_TEXT.label("s2"),
            _NO_TIME.label("at"),
        )
        .select_from(Machine)
        .where(Machine.licence_id == licence_id, Machine.deactivated_at.is_(None)),
        # Archived ledgers do not count against the purchased number.
        select(
            literal_column("'ledgers'", String), func.count(), _NO_INT, _NO_INT, _NO_INT, _NO_TEXT, _NO_TEXT, _NO_TIME
        )
        .select_from(Ledger)
        .where(Ledger.organisation_id == organisation_id, Ledger.archived_at.is_(None)),
        select(
            literal_column("'entitlement'", String),
            Entitlement.ledger_id,
            Entitlement.fiscal_year,
            _NO_INT,
            _NO_INT,
            Entitlement.module,
            _NO_TEXT,
            _NO_TIME,
        ).where(Entitlement.licence_id == licence_id, Entitlement.revoked_at.is_(None)),
        select(
            literal_column("'year'", String),
            LedgerYear.ledger_id,
            LedgerYear.fiscal_year,
            LedgerYear.vouchers_used,
            LedgerYear.voucher_quota,
            _NO_TEXT,
            _NO_TEXT,
            Ledger.archived_at,  # nothing may be posted offline in an archived ledger
        )
        .join(Ledger, Ledger.id == LedgerYear.ledger_id)
        .where(Ledger.organisation_id == organisation_id),
        select(
            literal_column("'addon'", String),
            AddonKey.id,
            _NO_INT,
            _NO_INT,
            _NO_INT,
            AddonKey.code,
            AddonKey.name,
            AddonKey.expires_at,
        ).where(AddonKey.licence_id == licence_id),
    )


def _ordered(rows: _FactRows) -> _FactRows:
    return rows.order_by(*(rows.selected_columns[name] for name in _FACT_ORDER))


_FACTS = _ordered(_fact_rows(_LICENCE_ID, _ORG_ID))

# The same facts as ONE column, for a statement that loads the licence too (validate: one SELECT for
# everything the request reads). The licence's organisation is read inside it, from an alias so it is
# never correlated with a licence the enclosing statement loads: the subquery is computed once, not per
# row. The rows travel as a JSON array of arrays (text), in the order ``_FACTS`` gives them.
_FACTS_LICENCE = aliased(Licence)
_LICENCE_ORG_ID = select(_FACTS_LICENCE.organisation_id).where(_FACTS_LICENCE.id == _LICENCE_ID).scalar_subquery()
_EMBEDDED = _fact_rows(_LICENCE_ID, _LICENCE_ORG_ID).subquery("document_facts")
_EMBEDDED_ORDERED = _ordered(_fact_rows(_LICENCE_ID, _LICENCE_ORG_ID)).subquery("document_facts")
# PostgreSQL orders inside the aggregate (in its own collation, as ``_FACTS`` does). SQLite before 3.44
# has no ORDER BY in an aggregate: it aggregates an ordered subquery, and the rows are sorted again in
# Python (SQLite's binary collation is code-point order, as Python's), since SQL leaves that order open.
_FACTS_JSON_POSTGRESQL = (
    select(
        cast(
            func.json_agg(
                aggregate_order_by(
                    func.json_build_array(*(_EMBEDDED.c[name] for name in _FACT_COLUMNS)),
                    *(_EMBEDDED.c[name] for name in _FACT_ORDER),
                )
            ),
            Text,
        )
    )
    .select_from(_EMBEDDED)
    .scalar_subquery()
)
_FACTS_JSON_SQLITE = (
    select(func.json_group_array(func.json_array(*(_EMBEDDED_ORDERED.c[name] for name in _FACT_COLUMNS))))
    .select_from(_EMBEDDED_ORDERED)
    .scalar_subquery()
)


def facts_column(dialect_name: str) -> ScalarSelect[str | None]:
    """A column holding the document facts of the licence bound as ``licence_id``; read by ``facts_from_column``."""
    return _FACTS_JSON_POSTGRESQL if dialect_name == "postgresql" else _FACTS_JSON_SQLITE


@dataclass
class DocumentFacts:
    """What a document counts and lists, read by one statement (``document_facts``)."""

    seats_used: int = 0
    ledgers_in_use: int = 0
    entitlements: list[dict[str, Any]] = field(default_factory=list)
    vouchers: list[dict[str, Any]] = field(default_factory=list)
    addons: list[dict[str, Any]] = field(default_factory=list)


def document_facts(session: Session, licence: Licence) -> DocumentFacts:
    # No organisation: the NULL parameter matches no ledger, so ledgers in use is 0 and no voucher years.
    params = {"licence_id": licence.id, "organisation_id": licence.organisation_id}
    return _facts_of(session.execute(_FACTS, params), licence.policy.offline_voucher_allowance)


def facts_from_column(value: str, offline_voucher_allowance: int, dialect_name: str) -> DocumentFacts:
    """The facts a ``facts_column`` read, for a licence whose policy allows ``offline_voucher_allowance``."""
    rows: list[list[Any]] = json.loads(value)
    if dialect_name != "postgresql":
        rows.sort(key=lambda r: (r[0], r[1] or 0, r[2] or 0, r[5] or ""))  # no NULLs in the kinds with many rows
    return _facts_of(((*r[:7], _utc_time(r[7])) for r in rows), offline_voucher_allowance)


def _utc_time(value: str | None) -> datetime | None:
    # JSON carries a time as text: SQLite's stored one (naive UTC) or PostgreSQL's ISO 8601 with its offset.
    if value is None:
        return None
    at = datetime.fromisoformat(value)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _facts_of(rows: Iterable[Sequence[Any]], allowance: int) -> DocumentFacts:
    facts = DocumentFacts()
    for kind, n1, n2, n3, n4, s1, s2, at in rows:
        if kind == "seats":
            facts.seats_used = int(n1 or 0)
        elif kind == "ledgers":
            facts.ledgers_in_use = int(n1 or 0)
        elif kind == "entitlement":
            facts.entitlements.append({"module": s1, "ledger_id": n1, "fiscal_year": n2})
        elif kind == "year":
            used, quota = int(n3 or 0), int(n4 or 0)
            facts.vouchers.append(
                {
                    "ledger_id": n1,
                    "fiscal_year": n2,
                    "used": used,
                    "quota": quota,
                    "offline_allowance": 0 if at is not None else offline_allowance(allowance, used, quota),
                }
            )
        else:
            facts.addons.append({"code": s1, "name": s2, "expires_at": iso(at)})
    return facts


def build_payload(
    session: Session,
    licence: Licence,
    machine: Machine | None,
    now: datetime,
    nonce: str | None = None,
) -> dict[str, Any]:
    # An identity-map hit when the caller's account is loaded already: no round trip.
    account = session.get(Account, licence.account_id) if licence.account_id is not None else None
    return payload_of(licence, account, machine, document_facts(session, licence), now, nonce)


def payload_of(
    licence: LicenceFields,
    account: AccountFields | None,
    machine: MachineFields | None,
    facts: DocumentFacts,
    now: datetime,
    nonce: str | None = None,
) -> dict[str, Any]:
    """The document's payload, from what was read: no database here."""
    policy = licence.policy
    product = policy.product
    org = licence.organisation
    return {
        "format": DOCUMENT_FORMAT,
        "licence_id": licence.id,
        "serial_masked": mask_serial(licence.serial),
        "product": {"code": product.code, "name": product.name, "version": product.version},
        "edition": policy.edition,
        "policy": policy.name,
        "status": licence.status,
        "account": {"id": account.id, "display": mask_login(account.login)} if account is not None else None,
        # The market names the tax-id rule the panel checks the organisation's tax id against.
        "organisation": (
            {"id": org.id, "name": org.name, "tax_id": org.tax_id, "market": org.market} if org is not None else None
        ),
        "machine": (
            {
                "id": machine.id,
                "feature_code": machine.fingerprint,
                "components": dict(machine.components),
                "name": machine.name,
            }
            if machine is not None
            else None
        ),
        "seats": {"used": facts.seats_used, "max": seats_max(licence)},
        "ledgers": {"purchased": licence.ledgers_purchased, "in_use": facts.ledgers_in_use},
        "entitlements": facts.entitlements,
        "vouchers": facts.vouchers,
        "addons": facts.addons,
        "certification": (certification_of(org, now) if org is not None else {"status": "none", "deadline": None}),
        "expires_at": iso(licence.expires_at),
        "issued_at": iso(now),
        # How long the client may trust this document without reaching the server again.
        "lease_expires_at": iso(now + timedelta(days=policy.lease_days)),
        "server_time": iso(now),
        "nonce": nonce,
    }


def issue_document(
    session: Session,
    keys: KeyStore,
    licence: Licence,
    machine: Machine | None,
    now: datetime,
    nonce: str | None = None,
) -> dict[str, Any]:
    """Build the payload and sign it with the active key (the envelope: docs/PROTOCOL.md, "Licence document")."""
    return keys.sign(build_payload(session, licence, machine, now, nonce))
