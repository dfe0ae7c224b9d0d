"""Which ledger-year (账套 × 会计年度) a purchase is for: what can be chosen, the ledger-year a host program bound the
purchase to, and when changing it needs the user's explicit confirmation.

In e会计 the user 进入账套 (opens a ledger-year) and presses 立即购买 there, so the scope comes from where they work.
The panel has two ways in: from a host program (``python -m app --ledger ID --year YYYY purchase``), where the
purchase is *bound* to that ledger-year and moving away from it is confirmed with both shown; and from 系统认证,
where nothing is chosen for the user (a silent "first ledger, latest year" was the wrong-ledger purchase people then
asked to refund).

Pure Python, no Qt; texts are English msgids marked with ``N_`` plus format arguments (ledger-years as
``LedgerYear``), which the UI words and passes through ``tr``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from app.domain.ledgers import LicenceLedgers
from app.domain.msgids import N_
from app.domain.purchase import LedgerYear, ledger_years

# The fiscal years the server accepts for a ledger-year (docs/PROTOCOL.md, POST /ledgers/{id}/years).
FIRST_FISCAL_YEAR = 1990
LAST_FISCAL_YEAR = 2200

Screen = Literal["purchase", "renew", "open"]
SCREENS: tuple[Screen, ...] = ("purchase", "renew", "open")


@dataclass(frozen=True)
class Notice:
    """A text to show: a msgid and its format arguments (a ``LedgerYear`` argument is worded by the UI)."""

    msgid: str
    fmt: Mapping[str, Any] = field(default_factory=dict)


# -- the command line ---------------------------------------------------------------------------------------

BOTH_OR_NEITHER = N_("--ledger and --year go together: give both (for example --ledger 2 --year 2025) or neither.")
BAD_LEDGER_ID = N_("--ledger must be a ledger id: a whole number from 1.")
BAD_FISCAL_YEAR = N_("--year must be a fiscal year from {first} to {last}.")


def requested_ledger_year(ledger_id: int | None, fiscal_year: int | None) -> tuple[int, int] | Notice | None:
    """``--ledger``/``--year`` as given: the ledger-year, None when neither was given, or why they are refused."""
    if ledger_id is None and fiscal_year is None:
        return None
    if ledger_id is None or fiscal_year is None:
        return Notice(BOTH_OR_NEITHER)
    if ledger_id < 1:
        return Notice(BAD_LEDGER_ID)
    if not FIRST_FISCAL_YEAR <= fiscal_year <= LAST_FISCAL_YEAR:
        return Notice(BAD_FISCAL_YEAR, {"first": FIRST_FISCAL_YEAR, "last": LAST_FISCAL_YEAR})
    return ledger_id, fiscal_year


def screen_exit_code(screen: Screen | None, paid: bool) -> int:
    """``purchase`` and ``renew`` tell the host whether to check again (0: something was paid); ``open`` is 0."""
    if screen in ("purchase", "renew"):
        return 0 if paid else 1
    return 0


# -- the dialog ---------------------------------------------------------------------------------------------

UNKNOWN_LEDGER = N_(
    "The accounting software asked for ledger {ledger_id}, fiscal year {year}, but this licence has no such "
    "ledger. Choose the ledger and fiscal year for this purchase."
)
ARCHIVED_LEDGER = N_(
    "The accounting software asked for ledger {code} ({name}), which is archived: nothing can be bought for it. "
    "Choose the ledger and fiscal year for this purchase."
)
BOUND_NOTE = N_("Set by the accounting software: the ledger and fiscal year you are working in.")
AWAY_NOTE = N_("Changed by you: the accounting software opened {bound}.")
CONFIRM_TITLE = N_("Change the ledger and fiscal year?")
CONFIRM_FROM = N_("Set by the accounting software:")
CONFIRM_TO = N_("Change to:")
CONFIRM_NOTE = N_(
    "What you buy applies only to the ledger and fiscal year chosen and cannot be moved to another one later."
)
CONFIRM_CHANGE = N_("Buy for {new}")
CONFIRM_KEEP = N_("Keep {bound}")


def _key(choice: LedgerYear) -> tuple[int, int]:
    return choice.ledger_id, choice.fiscal_year


def _ordered(choices: list[LedgerYear]) -> tuple[LedgerYear, ...]:
    """Ledgers by code, each one's years newest first (the order of ``ledger_years``)."""
    return tuple(sorted(choices, key=lambda c: (c.code, c.ledger_id, -c.fiscal_year)))


@dataclass(frozen=True)
class LedgerChoice:
    """One ledger to choose, before its fiscal year."""

    ledger_id: int
    code: str
    name: str

    @property
    def label(self) -> str:
        """``B · 分公司账套``; a name that already starts with its code (``B 分公司``) is not prefixed twice."""
        if not self.name:
            return self.code or str(self.ledger_id)
        if not self.code or self.name.startswith(self.code):
            return self.name
        return f"{self.code} · {self.name}"


@dataclass(frozen=True)
class ScopeChange:
    """Moving a bound purchase to another ledger-year: the confirmation shows both and keeps ``bound`` by default."""

    bound: LedgerYear
    new: LedgerYear

    title = Notice(CONFIRM_TITLE)
    from_label = Notice(CONFIRM_FROM)
    to_label = Notice(CONFIRM_TO)
    note = Notice(CONFIRM_NOTE)

    @property
    def change_button(self) -> Notice:
        return Notice(CONFIRM_CHANGE, {"new": self.new})

    @property
    def keep_button(self) -> Notice:
        return Notice(CONFIRM_KEEP, {"bound": self.bound})


@dataclass(frozen=True)
class PurchaseScope:
    """The ledger-years a purchase may be for, the one it is for now, and the one a host program bound it to.

    ``target`` is None until the user chooses (nothing is pre-selected without a host); with a host it starts as
    ``bound``. ``problem`` says why a host's ledger-year could not be used (the dialog then asks, like 系统认证).
    """

    choices: tuple[LedgerYear, ...] = ()
    bound: LedgerYear | None = None
    target: LedgerYear | None = None
    problem: Notice | None = None

    @property
    def is_bound(self) -> bool:
        return self.bound is not None

    @property
    def away_from_bound(self) -> bool:
        """The user confirmed another ledger-year than the host's."""
        return self.bound is not None and self.target is not None and _key(self.target) != _key(self.bound)

    def note(self) -> Notice | None:
        """The line under a bound target: where it comes from, or that the user moved away from it."""
        if self.bound is None:
            return None
        if self.away_from_bound:
            return Notice(AWAY_NOTE, {"bound": self.bound})
        return Notice(BOUND_NOTE)

    def ledgers(self) -> list[LedgerChoice]:
        """Each ledger once, in the order of the choices."""
        seen: dict[int, LedgerChoice] = {}
        for choice in self.choices:
            seen.setdefault(choice.ledger_id, LedgerChoice(choice.ledger_id, choice.code, choice.name))
        return list(seen.values())

    def years_of(self, ledger_id: int | None) -> list[int]:
        """The fiscal years of one ledger, newest first."""
        return [c.fiscal_year for c in self.choices if c.ledger_id == ledger_id]

    def choice(self, ledger_id: int | None, fiscal_year: int | None) -> LedgerYear | None:
        return next((c for c in self.choices if _key(c) == (ledger_id, fiscal_year)), None)

    def needs_confirmation(self, new: LedgerYear) -> bool:
        """Only a bound purchase asks, and only for a ledger-year other than the host's (going back is free)."""
        return self.bound is not None and _key(new) != _key(self.bound)

    def change_to(self, new: LedgerYear) -> ScopeChange | None:
        """The confirmation moving to ``new`` needs; None when it needs none."""
        if self.bound is None or not self.needs_confirmation(new):
            return None
        return ScopeChange(self.bound, new)

    def with_target(self, target: LedgerYear | None) -> PurchaseScope:
        return replace(self, target=target)


def before_loading(requested: tuple[int, int] | None) -> PurchaseScope:
    """What is known before the server answers: the host's ledger-year by its id (no code or name yet)."""
    if requested is None:
        return PurchaseScope()
    bound = LedgerYear(*requested)
    return PurchaseScope(bound=bound, target=bound)


def resolve(ledgers: LicenceLedgers, requested: tuple[int, int] | None) -> PurchaseScope:
    """The choices from the licence's ledgers, bound to ``requested`` when that ledger can receive a purchase.

    The host's fiscal year is offered even when the server has no record of it yet (a new year the host just
    opened): the catalogue answers for it, with the edition's default voucher quota."""
    choices = ledger_years(ledgers)
    if requested is None:
        return PurchaseScope(tuple(choices))
    ledger_id, fiscal_year = requested
    ledger = next((x for x in ledgers.ledgers if x.id == ledger_id), None)
    if ledger is None:
        return PurchaseScope(
            tuple(choices), problem=Notice(UNKNOWN_LEDGER, {"ledger_id": ledger_id, "year": fiscal_year})
        )
    if ledger.archived:
        return PurchaseScope(
            tuple(choices), problem=Notice(ARCHIVED_LEDGER, {"code": ledger.code, "name": ledger.name})
        )
    bound = LedgerYear(ledger.id, fiscal_year, ledger.code, ledger.name)
    if bound not in choices:
        choices.append(bound)
    return PurchaseScope(_ordered(choices), bound=bound, target=bound)
