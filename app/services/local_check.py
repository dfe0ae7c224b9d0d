"""``python -m app check``: one module of one ledger-year, decided offline from the verified document.

Reads what ``status`` reads (app/services/local_status.py) plus the vouchers this computer posted offline and
has not reported (app/services/voucher_journal.py), and lets app/domain/module_check.py decide. Imports
neither Qt, requests nor keyring: a host program may run it before every guarded action.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.domain.module_check import VOUCHERS_MODULE, ModuleCheck, check_module
from app.services.local_status import LocalStatus, read_local_status
from app.services.paths import AppPaths
from app.services.voucher_journal import VoucherJournal

CHECK_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class LocalCheck:
    """The verdict and the status it was drawn from (for the state's words)."""

    result: ModuleCheck
    status: LocalStatus

    @property
    def exit_code(self) -> int:
        return self.result.exit_code


def read_local_check(
    paths: AppPaths,
    *,
    module: str,
    ledger_id: int,
    fiscal_year: int,
    now: datetime,
    components: Mapping[str, str],
    trusted: Mapping[str, Ed25519PublicKey],
) -> LocalCheck:
    """Evaluate the cache as ``status`` does, then the module; never reaches the network."""
    status = read_local_status(paths, now=now, components=components, trusted=trusted)
    doc = status.document
    offline_used = VoucherJournal.of(paths).offline_used(doc.licence_id, ledger_id, fiscal_year) if doc else 0
    result = check_module(
        state=status.state.code if status.state is not None else None,
        document=doc,
        module=module,
        ledger_id=ledger_id,
        fiscal_year=fiscal_year,
        offline_used=offline_used,
    )
    return LocalCheck(result, status)


def check_message(check: LocalCheck) -> str:
    """One sentence (or two) saying why, in the language chosen with --lang."""
    from app.i18n import state_label, tr

    result, status = check.result, check.status
    where = {"module": result.module, "ledger_id": result.ledger_id, "fiscal_year": result.fiscal_year}
    vouchers = result.vouchers
    if result.reason in ("licence_state", "ledger_limit"):
        state = status.state
        if state is None:
            return tr("The licence cache cannot be read: {reason}", reason=status.cache_reason)
        explanation = tr(state.explanation, **status.details)
        return f"{state_label(state)}: {explanation} {tr(state.next_step, **status.details)}"
    if result.reason == "module_not_opened":
        if result.module == VOUCHERS_MODULE:
            return tr(
                "This licence has no vouchers for ledger {ledger_id}, fiscal year {fiscal_year}. Open the fiscal "
                "year, then refresh the licence (在线认证).",
                **where,
            )
        return tr(
            "{module} is not opened for ledger {ledger_id}, fiscal year {fiscal_year}. Buy it for exactly this "
            "ledger and fiscal year.",
            **where,
        )
    if result.reason == "voucher_quota_used_up" and vouchers is not None:
        return tr(
            "The vouchers of ledger {ledger_id}, fiscal year {fiscal_year} are used up ({used} of {quota}). Buy "
            "vouchers for exactly this ledger and fiscal year.",
            used=vouchers.used + vouchers.offline_used,
            quota=vouchers.quota,
            **where,
        )
    if result.module == VOUCHERS_MODULE and vouchers is not None:
        return tr(
            "Vouchers may be posted in ledger {ledger_id}, fiscal year {fiscal_year}: {remaining} of {quota} left.",
            remaining=vouchers.remaining,
            quota=vouchers.quota,
            **where,
        )
    return tr("{module} is open for ledger {ledger_id}, fiscal year {fiscal_year}.", **where)


def check_as_json(check: LocalCheck) -> dict[str, Any]:
    """The stable JSON of ``check --json`` (schema: resources/check.schema.json, schema_version 1)."""
    result = check.result
    vouchers = result.vouchers
    return {
        "schema_version": CHECK_SCHEMA_VERSION,
        "open": result.open,
        "reason": result.reason,
        "state": result.state.value if result.state is not None else None,
        "module": result.module,
        "ledger_id": result.ledger_id,
        "fiscal_year": result.fiscal_year,
        "message": check_message(check),
        "vouchers": None
        if vouchers is None
        else {
            "used": vouchers.used,
            "quota": vouchers.quota,
            "offline_allowance": vouchers.offline_allowance,
            "offline_used": vouchers.offline_used,
            "remaining": vouchers.remaining,
        },
    }


def format_check_text(check: LocalCheck) -> str:
    """The human-readable answer: the verdict, the state, the ledger-year's vouchers, and why."""
    from app.i18n import state_label, tr

    result, state = check.result, check.status.state
    verdict = tr("open") if result.open else tr("not open")
    lines = [
        tr(
            "{module} in ledger {ledger_id}, fiscal year {fiscal_year}: {verdict}",
            module=result.module,
            ledger_id=result.ledger_id,
            fiscal_year=result.fiscal_year,
            verdict=verdict,
        )
    ]
    if state is not None:
        lines.append(f"{tr('State')}: {state.code.value}  {state_label(state)}")
    vouchers = result.vouchers
    if vouchers is not None:
        figures = tr(
            "{used} of {quota} used, {offline_used} posted offline and not reported yet, {remaining} left",
            used=vouchers.used,
            quota=vouchers.quota,
            offline_used=vouchers.offline_used,
            remaining=vouchers.remaining,
        )
        lines.append(f"{tr('Vouchers')}: {figures}")
    lines.append(check_message(check))
    return "\n".join(lines)
