"""``check``: may the accounting software use one module in one ledger-year? Decided from the evaluated state and
the verified document alone (docs/PROTOCOL.md, "check"). Pure: no I/O, no clock.

The reasons are checked in this order and the first that applies is the answer:

1. ``licence_state``: the licence is not usable here (not activated, expired, illegal copy, … or the cache is
   unreadable);
2. ``ledger_limit``: the cloud edition has more ledgers in use than bought (账套已用数量大于可用数量);
3. ``module_not_opened``: the module is not opened for exactly this ledger and fiscal year (for ``vouchers``: the
   document lists no vouchers for the ledger-year);
4. ``voucher_quota_used_up``: ``vouchers`` only, nothing remains of the quota (this computer's unreported
   offline vouchers count);
5. ``open``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from licence_protocol.document import LicenceDocument

from app.domain.states import StateCode, exit_code_for
from app.domain.vouchers import VoucherStanding, voucher_standing

# The pseudo-module "may post vouchers in this ledger-year".
VOUCHERS_MODULE: Final = "vouchers"

CheckReason = Literal["open", "licence_state", "ledger_limit", "module_not_opened", "voucher_quota_used_up"]
REASONS: tuple[CheckReason, ...] = (
    "open",
    "licence_state",
    "ledger_limit",
    "module_not_opened",
    "voucher_quota_used_up",
)

EXIT_OPEN = 0
EXIT_NOT_OPEN = 2  # not open, or the licence blocks: the same answer for a host (do not run the feature)
EXIT_CACHE_UNREADABLE = 3


@dataclass(frozen=True)
class ModuleCheck:
    """The answer of ``check``; ``exit_code`` is the process's (0 open, 1 not activated, 2 not open, 3 unreadable)."""

    module: str
    ledger_id: int
    fiscal_year: int
    reason: CheckReason
    exit_code: int
    state: StateCode | None  # None only when the licence cache could not be read
    vouchers: VoucherStanding | None  # the ledger-year's vouchers when the document lists them

    @property
    def open(self) -> bool:
        return self.reason == "open"


def check_module(
    *,
    state: StateCode | None,
    document: LicenceDocument | None,
    module: str,
    ledger_id: int,
    fiscal_year: int,
    offline_used: int = 0,
) -> ModuleCheck:
    """The verdict for ``module`` in (``ledger_id``, ``fiscal_year``).

    ``state`` is the state evaluated from the same cache (None: the cache could not be read); ``document`` the
    verified document (None when there is none to believe); ``offline_used`` the vouchers this computer posted
    offline in that ledger-year and has not reported yet (the journal's).
    """
    usage = document.voucher_usage(ledger_id, fiscal_year) if document is not None else None
    standing = voucher_standing(usage, offline_used)

    def verdict(reason: CheckReason, exit_code: int) -> ModuleCheck:
        return ModuleCheck(module, ledger_id, fiscal_year, reason, exit_code, state, standing)

    if state is None:
        return verdict("licence_state", EXIT_CACHE_UNREADABLE)
    if state is StateCode.LEDGER_LIMIT_EXCEEDED:
        return verdict("ledger_limit", EXIT_NOT_OPEN)
    state_exit = exit_code_for(state)
    if state_exit != 0 or document is None:  # a usable state always has a document; be safe anyway
        return verdict("licence_state", state_exit or EXIT_NOT_OPEN)
    if module == VOUCHERS_MODULE:
        if standing is None:
            return verdict("module_not_opened", EXIT_NOT_OPEN)
        if standing.remaining <= 0:
            return verdict("voucher_quota_used_up", EXIT_NOT_OPEN)
        return verdict("open", EXIT_OPEN)
    if module not in document.modules_for(ledger_id, fiscal_year):
        return verdict("module_not_opened", EXIT_NOT_OPEN)
    return verdict("open", EXIT_OPEN)
