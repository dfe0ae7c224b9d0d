"""Accounts, organisations and the demo outbox as typed values: good answers, missing fields, wrong types."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.accounts import (
    Account,
    Certification,
    Organisation,
    OutboxMessage,
    Profile,
    newest_code,
    organisations_to_choose,
)
from app.domain.wire import ResponseFormatError

ACCOUNT = {"id": 7, "login": "13800138000", "display_name": "张三", "role": "service_accountant"}
ORG = {
    "id": 3,
    "name": "武汉新开商贸有限公司",
    "tax_id": "91420100MA4KNEW001",
    "certification": {"status": "pending", "deadline": "2025-06-01T00:00:00"},
}


def test_an_account_reads_its_fields_and_ignores_new_ones() -> None:
    account = Account.from_json({**ACCOUNT, "avatar": "x.png"})
    assert account == Account(7, "13800138000", "张三", "service_accountant")
    assert account.is_service_accountant


def test_an_account_without_a_role_or_display_name_is_a_plain_customer() -> None:
    account = Account.from_json({"id": 1, "login": "a@example.com"})
    assert (account.display_name, account.role, account.is_service_accountant) == ("", "customer", False)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"login": "x"}, "account.id is missing"),
        ({"id": "7", "login": "x"}, "account.id is not an integer"),
        ({"id": True, "login": "x"}, "account.id is not an integer"),
        ({"id": 7}, "account.login is missing"),
        ({"id": 7, "login": 138}, "account.login is not a string"),
        ([ACCOUNT], "account is not an object"),
    ],
)
def test_an_account_missing_or_mistyping_a_field_is_refused_by_name(data: object, message: str) -> None:
    with pytest.raises(ResponseFormatError, match=message):
        Account.from_json(data)


def test_the_profile_holds_the_account_and_its_organisations_with_their_certification() -> None:
    profile = Profile.from_json({"account": ACCOUNT, "organisations": [ORG, {"id": 4, "name": "二号"}]})
    assert profile.account.login == "13800138000"
    first, second = profile.organisations
    assert first.certification == Certification("pending", datetime(2025, 6, 1, tzinfo=UTC))  # no offset: UTC
    assert second == Organisation(4, "二号")  # no tax id, no certification asked for
    assert second.certification.status == "none"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"organisations": []}, r"me\.account is missing"),
        ({"account": ACCOUNT}, r"me\.organisations is missing"),
        ({"account": ACCOUNT, "organisations": {"id": 3}}, r"me\.organisations is not a list"),
        ({"account": ACCOUNT, "organisations": [{"id": 3}]}, r"me\.organisations\[0\]\.name is missing"),
        (
            {"account": ACCOUNT, "organisations": [{**ORG, "certification": {"status": "pending", "deadline": 5}}]},
            r"me\.organisations\[0\]\.certification\.deadline is not an ISO 8601 date-time",
        ),
    ],
)
def test_a_profile_of_another_shape_is_refused_naming_the_field(data: object, message: str) -> None:
    with pytest.raises(ResponseFormatError, match=message):
        Profile.from_json(data)


def test_the_outbox_gives_the_newest_code_of_a_purpose() -> None:
    messages = OutboxMessage.list_from_json(
        {
            "messages": [
                {"id": 3, "code": None, "purpose": None, "subject": "订单已支付", "created_at": "2025-01-02T10:00:00Z"},
                {"id": 2, "code": "482913", "purpose": "register", "created_at": "2025-01-02T09:00:00Z"},
                {"id": 1, "code": "111111", "purpose": "register", "created_at": "2025-01-01T09:00:00Z"},
            ]
        }
    )
    assert messages[0].created_at == datetime(2025, 1, 2, 10, tzinfo=UTC)
    assert newest_code(messages, "register") == "482913"
    assert newest_code(messages, "password_reset") is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, r"outbox\.messages is missing"),
        ({"messages": [{"code": "1"}]}, r"outbox\.messages\[0\]\.id is missing"),
        ({"messages": [{"id": 1, "code": 482913}]}, r"outbox\.messages\[0\]\.code is not a string"),
    ],
)
def test_an_outbox_of_another_shape_is_refused(data: object, message: str) -> None:
    with pytest.raises(ResponseFormatError, match=message):
        OutboxMessage.list_from_json(data)


def test_org_required_details_list_the_organisations_skipping_broken_entries() -> None:
    details = {"organisations": [{"id": 3, "name": "甲"}, {"id": "4", "name": "乙"}, "丙", {"id": 5, "name": "丁"}]}
    assert [(o.id, o.name) for o in organisations_to_choose(details)] == [(3, "甲"), (5, "丁")]
    assert organisations_to_choose({}) == () and organisations_to_choose({"organisations": "x"}) == ()
