"""Air-gapped activation, lease refresh and deactivation by file exchange (docs/OFFLINE.md).

The rules are the online ones: each action is handed to ``server.services.activation`` (activate, validate,
deactivate), so seats, IP binding, activation counts, churn and guess limits apply exactly as online, with
the same error codes. Added here: the CDkey proof in place of the clear CDkey, and the request nonce,
which binds the response to its request and is spent once answered.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime
from typing import Any

from licence_protocol.envelope import canonical_json
from licence_protocol.errors import ErrorCode
from licence_protocol.fingerprint import MachineMatch
from licence_protocol.offline import FORMAT_VERSION, RESPONSE_TYPE, proof_from_cdkey_hash
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.config import Settings
from server.errors import ApiError, not_found
from server.models import Machine, OfflineRequest, Organisation
from server.schemas.offline import OfflineRequestIn
from server.services import activation
from server.services.activation import Caller, Device, KeyCheck
from server.services.documents import active_machines
from server.signing import KeyStore

SUPPORTED_VERSIONS = (FORMAT_VERSION,)


def request_digest(request: OfflineRequestIn) -> str:
    """What makes two uploads "the same file": every field but ``org_id``, which the uploader may choose."""
    fields = request.model_dump(mode="json", exclude={"org_id"})
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def proof_check(serial: str, nonce: str, fingerprint: str, offered_proof: str) -> KeyCheck:
    """Checks an offline CDkey proof against a licence's stored CDkey hash: the server never sees the key."""

    def matches(stored_hash: str) -> bool:
        expected = proof_from_cdkey_hash(stored_hash, serial=serial, nonce=nonce, fingerprint=fingerprint)
        return hmac.compare_digest(expected, offered_proof)

    return matches


def _receiving_org(session: Session, caller: Caller, org_id: int | None) -> int:
    if org_id is not None:
        return org_id
    orgs = session.scalars(
        select(Organisation).where(Organisation.account_id == caller.account.id).order_by(Organisation.id)
    ).all()
    if len(orgs) == 1:
        return orgs[0].id
    raise ApiError(
        ErrorCode.ORG_REQUIRED,
        "choose the organisation that receives the licence",
        {"organisations": [{"id": o.id, "name": o.name} for o in orgs]},
    )


def _response(request: OfflineRequestIn, licence_id: int, machine_id: int, **body: Any) -> dict[str, Any]:
    return {
        "type": RESPONSE_TYPE,
        "version": FORMAT_VERSION,
        "action": request.action,
        "request_nonce": request.nonce,
        "fingerprint": request.fingerprint,
        **body,
        "licence_id": licence_id,
        "machine_id": machine_id,
    }


Handler = Callable[[Session, Settings, KeyStore, Caller, OfflineRequestIn, datetime], dict[str, Any]]


def _device(request: OfflineRequestIn) -> Device:
    return Device(request.fingerprint, request.components, request.machine_name)


def _activate(
    session: Session, settings: Settings, keys: KeyStore, caller: Caller, request: OfflineRequestIn, now: datetime
) -> dict[str, Any]:
    assert request.serial is not None and request.cdkey_proof is not None  # the schema requires both to activate
    document, machine_id = activation.activate(
        session,
        settings,
        keys,
        caller=caller,
        serial=request.serial,
        cdkey=proof_check(request.serial, request.nonce, request.fingerprint, request.cdkey_proof),
        org_id=_receiving_org(session, caller, request.org_id),
        device=_device(request),
        product_code=request.product_code,
        now=now,
        nonce=request.nonce,
    )
    machine = session.get(Machine, machine_id)
    assert machine is not None
    return _response(request, machine.licence_id, machine_id, document=document)


def _refresh(
    session: Session, settings: Settings, keys: KeyStore, caller: Caller, request: OfflineRequestIn, now: datetime
) -> dict[str, Any]:
    assert request.licence_id is not None
    validated = activation.validate(
        session,
        keys,
        caller=caller,
        licence_id=request.licence_id,
        device=_device(request),
        nonce=request.nonce,
        now=now,
    )
    if validated.seen is not None:
        activation.record_seen(session, validated.seen)
    document = validated.document
    machine = activation.find_machine(active_machines(session, request.licence_id), _device(request)).machine
    assert machine is not None  # validate answered a document, so the machine holds a seat
    return _response(request, request.licence_id, machine.id, document=document)


def _deactivate(
    session: Session, settings: Settings, keys: KeyStore, caller: Caller, request: OfflineRequestIn, now: datetime
) -> dict[str, Any]:
    assert request.licence_id is not None and request.machine_id is not None
    machine = session.get(Machine, request.machine_id)
    # Catches a file whose ids were edited or paired with the wrong machine (ownership is checked by deactivate).
    if machine is not None and machine.licence_id == request.licence_id:
        verdict = activation.find_machine([machine], _device(request)).verdict
        if verdict is MachineMatch.DIFFERENT:
            raise not_found("machine")
    activation.deactivate(
        session, settings, caller=caller, licence_id=request.licence_id, machine_id=request.machine_id, now=now
    )
    return _response(request, request.licence_id, request.machine_id, released=True)


_HANDLERS: dict[str, Handler] = {"activate": _activate, "refresh": _refresh, "deactivate": _deactivate}


def _replayed(record: OfflineRequest, caller: Caller, digest: str) -> dict[str, Any]:
    """The same file from the same account gets the same answer again (a lost download); nothing else does."""
    if record.account_id == caller.account.id and record.digest == digest:
        return dict(record.response)
    raise ApiError(ErrorCode.OFFLINE_REQUEST_REPLAYED, "this request file has already been used; make a new one")


def submit(
    session: Session,
    settings: Settings,
    keys: KeyStore,
    *,
    caller: Caller,
    request: OfflineRequestIn,
    now: datetime,
) -> dict[str, Any]:
    """Answer one request file with its response file (a JSON-ready dict)."""
    if request.version not in SUPPORTED_VERSIONS:
        raise ApiError(
            ErrorCode.OFFLINE_VERSION_UNSUPPORTED,
            "this request file format is newer than the server",
            {"version": request.version, "supported": list(SUPPORTED_VERSIONS)},
        )
    digest = request_digest(request)
    record = session.scalar(select(OfflineRequest).where(OfflineRequest.nonce == request.nonce))
    if record is not None:
        return _replayed(record, caller, digest)
    response = _HANDLERS[request.action](session, settings, keys, caller, request, now)
    # The nonce is spent only once answered, so a refused file (seats full…) can be uploaded again later.
    try:
        session.add(
            OfflineRequest(
                nonce=request.nonce,
                account_id=caller.account.id,
                action=request.action,
                digest=digest,
                response=response,
                created_at=now,
            )
        )
        session.commit()
    except IntegrityError:  # the same file uploaded twice at once: answer like the one that won
        session.rollback()
        record = session.scalar(select(OfflineRequest).where(OfflineRequest.nonce == request.nonce))
        if record is None:
            raise
        return _replayed(record, caller, digest)
    return response
