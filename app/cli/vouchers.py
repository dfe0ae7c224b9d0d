"""``python -m app vouchers consume``: count vouchers a host program posts, online or against the offline allowance."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from app.cli import session
from app.cli.output import write_json

if TYPE_CHECKING:
    from app.domain.vouchers import VoucherConsumption

CONSUME_SCHEMA_VERSION = 1


def run_vouchers_consume(args: argparse.Namespace) -> int:
    """Exit 0 counted (or the key was counted already); 2 refused (quota, offline allowance, blocked licence);
    1 not activated / not signed in; 3 the server cannot be reached where it must be; 4 internal."""
    from app.services.errors import ApiError, RefusedError

    password = session.read_password(args)
    service = session.open_for(args)
    try:
        online = session.sign_in_or_offline(service, args.login, password)
        try:
            if online:
                result = service.consume_vouchers(args.ledger, args.year, args.count, args.key)
            else:
                result = service.consume_vouchers_offline(args.ledger, args.year, args.count, args.key)
        except (ApiError, RefusedError) as exc:
            if args.json and _is_refusal(exc):  # a host reads a refusal from stdout too; stderr and exit code follow
                write_json(_refusal_json(exc, args))
            raise
    finally:
        service.api.close()
    message = consumption_message(result)
    if args.json:
        write_json(consumption_json(result, message))
    else:
        print(message)
    return 0


def consumption_message(result: VoucherConsumption) -> str:
    from app.i18n import tr

    figures = {
        "requested": result.requested,
        "ledger_id": result.ledger_id,
        "fiscal_year": result.fiscal_year,
        "used": result.used,
        "quota": result.quota,
        "remaining": result.remaining,
    }
    if result.offline and result.counted:
        return tr(
            "The licence server cannot be reached: {requested} voucher(s) recorded on this computer, to be reported "
            "at the next online check. {remaining} more may be posted offline in ledger {ledger_id}, fiscal year "
            "{fiscal_year}.",
            **figures,
        )
    if result.offline:
        return tr(
            "This key is recorded on this computer already; nothing was added. {remaining} more may be posted "
            "offline in ledger {ledger_id}, fiscal year {fiscal_year}.",
            **figures,
        )
    if result.counted:
        return tr(
            "{requested} voucher(s) counted in ledger {ledger_id}, fiscal year {fiscal_year}: {used} of {quota} "
            "used, {remaining} left.",
            **figures,
        )
    return tr(
        "This key was counted already; nothing was added. Ledger {ledger_id}, fiscal year {fiscal_year}: {used} of "
        "{quota} used, {remaining} left.",
        **figures,
    )


def consumption_json(result: VoucherConsumption, message: str) -> dict[str, Any]:
    """``{schema_version, counted, offline, used, quota, requested, remaining, message}`` (docs/PROTOCOL.md)."""
    return {
        "schema_version": CONSUME_SCHEMA_VERSION,
        "counted": result.counted,
        "offline": result.offline,
        "used": result.used,
        "quota": result.quota,
        "requested": result.requested,
        "remaining": result.remaining,
        "message": message,
    }


def _is_refusal(exc: Exception) -> bool:
    """The vouchers were refused (not a sign-in or a network problem): the quota, the offline allowance, the
    licence, an archived ledger."""
    from licence_protocol.errors import ErrorCode

    from app.services.errors import RefusedError

    if isinstance(exc, RefusedError):
        return True
    return getattr(exc, "code", None) in (ErrorCode.VOUCHER_QUOTA_EXCEEDED, ErrorCode.LEDGER_ARCHIVED)


def _refusal_json(exc: Any, args: argparse.Namespace) -> dict[str, Any]:
    """The same shape for a refusal: nothing counted, the figures the refusal carries (null when it has none)."""
    from app.i18n import tr_error
    from app.services.errors import RefusedError

    details = exc.details
    used, quota = details.get("used"), details.get("quota")
    known = isinstance(used, int) and isinstance(quota, int)
    remaining: int | None = max(0, quota - used) if known else None
    allowance, offline_used = details.get("allowance"), details.get("offline_used")
    if isinstance(allowance, int) and isinstance(offline_used, int):
        remaining = max(0, min(allowance - offline_used, remaining if remaining is not None else allowance))
    return {
        "schema_version": CONSUME_SCHEMA_VERSION,
        "counted": False,
        # The client refuses by itself only offline (the server was not there to ask).
        "offline": isinstance(exc, RefusedError),
        "used": used if known else None,
        "quota": quota if known else None,
        "requested": args.count,
        "remaining": remaining,
        "message": tr_error(exc.code, details),
    }
