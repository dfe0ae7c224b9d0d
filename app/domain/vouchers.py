"""Vouchers (凭证) of one ledger-year: what the server counted, and what this computer may post while offline.

Online, the server counts (``POST /ledgers/{id}/years/{fiscal_year}/voucher-usage``) and answers a
``VoucherConsumption``. Offline, the signed document's ``offline_allowance`` for the ledger-year bounds what this
computer may post on its own; the vouchers posted that way are kept in the local journal until the server has
them (app/services/voucher_journal.py). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from licence_protocol.document import VoucherUsage

from app.domain.wire import JsonReader


@dataclass(frozen=True)
class VoucherStanding:
    """One ledger-year's vouchers as this computer knows them: the signed document plus its own unreported posts.

    ``used`` and ``quota`` are the document's (the server's count when it signed); ``offline_used`` is what this
    computer posted offline since and has not reported yet. ``remaining`` counts both.
    """

    used: int
    quota: int
    offline_allowance: int
    offline_used: int

    @property
    def remaining(self) -> int:
        return max(0, self.quota - self.used - self.offline_used)

    @property
    def offline_remaining(self) -> int:
        """What may still be posted before the server is reached again (never more than ``remaining``)."""
        return max(0, min(self.offline_allowance - self.offline_used, self.remaining))


def voucher_standing(usage: VoucherUsage | None, offline_used: int) -> VoucherStanding | None:
    """The standing of a ledger-year the document lists; None when it lists none (not opened, or not yet signed)."""
    if usage is None:
        return None
    # A document from a server without offline allowances reads 0: nothing may be posted offline.
    return VoucherStanding(usage.used, usage.quota, max(0, usage.offline_allowance), max(0, offline_used))


@dataclass(frozen=True)
class VoucherConsumption:
    """The outcome of one ``vouchers consume``: counted by the server, or (``offline``) recorded in the journal.

    ``counted`` is False when the idempotency key had been counted already: nothing was added, and the figures are
    the current ones. ``remaining`` is what may still be posted: the quota left online, the offline allowance left
    offline.
    """

    ledger_id: int
    fiscal_year: int
    used: int
    quota: int
    requested: int
    counted: bool
    offline: bool
    remaining: int

    @classmethod
    def from_json(cls, data: Any) -> VoucherConsumption:
        """The server's answer ``{ledger_id, fiscal_year, used, quota, requested, counted}``."""
        r = JsonReader(data, "voucher_usage")
        used, quota = r.integer("used"), r.integer("quota")
        return cls(
            ledger_id=r.integer("ledger_id"),
            fiscal_year=r.integer("fiscal_year"),
            used=used,
            quota=quota,
            requested=r.integer("requested"),
            counted=r.flag("counted"),
            offline=False,
            remaining=max(0, quota - used),
        )

    @classmethod
    def recorded_offline(
        cls, ledger_id: int, fiscal_year: int, standing: VoucherStanding, requested: int, *, counted: bool
    ) -> VoucherConsumption:
        """What the journal now holds for the ledger-year (``standing`` counts the new entry already)."""
        return cls(
            ledger_id=ledger_id,
            fiscal_year=fiscal_year,
            used=standing.used + standing.offline_used,
            quota=standing.quota,
            requested=requested,
            counted=counted,
            offline=True,
            remaining=standing.offline_remaining,
        )
