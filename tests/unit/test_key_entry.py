"""Serial + CDkey typed or pasted into the serial field, as the card prints them (app/domain/key_entry.py)."""

from __future__ import annotations

import pytest

from app.domain.key_entry import KeyEntry, split_key_entry

SERIAL = "KJH-ABCD-EFGH-JKMN"
CDKEY = "ABCDE-FGHJK-MNPQR-STUVW-XYZ23"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (SERIAL + " ", KeyEntry(SERIAL, "")),  # the separator alone: the CDkey comes next
        (SERIAL + " A", KeyEntry(SERIAL, "A")),
        (f"{SERIAL} {CDKEY}", KeyEntry(SERIAL, CDKEY)),
        (f"  {SERIAL}\t\t{CDKEY}\n", KeyEntry(SERIAL, CDKEY)),  # pasted with tabs and a trailing line break
        (f"{SERIAL}\r\n{CDKEY}", KeyEntry(SERIAL, CDKEY)),  # on two lines
        (f"{SERIAL}\u3000{CDKEY.lower()}", KeyEntry(SERIAL, CDKEY)),  # full-width space of a Chinese IME
        (f"{SERIAL} ABCDE FGHJK MNPQR STUVW XYZ23", KeyEntry(SERIAL, "ABCDEFGHJKMNPQRSTUVWXYZ23")),
    ],
)
def test_a_complete_serial_followed_by_white_space_splits(typed: str, expected: KeyEntry) -> None:
    entry = split_key_entry(typed)
    assert entry == expected
    assert entry.moves_on


@pytest.mark.parametrize(
    "typed", [SERIAL, "KJH-ABCD ", "KJH-ABCD EFGH", "KJH ABCD-EFGH-JKMN", "", "   ", "KJH-ABCD-EFGH-JKM "]
)
def test_a_space_inside_an_unfinished_serial_stays_in_the_serial_field(typed: str) -> None:
    entry = split_key_entry(typed)
    assert entry.cdkey is None
    assert not entry.moves_on
    assert entry.serial == typed


def test_the_serial_keeps_what_was_typed_when_it_splits() -> None:
    # Upper-casing and the dash look-alikes are the checks' business; the field shows the serial as typed.
    assert split_key_entry("kjh-abcd-efgh-jkmn x").serial == "kjh-abcd-efgh-jkmn"
