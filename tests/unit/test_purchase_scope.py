"""Which ledger-year a purchase is for: nothing chosen from 系统认证, bound to a host's ledger-year, confirmed moves."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain import purchase_scope
from app.domain.ledgers import LicenceLedgers
from app.domain.purchase import LedgerYear
from app.domain.purchase_scope import LedgerChoice, Notice, PurchaseScope, ScopeChange


def _years(*years: int) -> list[dict]:
    return [{"fiscal_year": y, "modules": [], "vouchers": {"used": 0, "quota": 50}} for y in years]


LEDGERS = LicenceLedgers.from_json(
    {
        "ledgers": [
            {"id": 2, "code": "B", "name": "分公司", "archived": False, "years": _years(2024, 2025)},
            {"id": 1, "code": "A", "name": "A 总公司", "archived": False, "years": _years(2024, 2025)},
            {"id": 3, "code": "C", "name": "旧账", "archived": True, "years": _years(2020)},
        ],
        "purchased": 3,
        "in_use": 2,
    }
)
A_2025 = LedgerYear(1, 2025, "A", "A 总公司")
B_2024 = LedgerYear(2, 2024, "B", "分公司")
B_2025 = LedgerYear(2, 2025, "B", "分公司")


class TestFromSystemAuthentication:
    def test_nothing_is_chosen_for_the_user(self) -> None:
        scope = purchase_scope.resolve(LEDGERS, None)
        assert scope.target is None and scope.bound is None and scope.problem is None
        assert not scope.is_bound and scope.note() is None
        assert [(c.code, c.fiscal_year) for c in scope.choices] == [("A", 2025), ("A", 2024), ("B", 2025), ("B", 2024)]

    def test_ledgers_then_their_years_newest_first_archived_ones_left_out(self) -> None:
        scope = purchase_scope.resolve(LEDGERS, None)
        assert scope.ledgers() == [LedgerChoice(1, "A", "A 总公司"), LedgerChoice(2, "B", "分公司")]
        assert scope.years_of(2) == [2025, 2024]
        assert scope.years_of(3) == [] and scope.years_of(None) == []
        assert scope.choice(2, 2024) == B_2024
        assert scope.choice(3, 2020) is None

    def test_a_ledger_reads_by_code_and_name_without_repeating_the_code(self) -> None:
        assert LedgerChoice(2, "B", "分公司").label == "B · 分公司"
        assert LedgerChoice(1, "A", "A 总公司").label == "A 总公司"
        assert LedgerChoice(4, "D", "").label == "D"
        assert LedgerChoice(5, "", "").label == "5"

    def test_changing_needs_no_confirmation(self) -> None:
        scope = purchase_scope.resolve(LEDGERS, None).with_target(A_2025)
        assert not scope.needs_confirmation(B_2024)
        assert scope.change_to(B_2024) is None
        assert not scope.away_from_bound


class TestBoundToAHostLedgerYear:
    def test_the_host_ledger_year_is_the_target_with_its_code_and_name(self) -> None:
        scope = purchase_scope.resolve(LEDGERS, (2, 2024))
        assert scope.bound == scope.target == B_2024
        assert scope.is_bound and scope.problem is None
        assert scope.note() == Notice(purchase_scope.BOUND_NOTE)

    def test_a_fiscal_year_the_server_has_no_record_of_yet_is_offered_in_its_place(self) -> None:
        scope = purchase_scope.resolve(LEDGERS, (2, 2026))
        assert scope.target == LedgerYear(2, 2026, "B", "分公司")
        assert [(c.code, c.fiscal_year) for c in scope.choices if c.code == "B"] == [
            ("B", 2026),
            ("B", 2025),
            ("B", 2024),
        ]

    def test_moving_away_is_confirmed_with_both_and_going_back_is_not(self) -> None:
        scope = purchase_scope.resolve(LEDGERS, (2, 2024))
        change = scope.change_to(A_2025)
        assert change == ScopeChange(B_2024, A_2025)
        assert change.change_button == Notice(purchase_scope.CONFIRM_CHANGE, {"new": A_2025})
        assert change.keep_button == Notice(purchase_scope.CONFIRM_KEEP, {"bound": B_2024})
        moved = scope.with_target(A_2025)
        assert moved.away_from_bound and moved.bound == B_2024
        assert moved.note() == Notice(purchase_scope.AWAY_NOTE, {"bound": B_2024})
        assert moved.change_to(B_2025) == ScopeChange(B_2024, B_2025)  # still the host's ledger-year that is shown
        assert moved.change_to(B_2024) is None  # back to what the host opened: no question

    def test_an_unknown_ledger_is_said_and_the_user_chooses(self) -> None:
        scope = purchase_scope.resolve(LEDGERS, (99, 2025))
        assert scope.target is None and scope.bound is None
        assert scope.problem == Notice(purchase_scope.UNKNOWN_LEDGER, {"ledger_id": 99, "year": 2025})
        assert len(scope.choices) == 4

    def test_an_archived_ledger_is_said_and_the_user_chooses(self) -> None:
        scope = purchase_scope.resolve(LEDGERS, (3, 2020))
        assert scope.target is None and scope.bound is None
        assert scope.problem == Notice(purchase_scope.ARCHIVED_LEDGER, {"code": "C", "name": "旧账"})

    def test_before_the_server_answers_the_request_is_shown_by_its_id(self) -> None:
        assert purchase_scope.before_loading(None) == PurchaseScope()
        scope = purchase_scope.before_loading((2, 2025))
        assert scope.bound == scope.target == LedgerYear(2, 2025)
        assert scope.choices == ()


class TestCommandLine:
    @pytest.mark.parametrize(
        ("ledger", "year", "expected"),
        [
            (None, None, None),
            (2, 2025, (2, 2025)),
            (2, None, Notice(purchase_scope.BOTH_OR_NEITHER)),
            (None, 2025, Notice(purchase_scope.BOTH_OR_NEITHER)),
            (0, 2025, Notice(purchase_scope.BAD_LEDGER_ID)),
            (2, 1989, Notice(purchase_scope.BAD_FISCAL_YEAR, {"first": 1990, "last": 2200})),
            (2, 2201, Notice(purchase_scope.BAD_FISCAL_YEAR, {"first": 1990, "last": 2200})),
            (2, 2200, (2, 2200)),
        ],
    )
    def test_ledger_and_year_come_together_and_in_range(self, ledger, year, expected) -> None:
        assert purchase_scope.requested_ledger_year(ledger, year) == expected

    @pytest.mark.parametrize(
        ("screen", "paid", "code"),
        [
            ("purchase", True, 0),
            ("purchase", False, 1),
            ("renew", True, 0),
            ("renew", False, 1),
            ("open", False, 0),
            (None, False, 0),
        ],
    )
    def test_exit_codes_tell_the_host_whether_something_was_paid(self, screen, paid, code) -> None:
        assert purchase_scope.screen_exit_code(screen, paid) == code


SCOPE_SOURCES = (
    "app/domain/purchase_scope.py",
    "app/ui/purchase/purchase_dialog.py",
    "app/ui/purchase/scope_change.py",
    "app/ui/screens.py",
)


@pytest.mark.parametrize("lang", ["zh_CN", "vi", "fa"])
def test_every_text_of_the_purchase_and_its_ledger_year_is_translated(lang: str) -> None:
    """Not only Chinese (tests/unit/test_i18n.py): the texts that decide where money goes exist in every language."""
    import ast
    import json

    from app.resources import resource_path

    root = Path(__file__).resolve().parents[2]
    msgids = set()
    for source in SCOPE_SOURCES:
        for node in ast.walk(ast.parse((root / source).read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            called = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            literal = node.args[0]
            if called in ("tr", "N_") and isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                msgids.add(literal.value)
    catalogue = json.loads(resource_path("i18n", f"{lang}.json").read_text(encoding="utf-8"))
    assert len(msgids) > 40
    assert sorted(m for m in msgids if m not in catalogue) == []
