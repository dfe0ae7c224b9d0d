"""Activation rules: preview, activate, validate, machines, re-register, add-ons (docs/PROTOCOL.md, "HTTP API").

Every function takes the session and the server's ``now``; seat counts are taken under a row lock on
the licence (``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite, see server/db.py),
so simultaneous activations can never hand out more seats than the policy allows.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from licence_protocol.dates import add_months
from licence_protocol.errors import ErrorCode
from licence_protocol.fingerprint import MachineMatch, compare_components
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from server.config import Settings
from server.db import rows_updated
from server.errors import ApiError, not_found
from server.models import (
    Account,
    AddonKey,
    IpBinding,
    Licence,
    LicenceEvent,
    Machine,
    Organisation,
    Policy,
)
from server.services import ratelimit
from server.services.documents import (
    active_machines,
    iso,
    issue_document,
    mask_login,
    organisation_out,
    seats_used,
)
from server.services.keys import hash_cdkey, mask_serial, normalise_key
from server.services.licence_fields import LicenceFields, MachineFields, SeatedMachineFields
from server.services.seats import seats_max
from server.signing import KeyStore

CERTIFICATION_MONTHS = 3  # enterprise certification is due within 3 months of the first activation
REREGISTER_PERIOD = timedelta(days=365)
CHURN_KINDS = ("activate", "deactivate")

# Given a licence's stored CDkey hash: does the caller hold that CDkey? Online calls send the clear key;
# air-gapped request files send an HMAC proof made from it (server/services/offline.py).
KeyCheck = Callable[[str], bool]
_NO_HASH = "0" * 64  # checked against for an unknown serial, so both cases cost the same


@dataclass(frozen=True)
class Caller:
    """Who asks: the signed-in account and the public IP the server sees."""

    account: Account
    ip: str


@dataclass(frozen=True)
class Device:
    """The computer a call comes from, as it describes itself: feature code, hashed components, a name."""

    fingerprint: str
    components: Mapping[str, str]
    name: str = ""  # empty: keep the name the machine has


SomeMachine = TypeVar("SomeMachine", bound=MachineFields)  # an ORM Machine, or a row the online check read


@dataclass(frozen=True)
class MachineLookup(Generic[SomeMachine]):
    machine: SomeMachine | None
    verdict: MachineMatch
    changed: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------- helpers


def _invalid_key() -> ApiError:
    # One answer for an unknown serial and a wrong CDkey, so serials cannot be probed.
    return ApiError(ErrorCode.INVALID_SERIAL_OR_CDKEY, "serial number or CDkey is not valid")


def _guess_limits(settings: Settings, caller: Caller) -> tuple[ratelimit.Limit, ratelimit.Limit]:
    # Per account first; per IP only far above what an office behind one NAT makes (server/config.py).
    # Never per serial: guesses aimed at someone's serial count against the guesser, not the owner.
    return (
        ratelimit.Limit(f"guess:account:{caller.account.id}", settings.guess_free_attempts),
        ratelimit.Limit(f"guess:ip:{caller.ip}", settings.guess_ip_free_attempts),
    )


def _check_guess_backoff(session: Session, settings: Settings, caller: Caller, now: datetime) -> None:
    limits = _guess_limits(settings, caller)
    # One account's attempts are checked one at a time on every instance until this transaction ends
    # (the failure recorded and committed, or the activation done), so no more than the free ones get through.
    ratelimit.lock(session, limits[0].key, now, window_s=settings.guess_window_s)
    wait = ratelimit.backoff_retry_after(session, limits, now, window_s=settings.guess_window_s)
    if wait > 0:
        raise ratelimit.rate_limited(wait, "too many wrong serial numbers or CDkeys, try again later")


def _record_failed_guess(session: Session, settings: Settings, caller: Caller, now: datetime) -> ApiError:
    for limit in _guess_limits(settings, caller):
        ratelimit.hit(session, limit.key, now)
    # The request is about to fail, and a failing request is rolled back: keep the count first.
    session.commit()
    return _invalid_key()


def clear_key_check(cdkey: str) -> KeyCheck:
    offered = hash_cdkey(cdkey)
    return lambda stored_hash: hmac.compare_digest(offered, stored_hash)


# A licence's policy and product come with it in the same query: every operation reads them.
_WITH_POLICY = joinedload(Licence.policy, innerjoin=True).joinedload(Policy.product, innerjoin=True)


def _find_licence(session: Session, serial: str, cdkey: str | KeyCheck, *, lock: bool) -> Licence | None:
    stmt = select(Licence).options(_WITH_POLICY).where(Licence.serial == normalise_key(serial))
    if lock:
        stmt = stmt.with_for_update(of=Licence).execution_options(populate_existing=True)
    licence = session.scalar(stmt)
    matches = clear_key_check(cdkey) if isinstance(cdkey, str) else cdkey
    # Checked even for an unknown serial: both cases cost the same.
    if not matches(licence.cdkey_hash if licence is not None else _NO_HASH) or licence is None:
        return None
    return licence


def _owned_licence(session: Session, account: Account, licence_id: int, *, lock: bool = False) -> Licence:
    """The caller's licence with its policy, product, organisation and seated machines: one query."""
    stmt = (
        select(Licence)
        .options(_WITH_POLICY, joinedload(Licence.organisation), joinedload(Licence.seated_machines))
        .where(Licence.id == licence_id)
    )
    if lock:
        stmt = stmt.with_for_update(of=Licence).execution_options(populate_existing=True)
    licence = session.execute(stmt).unique().scalar_one_or_none()
    if licence is None or licence.account_id != account.id:
        raise not_found("licence")
    return licence


def unusable(licence: LicenceFields, now: datetime) -> ApiError | None:
    """Why the licence cannot be used at ``now`` (suspended or revoked, expired), or None."""
    if licence.status in ("suspended", "revoked"):
        return ApiError(ErrorCode.LICENCE_SUSPENDED, "this licence is suspended", {"status": licence.status})
    if licence.expires_at is not None and licence.expires_at <= now:
        return ApiError(ErrorCode.LICENCE_EXPIRED, "this licence has expired", {"expires_at": iso(licence.expires_at)})
    return None


def _check_usable(licence: Licence, now: datetime) -> None:
    refusal = unusable(licence, now)
    if refusal is not None:
        raise refusal


def _check_product(licence: Licence, product_code: str | None) -> None:
    if product_code is not None and product_code != licence.policy.product.code:
        raise ApiError(
            ErrorCode.PRODUCT_MISMATCH,
            "this serial number is for another product",
            {"licence_product": licence.policy.product.code, "requested_product": product_code},
        )


def find_machine(machines: Sequence[SomeMachine], device: Device) -> MachineLookup[SomeMachine]:
    """The machine ``device`` is: exact feature code, else the tolerance rule shared with the client."""
    for machine in machines:
        if machine.fingerprint == device.fingerprint:
            return MachineLookup(machine, MachineMatch.SAME)
    best: MachineLookup[SomeMachine] = MachineLookup(None, MachineMatch.DIFFERENT)
    best_score = -1.0
    for machine in machines:
        result = compare_components(machine.components or {}, device.components)
        if result.verdict is MachineMatch.SAME:
            return MachineLookup(machine, MachineMatch.SAME, result.changed)
        if result.verdict is MachineMatch.CHANGED and result.score > best_score:
            best, best_score = MachineLookup(machine, MachineMatch.CHANGED, result.changed), result.score
    return best


def _refresh_machine(machine: Machine, device: Device, ip: str | None, now: datetime) -> None:
    # Small hardware drift on the same machine: follow it quietly so the next comparison starts from today.
    machine.fingerprint = device.fingerprint
    machine.components = dict(device.components)
    if device.name:
        machine.name = device.name
    if ip:
        machine.public_ip = ip
    machine.last_seen_at = now


def _too_many_machines(session: Session, licence: Licence) -> ApiError:
    machines = active_machines(session, licence.id)
    return ApiError(
        ErrorCode.TOO_MANY_MACHINES,
        "all seats of this licence are taken",
        {
            "licence_id": licence.id,  # so a client opens that licence's machines without guessing it by serial
            "seats_used": len(machines),
            "seats_max": seats_max(licence),
            "machines": [{"id": m.id, "name": m.name, "last_seen_at": iso(m.last_seen_at)} for m in machines],
        },
    )


def _check_churn(session: Session, settings: Settings, licence: Licence, now: datetime) -> None:
    """Activations + deactivations per licence per window are capped: seats are not a pool to rotate."""
    since = now - timedelta(days=settings.churn_window_days)
    window = (
        LicenceEvent.licence_id == licence.id,
        LicenceEvent.kind.in_(CHURN_KINDS),
        LicenceEvent.at >= since,
    )
    events = int(session.scalar(select(func.count()).select_from(LicenceEvent).where(*window)) or 0)
    if events < settings.churn_limit:
        return
    oldest = session.scalar(select(func.min(LicenceEvent.at)).where(*window))
    wait = (oldest + timedelta(days=settings.churn_window_days) - now).total_seconds() if oldest else 1
    raise ratelimit.rate_limited(math.ceil(wait), "too many activations and deactivations of this licence")


def _record_event(session: Session, licence: Licence, kind: str, machine_id: int | None, now: datetime) -> None:
    session.add(LicenceEvent(licence_id=licence.id, kind=kind, machine_id=machine_id, at=now))


def _check_ip_binding(session: Session, licence: Licence, caller: Caller) -> None:
    binding = session.scalar(
        select(IpBinding).where(IpBinding.product_id == licence.policy.product_id, IpBinding.public_ip == caller.ip)
    )
    if binding is not None and binding.account_id != caller.account.id:
        holder = session.get(Account, binding.account_id)
        # Masked only (138****0002): enough for the person to know which of their accounts to sign in with.
        raise ApiError(
            ErrorCode.IP_BOUND_TO_OTHER_ACCOUNT,
            "this public IP address is already used by another account",
            {"ip_account": mask_login(holder.login) if holder is not None else None},
        )


def _bind_ip(session: Session, licence: Licence, caller: Caller, now: datetime) -> None:
    product_id = licence.policy.product_id
    exists = session.scalar(
        select(IpBinding.id).where(IpBinding.product_id == product_id, IpBinding.public_ip == caller.ip)
    )
    if exists is not None:
        return
    try:
        with session.begin_nested():  # another licence of the product may bind the same IP right now
            session.add(
                IpBinding(product_id=product_id, public_ip=caller.ip, account_id=caller.account.id, created_at=now)
            )
    except IntegrityError:
        _check_ip_binding(session, licence, caller)


def _reregistrations_used(session: Session, licence: Licence, now: datetime) -> int:
    stmt = (
        select(func.count())
        .select_from(LicenceEvent)
        .where(
            LicenceEvent.licence_id == licence.id,
            LicenceEvent.kind == "reregister",
            LicenceEvent.at >= now - REREGISTER_PERIOD,
        )
    )
    return int(session.scalar(stmt) or 0)


def _reregistrations(session: Session, licence: Licence, now: datetime) -> dict[str, int]:
    return {"used": _reregistrations_used(session, licence, now), "limit": licence.policy.reregister_limit_per_year}


# ---------------------------------------------------------------------------------------------- operations


def preview(
    session: Session,
    settings: Settings,
    *,
    caller: Caller,
    serial: str,
    cdkey: str,
    product_code: str | None,
    now: datetime,
) -> dict[str, Any]:
    """What activating this serial would do: the review step of the activation checklist."""
    _check_guess_backoff(session, settings, caller, now)
    licence = _find_licence(session, serial, cdkey, lock=False)
    if licence is None:
        raise _record_failed_guess(session, settings, caller, now)
    _check_product(licence, product_code)
    policy = licence.policy
    org = session.get(Organisation, licence.organisation_id) if licence.organisation_id is not None else None
    owner = session.get(Account, licence.account_id) if licence.account_id is not None else None
    return {
        "serial_masked": mask_serial(licence.serial),
        "product": {"code": policy.product.code, "name": policy.product.name, "version": policy.product.version},
        "edition": policy.edition,
        "policy_name": policy.name,
        "seats": {"used": seats_used(session, licence.id), "max": seats_max(licence)},
        "expires_at": iso(licence.expires_at),
        "duration_days": policy.duration_days,
        "already_activated": licence.account_id is not None,
        "organisation": organisation_out(org, now) if org is not None else None,
        "account_display": mask_login(owner.login) if owner is not None else None,
    }


def activate(
    session: Session,
    settings: Settings,
    keys: KeyStore,
    *,
    caller: Caller,
    serial: str,
    cdkey: str | KeyCheck,
    org_id: int,
    device: Device,
    product_code: str | None,
    now: datetime,
    nonce: str | None = None,
) -> tuple[dict[str, Any], int]:
    """Activate this machine; the same machine again is idempotent. Returns (envelope, machine id).

    ``cdkey`` is the clear CDkey, or a check of the stored hash (offline requests carry a proof instead);
    ``nonce`` is echoed in the document (offline responses are bound to their request by it).
    """
    _check_guess_backoff(session, settings, caller, now)
    org = session.get(Organisation, org_id)
    if org is None or org.account_id != caller.account.id:
        raise not_found("organisation")
    licence = _find_licence(session, serial, cdkey, lock=True)
    if licence is None:
        raise _record_failed_guess(session, settings, caller, now)
    _check_product(licence, product_code)
    if licence.account_id is not None and (
        licence.account_id != caller.account.id or licence.organisation_id != org.id
    ):
        same_account = licence.account_id == caller.account.id
        raise ApiError(
            ErrorCode.LICENCE_OWNED_BY_OTHER_ORG,
            "this licence is already activated for another organisation",
            {"same_account": same_account, "organisation_id": licence.organisation_id if same_account else None},
        )
    _check_usable(licence, now)
    policy = licence.policy

    machines = active_machines(session, licence.id)  # under the licence's lock: the seat count below holds
    lookup = find_machine(machines, device)
    if lookup.verdict is MachineMatch.SAME and lookup.machine is not None:
        machine = lookup.machine
        _refresh_machine(machine, device, caller.ip, now)
    else:
        _check_churn(session, settings, licence, now)
        if policy.activation_limit is not None and licence.activation_count >= policy.activation_limit:
            raise ApiError(
                ErrorCode.ACTIVATION_LIMIT_REACHED,
                "the lifetime activations of this licence are used up",
                {"activations_used": licence.activation_count, "activation_limit": policy.activation_limit},
            )
        if policy.one_account_per_ip:
            _check_ip_binding(session, licence, caller)
        if len(machines) >= seats_max(licence):
            raise _too_many_machines(session, licence)
        machine = Machine(
            licence_id=licence.id,
            fingerprint=device.fingerprint,
            components=dict(device.components),
            name=device.name,
            public_ip=caller.ip,
            activated_at=now,
            last_seen_at=now,
        )
        session.add(machine)
        session.flush()
        licence.activation_count += 1
        _record_event(session, licence, "activate", machine.id, now)
        if policy.one_account_per_ip:
            _bind_ip(session, licence, caller, now)
        if licence.account_id is None:
            _bind_first_activation(licence, org, caller.account, now)
    session.flush()
    document = issue_document(session, keys, licence, machine, now, nonce)
    session.commit()
    return document, machine.id


def _bind_first_activation(licence: Licence, org: Organisation, account: Account, now: datetime) -> None:
    licence.account_id = account.id
    licence.organisation_id = org.id
    licence.status = "active"
    licence.activated_at = now
    if licence.policy.duration_days is not None:
        licence.expires_at = now + timedelta(days=licence.policy.duration_days)
    if org.certification_status == "none":
        org.certification_status = "pending"
        org.certification_deadline = add_months(now, CERTIFICATION_MONTHS)


# How stale a machine's last_seen_at may get before a validate writes it: a panel and its host checking at
# start-up, or a retry, then only read. Nothing reads it finer than that (machines lists, inactivity).
SEEN_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class MachineSeen:
    """What a validate learnt of its machine, to write after the read: when, from where, and its hardware."""

    machine_id: int
    at: datetime
    ip: str | None
    fingerprint: str
    components: dict[str, str]


@dataclass(frozen=True)
class Validated:
    document: dict[str, Any]
    seen: MachineSeen | None  # the machine's row to bring up to date; None when it is already


def validate(
    session: Session,
    keys: KeyStore,
    *,
    caller: Caller,
    licence_id: int,
    device: Device,
    nonce: str | None,
    now: datetime,
) -> Validated:
    """Online re-authentication: a fresh document for this machine, echoing the client's nonce, or why not.

    It only reads: what changed about the machine comes back as ``seen`` for ``record_seen``, so validate
    never waits for a write lock. The usual case, answered without ORM objects: ``server.services.online_check``."""
    try:
        licence = _owned_licence(session, caller.account, licence_id)
    except ApiError:
        _refuse_if_seated_for_another_account(session, licence_id, device)
        raise
    _check_usable(licence, now)
    lookup = find_machine(licence.seated_machines, device)
    if lookup.machine is None:
        if len(licence.seated_machines) >= seats_max(licence):
            raise _too_many_machines(session, licence)
        raise ApiError(ErrorCode.NOT_ACTIVATED_ON_MACHINE, "this licence is not activated on this machine")
    if lookup.verdict is MachineMatch.CHANGED:
        raise ApiError(
            ErrorCode.FINGERPRINT_CHANGED,
            "this machine's feature code has changed; re-register it",
            {
                "machine_id": lookup.machine.id,
                "changed": list(lookup.changed),
                "reregistrations": _reregistrations(session, licence, now),
            },
        )
    machine = lookup.machine
    seen = machine_seen(machine, device, caller.ip, now)
    if seen is not None and (machine.fingerprint != seen.fingerprint or machine.components != seen.components):
        # Small hardware drift: the document names the machine as it is now. The row changes in record_seen,
        # so this copy leaves the session rather than be flushed by it.
        session.expunge(machine)
        _refresh_machine(machine, replace(device, name=""), caller.ip, now)  # re-authenticating never renames
    return Validated(issue_document(session, keys, licence, machine, now, nonce), seen)


def machine_seen(machine: SeatedMachineFields, device: Device, ip: str | None, now: datetime) -> MachineSeen | None:
    """What validate has to write of its machine: None when the row was brought up to date under a minute ago."""
    fresh = now - machine.last_seen_at < SEEN_RESOLUTION
    same = machine.fingerprint == device.fingerprint and machine.components == dict(device.components)
    if fresh and same and (not ip or ip == machine.public_ip):
        return None
    return MachineSeen(machine.id, now, ip, device.fingerprint, dict(device.components))


def record_seen(session: Session, seen: MachineSeen) -> None:
    """Write what a validate learnt of its machine (one UPDATE; objects already loaded are left alone)."""
    values: dict[str, Any] = {
        "last_seen_at": seen.at,
        "fingerprint": seen.fingerprint,
        "components": seen.components,
    }
    if seen.ip:
        values["public_ip"] = seen.ip
    rows_updated(session, update(Machine).where(Machine.id == seen.machine_id).values(**values))


def _refuse_if_seated_for_another_account(session: Session, licence_id: int, device: Device) -> None:
    """After an account switch: this very machine holds a seat of another account's licence (激活账号异常).

    Said (with the owner masked) only to a machine seated on that licence — it holds the licence's document,
    which names the same masked owner — so other callers still cannot tell a foreign id from a missing one."""
    licence = (
        session.execute(select(Licence).options(joinedload(Licence.seated_machines)).where(Licence.id == licence_id))
        .unique()
        .scalar_one_or_none()
    )
    if licence is None or licence.account_id is None:
        return
    if find_machine(licence.seated_machines, device).machine is None:
        return
    owner = session.get(Account, licence.account_id)
    if owner is not None:
        raise ApiError(
            ErrorCode.LICENCE_OWNED_BY_OTHER_ACCOUNT,
            "this licence belongs to another account",
            {"licence_account": mask_login(owner.login)},
        )


def list_machines(session: Session, *, caller: Caller, licence_id: int) -> dict[str, Any]:
    licence = _owned_licence(session, caller.account, licence_id)
    machines = active_machines(session, licence.id)
    return {
        "seats": {"used": len(machines), "max": seats_max(licence)},
        "machines": [
            {
                "id": m.id,
                "name": m.name,
                "fingerprint": m.fingerprint,
                "activated_at": iso(m.activated_at),
                "last_seen_at": iso(m.last_seen_at),
                "public_ip": m.public_ip,
            }
            for m in machines
        ],
    }


def deactivate(
    session: Session, settings: Settings, *, caller: Caller, licence_id: int, machine_id: int, now: datetime
) -> None:
    """Free a seat. Counts towards the churn cap, like activations."""
    licence = _owned_licence(session, caller.account, licence_id, lock=True)
    machine = session.get(Machine, machine_id)
    if machine is None or machine.licence_id != licence.id or machine.deactivated_at is not None:
        raise not_found("machine")
    _check_churn(session, settings, licence, now)
    machine.deactivated_at = now
    _record_event(session, licence, "deactivate", machine.id, now)
    session.commit()


def reregister(
    session: Session,
    keys: KeyStore,
    *,
    caller: Caller,
    licence_id: int,
    device: Device,
    now: datetime,
) -> dict[str, Any]:
    """重新注册: move the seat of the partly matching machine to its new feature code, a few times a year."""
    licence = _owned_licence(session, caller.account, licence_id, lock=True)
    _check_usable(licence, now)
    lookup = find_machine(active_machines(session, licence.id), device)
    if lookup.machine is None:
        raise ApiError(ErrorCode.NOT_ACTIVATED_ON_MACHINE, "no machine of this licence resembles this one")
    if lookup.verdict is MachineMatch.CHANGED:
        used, limit = _reregistrations_used(session, licence, now), licence.policy.reregister_limit_per_year
        if used >= limit:
            raise ApiError(
                ErrorCode.REREGISTER_LIMIT_REACHED,
                "the re-registrations of this year are used up",
                {"used": used, "limit": limit},
            )
        _record_event(session, licence, "reregister", lookup.machine.id, now)
    _refresh_machine(lookup.machine, device, caller.ip, now)
    session.flush()
    document = issue_document(session, keys, licence, lookup.machine, now)
    usage = _reregistrations(session, licence, now)
    session.commit()
    return {"document": document, "machine_id": lookup.machine.id, "reregistrations": usage}


def attach_addon(
    session: Session,
    settings: Settings,
    keys: KeyStore,
    *,
    caller: Caller,
    licence_id: int,
    cdkey: str,
    device: Device | None,
    now: datetime,
) -> dict[str, Any]:
    """Activate an add-on service (云之家-like) by its own CDkey on a licence; answers a fresh document."""
    licence = _owned_licence(session, caller.account, licence_id)
    _check_guess_backoff(session, settings, caller, now)
    addon = session.scalar(
        select(AddonKey)
        .where(AddonKey.cdkey_hash == hash_cdkey(cdkey))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if addon is None:
        raise _record_failed_guess(session, settings, caller, now)
    if addon.licence_id is not None:
        raise ApiError(ErrorCode.CODE_ALREADY_REDEEMED, "this add-on CDkey has already been used")
    _check_usable(licence, now)
    addon.licence_id = licence.id
    addon.activated_at = now
    addon.expires_at = now + timedelta(days=addon.duration_days) if addon.duration_days is not None else None
    session.flush()
    machine = None
    if device is not None:
        lookup = find_machine(active_machines(session, licence.id), device)
        machine = lookup.machine if lookup.verdict is MachineMatch.SAME else None
    document = issue_document(session, keys, licence, machine, now)
    session.commit()
    return document
