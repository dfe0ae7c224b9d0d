"""Validate as it usually goes: the licence is the caller's and usable, and this machine holds a seat.

Validate is every client's online check, so its usual case is read with ONE statement outside any
transaction (a single SELECT sees one snapshot by itself: no BEGIN or COMMIT round trips) into plain rows,
not ORM objects (building seven ORM objects cost more than the query). The document is built from those rows
by the same ``payload_of`` every other document comes from. Anything else — a token that is not valid, a
licence that is not the caller's, suspended or expired, a machine without a seat or changed beyond the
tolerance — is left to ``activation.validate``, which reads with the ORM and says why.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from licence_protocol.fingerprint import MachineMatch
from sqlalchemy import Connection, Integer, Select, String, and_, bindparam, select

from server.context import ServerContext
from server.db import session_scope, write_after_read
from server.errors import unauthorized
from server.models import Account, AuthToken, Licence, Machine, Organisation, Policy, Product
from server.services import activation
from server.services.activation import (
    Caller,
    Device,
    MachineSeen,
    find_machine,
    machine_seen,
    record_seen,
    unusable,
)
from server.services.auth import hash_token, in_force
from server.services.documents import DocumentFacts, facts_column, facts_from_column, payload_of


def validate(
    ctx: ServerContext, *, token: str, licence_id: int, device: Device, nonce: str | None, ip: str
) -> dict[str, Any]:
    """``POST /licences/{licence_id}/validate``: a fresh signed document for this machine, or the error that
    says why not. One thread runs all of it: the request hops to a worker thread once."""
    now = ctx.clock.now()
    with ctx.single_reads.connect() as connection:
        read = read_check(connection, hash_token(token), licence_id)
    if read is None or not in_force(read.token, now):
        raise unauthorized("access token invalid or expired")
    checked = check(read, device=device, ip=ip, nonce=nonce, now=now)
    if checked is None:
        return _validate_unusual(ctx, read.account.id, licence_id=licence_id, device=device, nonce=nonce, ip=ip)
    document = ctx.keys.sign(checked.payload)
    if checked.seen is not None:
        with session_scope(ctx.sessions) as session:
            record_seen(session, checked.seen)
    return document


def _validate_unusual(
    ctx: ServerContext, account_id: int, *, licence_id: int, device: Device, nonce: str | None, ip: str
) -> dict[str, Any]:
    # Read again with the ORM: the licence may have changed in between, and this path says why it refuses.
    with session_scope(ctx.read_sessions) as session:
        account = session.get(Account, account_id)
        if account is None:
            raise unauthorized("access token invalid or expired")
        validated = activation.validate(
            session,
            ctx.keys,
            caller=Caller(account, ip),
            licence_id=licence_id,
            device=device,
            nonce=nonce,
            now=ctx.clock.now(),
        )
        if validated.seen is not None:
            with write_after_read(session, ctx.sessions) as writing:
                record_seen(writing, validated.seen)
    return validated.document


@dataclass(frozen=True, slots=True)
class ProductRow:
    code: str
    name: str
    version: str


@dataclass(frozen=True, slots=True)
class PolicyRow:
    name: str
    edition: str
    max_machines: int
    lease_days: int
    offline_voucher_allowance: int
    product: ProductRow


@dataclass(frozen=True, slots=True)
class OrganisationRow:
    id: int
    name: str
    tax_id: str
    market: str
    certification_status: str
    certification_deadline: datetime | None


@dataclass(frozen=True, slots=True)
class AccountRow:
    id: int
    login: str


@dataclass(frozen=True, slots=True)
class MachineRow:
    id: int
    fingerprint: str
    components: dict[str, Any]
    name: str
    public_ip: str
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class LicenceRow:
    id: int
    serial: str
    status: str
    expires_at: datetime | None
    account_id: int | None
    ledgers_purchased: int
    extra_seats: int
    policy: PolicyRow
    organisation: OrganisationRow | None
    seated_machines: tuple[MachineRow, ...]


@dataclass(frozen=True, slots=True)
class TokenRow:
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class CheckRead:
    """What the one statement read: the access token and its account; the licence (None: not this account's,
    or no such licence) with its seated machines and the document's facts."""

    token: TokenRow
    account: AccountRow
    licence: LicenceRow | None
    facts: DocumentFacts | None


@dataclass(frozen=True, slots=True)
class Checked:
    """The document's payload for the machine, and what to write of the machine (None: nothing)."""

    payload: dict[str, Any]
    seen: MachineSeen | None


# The statement's columns, group by group, in the order ``read_check`` unpacks them (then the facts column).
_TOKEN = (AuthToken.expires_at, AuthToken.revoked_at, Account.id, Account.login)
_LICENCE = (
    Licence.id,
    Licence.serial,
    Licence.status,
    Licence.expires_at,
    Licence.ledgers_purchased,
    Licence.extra_seats,
)
_POLICY = (
    Policy.name,
    Policy.edition,
    Policy.max_machines,
    Policy.lease_days,
    Policy.offline_voucher_allowance,
    Product.code,
    Product.name,
    Product.version,
)
_ORGANISATION = (
    Organisation.id,
    Organisation.name,
    Organisation.tax_id,
    Organisation.market,
    Organisation.certification_status,
    Organisation.certification_deadline,
)
_MACHINE = (Machine.id, Machine.fingerprint, Machine.components, Machine.name, Machine.public_ip, Machine.last_seen_at)
_GROUPS = (_TOKEN, _LICENCE, _POLICY, _ORGANISATION, _MACHINE)
_STARTS = tuple(sum(len(g) for g in _GROUPS[:i]) for i in range(len(_GROUPS) + 1))


def _grouped(row: Sequence[Any]) -> list[Sequence[Any]]:
    """A row's values split by ``_GROUPS``."""
    return [row[start:end] for start, end in itertools.pairwise(_STARTS)]


_LICENCE_ID = bindparam("licence_id", type_=Integer)  # the name ``facts_column`` binds too


@cache
def _statement(dialect_name: str) -> Select[*tuple[Any, ...]]:
    # Outer joins from the token: a caller without that licence still gets their token's row (401 and 404
    # stay apart). One row per seated machine; the facts column is computed once, not per row.
    return (
        select(*itertools.chain(*_GROUPS), facts_column(dialect_name))
        .select_from(AuthToken)
        .join(Account, Account.id == AuthToken.account_id)
        .outerjoin(Licence, and_(Licence.id == _LICENCE_ID, Licence.account_id == Account.id))
        .outerjoin(Policy, Policy.id == Licence.policy_id)
        .outerjoin(Product, Product.id == Policy.product_id)
        .outerjoin(Organisation, Organisation.id == Licence.organisation_id)
        .outerjoin(Machine, and_(Machine.licence_id == Licence.id, Machine.deactivated_at.is_(None)))
        .where(AuthToken.token_hash == bindparam("token_hash", type_=String), AuthToken.kind == "access")
        .order_by(Machine.id)
    )


def read_check(connection: Connection, token_hash: str, licence_id: int) -> CheckRead | None:
    """The access token, its account and that account's licence ``licence_id`` with its policy, product,
    organisation, seated machines and document facts, in one statement. None: no such access token."""
    dialect_name = connection.dialect.name
    rows = connection.execute(_statement(dialect_name), {"token_hash": token_hash, "licence_id": licence_id}).all()
    if not rows:
        return None
    token_values, licence_values, policy_values, organisation_values, _ = _grouped(rows[0])
    expires, revoked, account_id, login = token_values
    token, account = TokenRow(expires, revoked), AccountRow(account_id, login)
    licence_id_read, serial, status, expires_at, ledgers_purchased, extra_seats = licence_values
    if licence_id_read is None:  # not this account's licence, or none
        return CheckRead(token, account, None, None)
    name, edition, max_machines, lease_days, allowance, code, product_name, version = policy_values
    policy = PolicyRow(name, edition, max_machines, lease_days, allowance, ProductRow(code, product_name, version))
    organisation = OrganisationRow(*organisation_values) if organisation_values[0] is not None else None
    machine_values = (row[_STARTS[-2] : _STARTS[-1]] for row in rows)
    machines = tuple(MachineRow(*values) for values in machine_values if values[0] is not None)
    licence = LicenceRow(
        licence_id_read,
        serial,
        status,
        expires_at,
        account_id,
        ledgers_purchased,
        extra_seats,
        policy,
        organisation,
        machines,
    )
    return CheckRead(token, account, licence, facts_from_column(rows[0][-1], allowance, dialect_name))


def check(read: CheckRead, *, device: Device, ip: str | None, nonce: str | None, now: datetime) -> Checked | None:
    """The document the usual validate answers with, or None when this is not the usual case (the caller's
    licence missing, suspended or expired; the machine without a seat, or changed beyond the tolerance)."""
    licence, facts = read.licence, read.facts
    if licence is None or facts is None or unusable(licence, now) is not None:
        return None
    lookup = find_machine(licence.seated_machines, device)
    machine = lookup.machine
    if machine is None or lookup.verdict is not MachineMatch.SAME:
        return None
    seen = machine_seen(machine, device, ip, now)
    if seen is not None:
        # Small hardware drift is followed quietly: the document names the machine as it is now.
        machine = replace(machine, fingerprint=seen.fingerprint, components=seen.components)
    return Checked(payload_of(licence, read.account, machine, facts, now, nonce), seen)
