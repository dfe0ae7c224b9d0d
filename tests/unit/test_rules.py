"""Feedback while typing: password rules (as the server judges them), serial/CDkey formats, masking."""

from __future__ import annotations

import pytest

from app.domain.rules import (
    MSG_CDKEY_GROUPS,
    MSG_CDKEY_INCOMPLETE,
    MSG_CDKEY_TOO_LONG,
    MSG_KEY_CHARACTERS,
    MSG_KEY_CONFUSABLE,
    MSG_SERIAL_INCOMPLETE,
    MSG_SERIAL_SHAPE,
    MSG_SERIAL_TOO_LONG,
    cdkey_format_ok,
    mask_cdkey,
    mask_login,
    mask_serial,
    normalise_key,
    password_feedback,
    password_ok,
    serial_format_ok,
)

PASSWORDS = [
    "",
    "short1!",
    "Abcdef1!",
    "abcdefg1!",
    "ABCDEFG1!",
    "Abcdefgh!",
    "Abcdefgh1",
    "Abcdef 1!",
    "Abcdéfg1!",
    "Пароль12!A",
    "密码Abcdef1!",
    "Abcdefg１!",  # full-width digit: not a Latin digit
    "A" * 60 + "a" * 60 + "1!" * 5,
    "A" * 200 + "a1!",
    "Tr0ub4dor&3",
]


def failed(password: str) -> list[str]:
    return [rule for rule, ok, _ in password_feedback(password) if not ok]


def test_rules_in_display_order_with_messages() -> None:
    feedback = password_feedback("Abcdef1!")
    assert [rule for rule, _, _ in feedback] == ["length", "latin_only", "upper", "lower", "digit", "special"]
    assert all(ok for _, ok, _ in feedback) and password_ok("Abcdef1!")
    assert all(msgid for _, _, msgid in feedback)


@pytest.mark.parametrize(
    ("password", "broken"),
    [
        ("", ["length", "upper", "lower", "digit", "special"]),
        ("abcdefg1!", ["upper"]),
        ("ABCDEFG1!", ["lower"]),
        ("Abcdefgh!", ["digit"]),
        ("Abcdefgh1", ["special"]),
        ("Abcdef 1!", ["latin_only"]),
        ("密码Abcdef1!", ["latin_only"]),
        ("Abcdef1", ["length", "special"]),
    ],
)
def test_each_rule(password: str, broken: list[str]) -> None:
    assert failed(password) == broken
    assert not password_ok(password)


@pytest.mark.parametrize("password", PASSWORDS)
def test_feedback_matches_the_server_rules_exactly(password: str) -> None:
    passwords = pytest.importorskip("server.services.passwords")
    assert failed(password) == passwords.password_problems(password)


def test_normalise_key_accepts_what_people_paste() -> None:
    assert normalise_key("  lp-abcd efgh ") == "LP-ABCDEFGH"
    assert normalise_key("ＬＰ－ＡＢＣＤ") == "LP-ABCD"  # full-width from a Chinese input method
    assert normalise_key("LP\u2013ABCD") == "LP-ABCD"  # an en dash from a word processor


class TestSerial:
    def test_complete_serial(self) -> None:
        check = serial_format_ok("kjh-abcd-efgh-2345")
        assert check.ok and bool(check) and check.normalised == "KJH-ABCD-EFGH-2345" and check.reason is None

    def test_a_generated_serial_passes(self) -> None:
        keys = pytest.importorskip("server.services.keys")
        for prefix in ("LP", "KJH", "E_KJ"):
            assert serial_format_ok(keys.new_serial(prefix)).ok

    @pytest.mark.parametrize("typed", ["L", "LP", "LP-", "LP-AB", "LP-ABCD-", "LP-ABCD-EFGH-23"])
    def test_partial_input_is_a_hint_not_an_error(self, typed: str) -> None:
        check = serial_format_ok(typed)
        assert not check.ok and check.partial and check.reason == MSG_SERIAL_INCOMPLETE

    def test_empty_input_says_nothing(self) -> None:
        check = serial_format_ok("   ")
        assert not check.ok and check.partial and check.reason is None

    @pytest.mark.parametrize(
        ("typed", "reason"),
        [
            ("LP-ABCD-EFGH-2345-6789", MSG_SERIAL_TOO_LONG),
            ("LP-ABCDE", MSG_SERIAL_SHAPE),
            ("LP-AB-CDEF-GHJK", MSG_SERIAL_SHAPE),
            ("-ABCD-EFGH-2345", MSG_SERIAL_SHAPE),
            ("TOOLONGPREFIX-ABCD", MSG_SERIAL_SHAPE),
            ("LP-AB/D", MSG_KEY_CHARACTERS),
            ("LP-ABCD-EFGH-234O", MSG_KEY_CONFUSABLE),
        ],
    )
    def test_invalid_input_says_why(self, typed: str, reason: str) -> None:
        check = serial_format_ok(typed)
        assert not check.ok and not check.partial and check.reason == reason

    def test_confusable_character_is_named(self) -> None:
        assert serial_format_ok("LP-ABC1").fmt == {"char": "1"}


class TestCdkey:
    KEY = "ABCDE-FGHJK-MNPQR-STUVW-XYZ23"

    def test_complete_cdkey_with_or_without_dashes(self) -> None:
        assert cdkey_format_ok(self.KEY.lower()).normalised == self.KEY
        check = cdkey_format_ok(self.KEY.replace("-", ""))
        assert check.ok and check.normalised == self.KEY  # the server hashes the dashed form

    def test_a_generated_cdkey_passes(self) -> None:
        keys = pytest.importorskip("server.services.keys")
        key = keys.new_cdkey()
        assert cdkey_format_ok(key).normalised == key

    @pytest.mark.parametrize(("typed", "count"), [("A", 1), ("ABCDE-", 5), ("ABCDE-FGHJK-MN", 12)])
    def test_partial_input_counts_characters(self, typed: str, count: int) -> None:
        check = cdkey_format_ok(typed)
        assert check.partial and not check.ok
        assert (check.reason, check.fmt) == (MSG_CDKEY_INCOMPLETE, {"count": count})

    @pytest.mark.parametrize(
        ("typed", "reason"),
        [
            (KEY + "4", MSG_CDKEY_TOO_LONG),
            ("ABCD-EFGHJ", MSG_CDKEY_GROUPS),
            ("ABCDE-FGHJKM", MSG_CDKEY_GROUPS),
            ("ABCDE-FGHJ0", MSG_KEY_CONFUSABLE),
            ("ABCDE_FGHJK", MSG_KEY_CHARACTERS),
        ],
    )
    def test_invalid_input_says_why(self, typed: str, reason: str) -> None:
        check = cdkey_format_ok(typed)
        assert not check.ok and not check.partial and check.reason == reason


@pytest.mark.parametrize(
    ("login", "masked"),
    [
        ("13800000001", "138****0001"),
        ("alice@example.com", "a***@example.com"),
        ("@x.com", "****@x.com"),
        ("bob", "b***b"),
        ("ab", "***"),
    ],
)
def test_mask_login(login: str, masked: str) -> None:
    assert mask_login(login) == masked


def test_masks_never_show_the_secret_parts() -> None:
    assert mask_serial("KJH-ABCD-EFGH-7F3A") == "KJH-****-****-7F3A"
    masked = mask_cdkey("ABCDE-FGHJK-MNPQR-STUVW-XYZ23")
    assert masked == "*****-*****-*****-*****-XYZ23" and "ABCDE" not in masked
    assert mask_cdkey("ABCDEFGHJK") == "*****"
