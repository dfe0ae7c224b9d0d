"""The server's side of payments: a payment per order, and the provider's signed callback credited atomically.

The provider (``sandbox_provider``) signs each callback with ``hex(HMAC-SHA256(secret, raw body))`` in
``X-Sandbox-Signature``. The secret is ``settings.payment_secret`` or, when empty, a random one created
once (mode 0600) as ``<key dir>/payment-callback.secret``; instances sharing a key dir (as they must, to
share signing keys) share it too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from licence_protocol.errors import ErrorCode
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.config import Settings
from server.context import ServerContext
from server.db import session_scope
from server.errors import ApiError, not_found
from server.models import Order, Payment, PaymentCallback
from server.services.fulfilment import credit_order
from server.services.markets import ALL_METHODS

log = logging.getLogger(__name__)

PAYMENT_TTL = timedelta(minutes=15)
SIGNATURE_HEADER = "X-Sandbox-Signature"
METHODS = ALL_METHODS  # of every market; a payment takes only its own market's (``methods_for_currency``)
SECRET_FILE = "payment-callback.secret"


# ---------------------------------------------------------------- secret and signature


def callback_secret(settings: Settings) -> bytes:
    if settings.payment_secret:
        return settings.payment_secret.encode("utf-8")
    path = settings.resolved_key_dir() / SECRET_FILE
    if not path.exists():
        _create_secret_file(path)
    return path.read_text(encoding="ascii").strip().encode("ascii")


def _create_secret_file(path: Path) -> None:
    # Write a private temp file, then link it into place: a concurrent instance either wins or reads ours whole.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def sign(secret: bytes, body: bytes) -> str:
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def log_id(payment_id: str) -> str:
    # Payment ids open the pay page without a login: log only a prefix.
    return payment_id[:6] + "…"


# ---------------------------------------------------------------- payments


def create_payment(session: Session, order: Order, now: datetime) -> Payment:
    payment = Payment(
        id=secrets.token_urlsafe(16),
        order_id=order.id,
        amount_minor=order.amount_minor,
        currency=order.currency,
        status="pending",
        expires_at=now + PAYMENT_TTL,
        created_at=now,
    )
    session.add(payment)
    session.flush()
    return payment


def _lock_payment(session: Session, payment_id: str) -> Payment | None:
    return session.scalar(
        select(Payment).where(Payment.id == payment_id).with_for_update().execution_options(populate_existing=True)
    )


def _expire(payment: Payment, order: Order) -> None:
    payment.status = "expired"
    if order.status == "pending_payment":
        order.status = "expired"


# ---------------------------------------------------------------- the callback (provider → server)


@dataclass(frozen=True)
class CallbackBody:
    payment_id: str
    amount_minor: int
    currency: str
    provider_txn_id: str
    status: str
    method: str | None


def _parse(raw: bytes) -> CallbackBody:
    try:
        data = json.loads(raw)
        body = CallbackBody(
            payment_id=str(data["payment_id"]),
            amount_minor=data["amount_minor"],
            currency=str(data["currency"]),
            provider_txn_id=str(data["provider_txn_id"]),
            status=str(data["status"]),
            method=data.get("method") if data.get("method") in METHODS else None,
        )
    except (ValueError, KeyError, TypeError):
        raise ApiError(ErrorCode.BAD_CALLBACK, "callback body is not understood") from None
    if type(body.amount_minor) is not int or not 0 < len(body.provider_txn_id) <= 64:
        raise ApiError(ErrorCode.BAD_CALLBACK, "callback body is not understood")
    return body


def _process(session: Session, payment_id: str, raw: bytes, signature: str, secret: bytes, now: datetime) -> Any:
    if not hmac.compare_digest(sign(secret, raw), signature.strip().lower()):
        log.warning("payment callback with an invalid signature refused (payment %s)", log_id(payment_id))
        raise ApiError(ErrorCode.INVALID_SIGNATURE, "callback signature does not verify")
    body = _parse(raw)
    if body.payment_id != payment_id:
        raise ApiError(ErrorCode.BAD_CALLBACK, "callback names another payment")
    payment = _lock_payment(session, payment_id)  # serialises concurrent callbacks for this payment
    if payment is None:
        raise not_found("payment")
    if payment.provider_txn_id == body.provider_txn_id:
        return {"payment_id": payment.id, "status": payment.status, "duplicate": True}
    if payment.status in ("paid", "refunded"):
        raise ApiError(ErrorCode.ALREADY_PAID, "this payment was already paid by another transaction")
    if body.status != "paid":
        return {"payment_id": payment.id, "status": payment.status, "duplicate": False}
    if body.amount_minor != payment.amount_minor or body.currency != payment.currency:
        log.warning("payment callback with a wrong amount refused (payment %s)", log_id(payment_id))
        raise ApiError(
            ErrorCode.AMOUNT_MISMATCH,
            "paid amount differs from the order amount",
            {"expected": {"amount_minor": payment.amount_minor, "currency": payment.currency}},
        )
    order = session.scalar(
        select(Order).where(Order.id == payment.order_id).with_for_update().execution_options(populate_existing=True)
    )
    assert order is not None
    if payment.status == "expired" or payment.expires_at <= now or order.status != "pending_payment":
        _expire(payment, order)
        raise ApiError(
            ErrorCode.PAYMENT_EXPIRED, "this payment has expired", {"expires_at": payment.expires_at.isoformat()}
        )
    payment.status = "paid"
    payment.provider_txn_id = body.provider_txn_id
    payment.paid_at = now
    payment.method = body.method or payment.method
    credit_order(session, order, now)
    log.info("payment %s credited to order %s", log_id(payment_id), order.id)
    return {"payment_id": payment.id, "status": payment.status, "duplicate": False}


def _txn_of(raw: bytes) -> str:
    try:
        return str(json.loads(raw).get("provider_txn_id", ""))[:64]
    except (ValueError, AttributeError):
        return ""


def receive_callback(ctx: ServerContext, payment_id: str, raw: bytes, signature: str) -> Any:
    """Verify and apply one callback in one transaction, and keep a record of it whatever the outcome."""
    now = ctx.clock.now()
    secret = callback_secret(ctx.settings)
    error: ApiError | None = None
    with session_scope(ctx.sessions) as session:
        try:
            result = _process(session, payment_id, raw, signature, secret, now)
            outcome = "DUPLICATE" if result["duplicate"] else ("CREDITED" if result["status"] == "paid" else "IGNORED")
        except ApiError as exc:
            error, outcome, result = exc, exc.code, None
        session.add(
            PaymentCallback(
                payment_id=payment_id[:40],
                provider_txn_id=_txn_of(raw),
                signature_valid=outcome != "INVALID_SIGNATURE",
                outcome=outcome,
                body=raw[:4000].decode("utf-8", "replace"),
                received_at=now,
            )
        )
    if error is not None:
        raise error
    return result
