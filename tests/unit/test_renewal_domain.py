"""Renewal rules without Qt or I/O: periods, banner, new expiry, archiving suggestion, bulk review, recipients."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from licence_protocol.dates import add_months

from app.domain import renewal
from app.domain.ledgers import LicenceLedgers
from app.domain.renewal import (
    Customer,
    InvoiceRecipient,
    LedgerInUse,
    LedgerShortfall,
    NotifyRecipient,
    QuoteOutcome,
    QuoteRefusal,
    RenewalItem,
    RenewalQuote,
    RenewalRequest,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def test_periods_are_one_two_and_three_years() -> None:
    assert renewal.PERIODS == (12, 24, 36) and renewal.DEFAULT_PERIOD in renewal.PERIODS


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime(2032, 2, 29, 9, tzinfo=UTC), 12, datetime(2033, 2, 28, 9, tzinfo=UTC)),
        (datetime(2026, 1, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2026, 11, 25, tzinfo=UTC), 36, datetime(2029, 11, 25, tzinfo=UTC)),
        (datetime(2026, 12, 15, tzinfo=UTC), -12, datetime(2025, 12, 15, tzinfo=UTC)),
    ],
)
def test_calendar_months_clamp_the_day_like_the_server(start: datetime, months: int, expected: datetime) -> None:
    # The preview adds months with the rule the server applies (licence_protocol.dates).
    assert renewal.new_expiry_preview(start, start - DAY, months) == expected == add_months(start, months)


def test_a_valid_licence_stacks_and_an_expired_one_starts_today() -> None:
    valid = NOW + 100 * DAY
    assert renewal.new_expiry_preview(valid, NOW, 12) == add_months(valid, 12)
    expired = NOW - 5 * DAY
    assert renewal.new_expiry_preview(expired, NOW, 24) == add_months(NOW, 24)
    assert renewal.renewal_start(None, NOW) == NOW


class TestBanner:
    def test_none_while_more_than_30_days_are_left_or_perpetual(self) -> None:
        assert renewal.banner_for(NOW + 31 * DAY, NOW) is None
        assert renewal.banner_for(None, NOW) is None

    def test_warning_from_30_days_before_expiry(self) -> None:
        banner = renewal.banner_for(NOW + 30 * DAY, NOW)
        assert banner is not None and banner.severity == "warning" and banner.fmt["days"] == 30
        soon = renewal.banner_for(NOW + 10 * DAY + timedelta(hours=3), NOW)
        assert soon is not None and soon.fmt["days"] == 10 and "{days}" in soon.msgid

    def test_expires_today(self) -> None:
        banner = renewal.banner_for(NOW + timedelta(hours=2), NOW)
        assert banner is not None and banner.severity == "warning" and "today" in banner.msgid

    def test_error_after_expiry_counts_the_days(self) -> None:
        banner = renewal.banner_for(NOW - 3 * DAY - timedelta(hours=1), NOW)
        assert banner is not None and banner.severity == "error" and banner.fmt["days"] == 3
        assert "starts today" in banner.msgid
        just = renewal.banner_for(NOW - timedelta(minutes=5), NOW)
        assert just is not None and just.fmt["days"] == 1


def _year(fiscal_year: int, used: int) -> dict[str, Any]:
    return {"fiscal_year": fiscal_year, "modules": [], "vouchers": {"used": used, "quota": 100}}


LEDGERS = LicenceLedgers.from_json(
    {
        "ledgers": [
            {"id": 1, "code": "C1", "name": "C1 门店1", "archived": False, "years": [_year(2026, 5)]},
            {"id": 2, "code": "C2", "name": "C2 门店2", "archived": False, "years": [_year(2026, 1)]},
            {"id": 3, "code": "C3", "name": "C3 门店3", "archived": True, "years": []},
            # the later year counts, whatever order the server lists the years in
            {"id": 4, "code": "C4", "name": "门店4", "archived": False, "years": [_year(2026, 1), _year(2025, 90)]},
        ],
        "purchased": 2,
        "in_use": 3,
    }
)


class TestLedgerRule:
    def test_ledgers_in_use_skip_archived_and_read_the_latest_year(self) -> None:
        rows = renewal.ledgers_in_use(LEDGERS)
        assert [x.id for x in rows] == [1, 2, 4]
        assert [x.vouchers_used for x in rows] == [5, 1, 1]
        assert rows[0].label == "C1 门店1" and rows[2].label == "C4 门店4"

    def test_the_error_details_name_the_ledgers(self) -> None:
        details = {"licence_id": 1, "in_use": 5, "requested": 4, "ledgers": [{"id": 7, "code": "X", "name": "账套X"}]}
        shortfall = LedgerShortfall.from_details(details)
        assert shortfall == LedgerShortfall(5, 4, (LedgerInUse(7, "X", "账套X", 0),))
        assert shortfall.to_archive == 1

    def test_malformed_error_details_read_as_unknown(self) -> None:
        # the refusal still shows its way out; only what cannot be read is left out
        shortfall = LedgerShortfall.from_details({"in_use": "5", "ledgers": [{"id": 7}, "x"]})
        assert shortfall == LedgerShortfall(0, 0, ())

    def test_shortfall(self) -> None:
        assert renewal.archive_shortfall(5, 4) == 1
        assert renewal.archive_shortfall(4, 5) == 0

    def test_suggests_the_least_used_latest_ledgers(self) -> None:
        rows = renewal.ledgers_in_use(LEDGERS)
        assert renewal.suggest_archive(rows, 1) == [4]  # C2 and C4 tie on 1 voucher: the later code first
        assert renewal.suggest_archive(rows, 2) == [4, 2]
        assert renewal.suggest_archive(rows, 0) == []


def customer(licence_id: int, name: str, tax_id: str, expires: datetime | None, status: str = "active") -> Customer:
    return Customer(licence_id, licence_id, name, tax_id, "e会计 5.0", "standard", expires, status)


CUSTOMERS = [
    customer(1, "北京晨光餐饮有限公司", "91110105MA01CUST01", NOW + 12 * DAY, "expiring_soon"),
    customer(2, "广州南风服饰有限公司", "91440101MA59CUST02", NOW + 45 * DAY),
    customer(3, "成都蜀香食品有限公司", "91510100MA6CCUST03", NOW - 6 * DAY, "expired"),
    customer(4, "停用公司", "91000000MA00STOP04", NOW + 99 * DAY, "suspended"),
]


class TestCustomers:
    def test_parse_the_customers_answer(self) -> None:
        answer = {
            "customers": [
                {
                    "organisation_id": 9,
                    "name": "甲",
                    "tax_id": "T1",
                    "licence_id": 5,
                    "product": {"code": "P", "name": "e会计", "version": "5.0"},
                    "edition": "cloud",
                    "expires_at": NOW.isoformat(),
                    "status": "active",
                    "ledgers": {"in_use": 3, "purchased": 2},
                }
            ]
        }
        answer["customers"][0]["added_later"] = {"by": "a newer server"}  # unknown fields are ignored
        (c,) = renewal.customers_from(answer)
        assert (c.licence_id, c.product, c.expires_at, c.ledgers_in_use, c.ledgers_purchased) == (
            5,
            "e会计 5.0",
            NOW,
            3,
            2,
        )

    def test_search_by_name_or_tax_id(self) -> None:
        assert [c.licence_id for c in renewal.filter_customers(CUSTOMERS, "南风")] == [2]
        assert [c.licence_id for c in renewal.filter_customers(CUSTOMERS, " cust 03")] == [3]
        assert len(renewal.filter_customers(CUSTOMERS, "")) == 4

    def test_sort_by_expiry_soonest_first(self) -> None:
        assert [c.licence_id for c in renewal.sort_customers(CUSTOMERS, True)] == [3, 1, 2, 4]
        assert [c.name for c in renewal.sort_customers(CUSTOMERS, False)] == sorted(c.name for c in CUSTOMERS)

    def test_add_row_by_tax_id(self) -> None:
        assert renewal.find_by_tax_id(CUSTOMERS, "91510100ma6ccust03 ") == CUSTOMERS[2]
        assert renewal.find_by_tax_id(CUSTOMERS, "CUST02") == CUSTOMERS[1]  # the only one containing it
        assert renewal.find_by_tax_id(CUSTOMERS, "CUST0") is None  # ambiguous
        assert renewal.find_by_tax_id(CUSTOMERS, "") is None
        assert not CUSTOMERS[3].renewable and CUSTOMERS[2].renewable


class TestRecipients:
    def test_customer_and_self_need_nothing(self) -> None:
        assert renewal.invoice_problems(InvoiceRecipient()) == []
        assert renewal.notify_problems(NotifyRecipient()) == []

    def test_another_invoice_party_needs_a_name_and_valid_fields(self) -> None:
        problems = renewal.invoice_problems(InvoiceRecipient("other", " ", "x", "not-an-email"))
        assert len(problems) == 3
        ok = InvoiceRecipient("other", "上海代账服务有限公司", "91310000MA1DZ0001X", "a@b.cn", "上海市")
        assert renewal.invoice_problems(ok) == []

    def test_another_contact_needs_an_email_or_a_phone(self) -> None:
        assert len(renewal.notify_problems(NotifyRecipient("other", "王"))) == 1
        assert renewal.notify_problems(NotifyRecipient("other", "王", phone="+86 138-0000-0001")) == []
        assert len(renewal.notify_problems(NotifyRecipient("other", "王", "bad", "12"))) == 2

    def test_request_body(self) -> None:
        body = RenewalRequest(
            (RenewalItem(1, 12), RenewalItem(2, 24, 5)),
            InvoiceRecipient("other", " 甲 ", "T", "a@b.cn", ""),
            NotifyRecipient(),
        ).to_json()
        assert body == {
            "items": [{"licence_id": 1, "months": 12}, {"licence_id": 2, "months": 24, "ledgers": 5}],
            "invoice_recipient": {"kind": "other", "name": "甲", "tax_id": "T", "email": "a@b.cn", "address": ""},
            "notify_recipient": {"kind": "self"},
        }
        assert RenewalRequest(()).to_json()["invoice_recipient"] == {"kind": "customer"}


def quote_json(**fields: Any) -> dict[str, Any]:
    """A renewal quote as ``GET /licences/{id}/renewal-quote`` answers it, with ``fields`` replaced."""
    quote = {
        "licence_id": 1,
        "product": {"code": "P", "name": "e会计", "version": "5.0"},
        "edition": "standard",
        "state": "EXPIRING_SOON",
        "months": 12,
        "ledgers": {"in_use": 1, "requested": 1, "purchased": 1},
        "priced_per": "licence",
        "unit_price": {"amount_minor": 59_800, "currency": "CNY"},
        "amount": {"amount_minor": 59_800, "currency": "CNY"},
        "current_expiry": (NOW + 12 * DAY).isoformat(),
        "new_expiry": (NOW + 377 * DAY).isoformat(),
    }
    quote.update(fields)
    return quote


QUOTES: dict[int, QuoteOutcome] = {
    1: RenewalQuote.from_json(quote_json()),
    2: QuoteRefusal("PURCHASE_BLOCKED", "Nothing can be bought for this licence now."),
}


class TestReview:
    quotes = QUOTES

    def test_rows_take_the_quote_and_the_invoice_party(self) -> None:
        rows = renewal.review_rows([(CUSTOMERS[0], 12), (CUSTOMERS[1], 24)], self.quotes, InvoiceRecipient())
        assert rows[0].amount_minor == 59_800 and rows[0].new_expiry == NOW + 377 * DAY
        assert (rows[0].invoice_title, rows[0].invoice_tax_id) == (CUSTOMERS[0].name, CUSTOMERS[0].tax_id)
        assert rows[1].problem == "PURCHASE_BLOCKED" and rows[1].amount_minor is None
        assert rows[1].problem_text == "Nothing can be bought for this licence now."
        other = renewal.review_rows([(CUSTOMERS[0], 12)], self.quotes, InvoiceRecipient("other", "代账公司", "T9"))
        assert (other[0].invoice_title, other[0].invoice_tax_id) == ("代账公司", "T9")
        assert renewal.review_total(rows) == 59_800
        assert renewal.review_currency(rows) == "CNY"  # the quoted row's; the refused row has no amount

    def test_the_total_is_in_the_currency_of_the_quotes(self) -> None:
        dong = {"amount_minor": 2_090_000, "currency": "VND"}
        vnd: dict[int, QuoteOutcome] = {1: RenewalQuote.from_json(quote_json(unit_price=dong, amount=dong))}
        rows = renewal.review_rows([(CUSTOMERS[0], 12)], vnd, InvoiceRecipient())
        assert (renewal.review_total(rows), renewal.review_currency(rows)) == (2_090_000, "VND")

    def test_place_order_needs_the_tick_and_every_row_priced(self) -> None:
        good = renewal.review_rows([(CUSTOMERS[0], 12)], self.quotes, InvoiceRecipient())
        bad = renewal.review_rows([(CUSTOMERS[0], 12), (CUSTOMERS[1], 12)], self.quotes, InvoiceRecipient())
        assert renewal.order_ready(good, True)
        assert not renewal.order_ready(good, False)
        assert not renewal.order_ready(bad, True)
        assert not renewal.order_ready([], True)
