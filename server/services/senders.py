"""Pluggable delivery of verification codes (SMS or e-mail in production; log + outbox by default)."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from server.models import OutboxMessage

log = logging.getLogger(__name__)

_SUBJECTS = {"register": "Registration code", "password_reset": "Password reset code"}
_CODE_IN_BODY = re.compile(r"Your verification code is (\w+)\.")


def channel_for(login: str) -> str:
    return "email" if "@" in login else "sms"


class CodeSender(Protocol):
    """Delivers a verification code to the person behind ``login``."""

    def send_code(
        self, session: Session, *, login: str, purpose: str, code: str, now: datetime, expires_at: datetime
    ) -> None: ...


class OutboxSender:
    """The default sender: the code goes to the server log and the outbox table, where the demo shows it.

    A real deployment plugs in an SMS or mail gateway instead (``app.state.code_sender``). Verification codes
    are the one secret logged on purpose: without a gateway the operator needs some way to read them.
    """

    def send_code(
        self, session: Session, *, login: str, purpose: str, code: str, now: datetime, expires_at: datetime
    ) -> None:
        channel = channel_for(login)
        session.add(
            OutboxMessage(
                channel=channel,
                recipient=login,
                subject=_SUBJECTS.get(purpose, "Verification code"),
                body=f"Your verification code is {code}. It is valid until {expires_at:%Y-%m-%d %H:%M} UTC.",
                created_at=now,
            )
        )
        log.info("verification code for %s (%s, %s): %s", login, purpose, channel, code)


def code_purpose(subject: str) -> str | None:
    """Which verification code (register, password_reset) an outbox message is, or None for other messages."""
    return next((purpose for purpose, known in _SUBJECTS.items() if known == subject), None)


def code_in(body: str) -> str | None:
    """The verification code an outbox message carries (the demo shows it), or None for other messages."""
    found = _CODE_IN_BODY.search(body)
    return found.group(1) if found else None
