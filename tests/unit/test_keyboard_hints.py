"""What a password field infers about Caps Lock and a Persian layout from the letters typed."""

from __future__ import annotations

from app.domain.keyboard_hints import (
    CAPS_LOCK_ON,
    PERSIAN_LAYOUT,
    KeyboardHints,
    caps_lock_from_letter,
    is_persian_letter,
    locale_is_persian_layout,
)


def test_caps_lock_inverts_shift_for_letters_only():
    assert caps_lock_from_letter("A", shift=False) is True
    assert caps_lock_from_letter("a", shift=True) is True
    assert caps_lock_from_letter("a", shift=False) is False
    assert caps_lock_from_letter("A", shift=True) is False
    assert caps_lock_from_letter("1", shift=False) is None
    assert caps_lock_from_letter("ش", shift=False) is None  # no case: says nothing
    assert caps_lock_from_letter("", shift=False) is None


def test_persian_letters_and_locales():
    assert all(is_persian_letter(c) for c in "شپچگژ")
    assert not any(is_persian_letter(c) for c in "aZ1۱ ")  # a Persian digit is no letter
    assert locale_is_persian_layout("fa_IR") and locale_is_persian_layout("fa-IR") and locale_is_persian_layout("ar")
    assert not locale_is_persian_layout("en_US") and not locale_is_persian_layout(None)


def test_hints_follow_what_is_typed():
    hints = KeyboardHints()
    assert hints.warnings() == ()
    hints = hints.after_text("Q", shift=False)
    assert hints.warnings() == (CAPS_LOCK_ON,)
    hints = hints.after_caps_lock_key()
    assert hints.warnings() == ()
    assert KeyboardHints().after_caps_lock_key().caps_lock is None  # unknown stays unknown
    hints = hints.after_text("ش", shift=False)
    assert hints.warnings() == (PERSIAN_LAYOUT,)
    assert hints.after_text("s", shift=False).warnings() == ()


def test_the_input_locale_counts_until_a_letter_is_typed_and_the_system_answer_wins():
    hints = KeyboardHints().with_locale("fa_IR")
    assert hints.warnings() == (PERSIAN_LAYOUT,)
    assert hints.after_text("1", shift=False).warnings() == (PERSIAN_LAYOUT,)
    assert hints.after_text("k", shift=False).warnings() == ()
    assert KeyboardHints().with_caps_lock(True).warnings() == (CAPS_LOCK_ON,)
    assert KeyboardHints(caps_lock=True).with_caps_lock(None).warnings() == (CAPS_LOCK_ON,)
