"""What the mini ledger shows of its books: the ledgers with the licence's state, and one open ledger-year.

Pure values. The voucher figures of an open ledger-year are the server's (its answer to 进入账套 and to each
posting); the licence's verdicts come from ``LicenceHost.check``, which reads the signed document offline.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from app.host import Ledger, LicenceError, LicenceLedgers, LicenceState, ModuleAccess

PERIOD_CLOSE: Final = "period_close"  # 结账, the module bought per ledger-year
# Verdicts of `check vouchers` that stop posting whatever the quota: the licence itself is not usable here.
BLOCKING_REASONS: Final = frozenset({"licence_state", "ledger_limit"})
LEDGER_LIMIT_STATE: Final = "LEDGER_LIMIT_EXCEEDED"


@dataclass(frozen=True)
class Books:
    """The licence's state and its ledgers; ``problem`` says why the ledgers could not be read (not signed in…)."""

    licence: LicenceState
    ledgers: LicenceLedgers | None = None
    problem: LicenceError | None = None

    def ledger(self, ledger_id: int | None) -> Ledger | None:
        if self.ledgers is None or ledger_id is None:
            return None
        return next((ledger for ledger in self.ledgers.ledgers if ledger.id == ledger_id), None)

    @property
    def over_the_limit(self) -> bool:
        """账套已用数量大于可用数量: the state that blocks the cloud edition until a ledger is archived or bought."""
        return self.licence.code == LEDGER_LIMIT_STATE


@dataclass(frozen=True)
class OpenYear:
    """One ledger-year the user works in: the server's voucher count and the licence's answers for it."""

    ledger_id: int
    code: str
    name: str
    fiscal_year: int
    used: int
    quota: int
    period_close: ModuleAccess  # check("period_close", …): may 结账 run here?
    posting: ModuleAccess  # check("vouchers", …): does the licence let vouchers be posted here?
    offline: bool = False  # the server could not be reached: the figures are the signed document's

    @property
    def remaining(self) -> int:
        return max(0, self.quota - self.used)

    @property
    def posting_blocked(self) -> bool:
        return self.posting.reason in BLOCKING_REASONS

    @property
    def can_post(self) -> bool:
        return not self.posting_blocked and self.remaining > 0

    @property
    def can_close(self) -> bool:
        return self.period_close.open

    def with_counts(self, used: int, quota: int) -> OpenYear:
        return replace(self, used=used, quota=quota)

    def with_checks(self, period_close: ModuleAccess, posting: ModuleAccess) -> OpenYear:
        return replace(self, period_close=period_close, posting=posting)


def default_year(ledger: Ledger | None, this_year: int) -> int:
    """The year 进入账套 proposes: the ledger's latest fiscal year, else this year."""
    latest = ledger.latest_year if ledger is not None else None
    return latest.fiscal_year if latest is not None else this_year


def new_voucher_numbers(used_before: int, used_after: int) -> list[int]:
    """The numbers of the vouchers just counted (1-based within the ledger-year)."""
    return list(range(used_before + 1, used_after + 1))
