"""联系客服 contacts as read from the server, the market of a language, the clock's settings, masked accounts."""

from __future__ import annotations

import pytest

from app.domain.rules import matches_masked_login
from app.domain.states import StateCode, explanation_msgid, sign_in_as, state_info
from app.domain.support import SupportContacts, date_time_settings_uri, market_for_language
from app.domain.wire import ResponseFormatError

ANSWER = {
    "market": "CN",
    "team": "e会计 社区客服中心",
    "phone": "400-821-6036",
    "email": "service@kuaijihui.com",
    "qq_group": "636016246",
    "chat": None,
    "hours": {"days": "mon-fri", "opens": "09:00", "closes": "18:00", "timezone": "Asia/Shanghai"},
    "help_url": None,
    "download_url": "https://www.kuaijihui.com/download/panel",
    "added_by_a_newer_server": True,
}


def test_contacts_are_read_and_empty_ones_are_none() -> None:
    contacts = SupportContacts.from_json({**ANSWER, "chat": ""})
    assert contacts.qq_group == "636016246" and contacts.chat is None and contacts.help_url is None
    assert contacts.hours.days == "mon-fri" and contacts.hours.timezone == "Asia/Shanghai"


def test_contacts_without_a_phone_are_a_bad_answer() -> None:
    with pytest.raises(ResponseFormatError):
        SupportContacts.from_json({k: v for k, v in ANSWER.items() if k != "phone"})


@pytest.mark.parametrize(("lang", "market"), [("zh_CN", "CN"), ("vi", "VN"), ("fa", "IR"), ("en", "CN")])
def test_the_market_follows_the_language(lang: str, market: str) -> None:
    assert market_for_language(lang) == market


def test_only_windows_opens_its_date_and_time_settings() -> None:
    assert date_time_settings_uri("win32") == "ms-settings:dateandtime"
    assert date_time_settings_uri("linux") is None and date_time_settings_uri("darwin") is None


@pytest.mark.parametrize(
    ("login", "masked", "fits"),
    [
        ("13800000002", "138****0002", True),
        ("13800000001", "138****0002", False),
        ("ab.cd@example.com", "ab****@example.com", True),
        ("ab@example.com", "ab****@example.com", False),  # nothing hidden between: not that login
        ("x", "x****", False),
        ("", "138****0002", False),
        ("13800000002", "13800000002", False),  # not a mask
    ],
)
def test_a_login_fits_a_mask(login: str, masked: str, fits: bool) -> None:
    assert matches_masked_login(login, masked) is fits


def test_the_ip_holder_is_named_when_the_server_said_who() -> None:
    info = state_info(StateCode.IP_BOUND_TO_OTHER_ACCOUNT)
    assert explanation_msgid(info, {}) == info.explanation
    named = explanation_msgid(info, {"ip_account": "138****0002"})
    assert named != info.explanation and "{ip_account}" in named
    assert sign_in_as(info, {"ip_account": "138****0002"}) == "138****0002"
    assert sign_in_as(state_info(StateCode.ACCOUNT_MISMATCH), {"licence_account": "138****0001"}) == "138****0001"
    assert sign_in_as(state_info(StateCode.EXPIRED), {"licence_account": "138****0001"}) is None
