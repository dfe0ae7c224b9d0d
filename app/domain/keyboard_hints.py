"""What a password field warns about while the user types: Caps Lock, and a Persian keyboard layout.

Passwords are Latin only (app/domain/rules.py), and a password typed blind is wrong in ways the user cannot see:
upper case from a forgotten Caps Lock, or Persian letters from the layout a Persian user writes everything else in.
Qt has no portable Caps Lock query, so besides an OS answer (Windows) the state is inferred from the letters typed:
a letter that arrives upper case without Shift (or lower case with Shift) means Caps Lock is on. A Persian letter
typed is a sure sign of the layout; the input method's locale is a hint before anything is typed.

Pure Python, no Qt; texts are English msgids for ``tr``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.domain.msgids import N_

CAPS_LOCK_ON = N_("Caps Lock is on.")
PERSIAN_LAYOUT = N_(
    "The keyboard is set to Persian. Passwords are typed in Latin letters: switch the keyboard layout (for "
    "example with Alt+Shift or Win+Space)."
)

# Languages written in the Arabic script: a keyboard layout for any of them types no Latin letter.
_ARABIC_SCRIPT_LANGUAGES = frozenset({"fa", "ar", "ur", "ps", "ku", "ckb", "sd", "ug"})
# Unicode blocks of the Arabic script (Persian letters included): Arabic, Supplement, Extended-A, Presentation Forms.
_ARABIC_SCRIPT_RANGES = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def is_persian_letter(char: str) -> bool:
    """A letter of the Arabic script (Persian letters such as ش پ چ گ included)."""
    return len(char) == 1 and char.isalpha() and any(lo <= ord(char) <= hi for lo, hi in _ARABIC_SCRIPT_RANGES)


def locale_is_persian_layout(locale_name: str | None) -> bool:
    """``fa_IR`` (or any Arabic-script language) as the input locale: the keyboard types no Latin letters."""
    if not locale_name:
        return False
    return locale_name.replace("-", "_").split("_")[0].lower() in _ARABIC_SCRIPT_LANGUAGES


def caps_lock_from_letter(text: str, shift: bool) -> bool | None:
    """What one typed character says about Caps Lock; None when it says nothing (digits, symbols, no case).

    Caps Lock inverts Shift for letters: upper case without Shift, or lower case with it, means it is on."""
    if len(text) != 1 or not text.isalpha() or text.upper() == text.lower():
        return None
    return text.isupper() != shift


@dataclass(frozen=True)
class KeyboardHints:
    """What is known about the keyboard while a password field has focus.

    ``caps_lock`` None: not known yet (nothing typed, no OS answer). ``typed_persian`` None: no letter typed yet,
    so the input locale decides."""

    caps_lock: bool | None = None
    typed_persian: bool | None = None
    locale_persian: bool = False

    def after_text(self, text: str, shift: bool) -> KeyboardHints:
        """After a key press that produced ``text`` (Shift held or not)."""
        hints = self
        letter = text[-1:] if text else ""
        if letter.isalpha():
            hints = replace(hints, typed_persian=is_persian_letter(letter))
        caps = caps_lock_from_letter(letter, shift)
        if caps is not None:
            hints = replace(hints, caps_lock=caps)
        return hints

    def after_caps_lock_key(self) -> KeyboardHints:
        """The Caps Lock key itself was pressed: a known state flips, an unknown one stays unknown."""
        return self if self.caps_lock is None else replace(self, caps_lock=not self.caps_lock)

    def with_caps_lock(self, on: bool | None) -> KeyboardHints:
        """The operating system's answer (Windows), when there is one: it beats any inference."""
        return self if on is None else replace(self, caps_lock=on)

    def with_locale(self, locale_name: str | None) -> KeyboardHints:
        return replace(self, locale_persian=locale_is_persian_layout(locale_name))

    @property
    def persian_layout(self) -> bool:
        """A typed letter is a sure sign either way; before any, the input locale says."""
        return self.typed_persian if self.typed_persian is not None else self.locale_persian

    def warnings(self) -> tuple[str, ...]:
        """The msgids to show under the field, most likely mistake first."""
        found = []
        if self.persian_layout:
            found.append(PERSIAN_LAYOUT)
        if self.caps_lock:
            found.append(CAPS_LOCK_ON)
        return tuple(found)
