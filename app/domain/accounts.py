"""Accounts and organisations as the server answers them (``/auth``, ``/me``, ``/orgs``, the demo outbox).

Parsed once by LicenceService; widgets read the attributes. Each ``from_json`` is tolerant of fields a newer
server adds and strict on the ones the client reads (``ResponseFormatError`` names the missing or wrong field).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from licence_protocol.document import Certification

from app.domain.wire import JsonReader, ResponseFormatError

SERVICE_ACCOUNTANT = "service_accountant"  # the role that may renew many customers' licences at once

__all__ = ["SERVICE_ACCOUNTANT", "Account", "Certification", "Organisation", "OutboxMessage", "Profile"]

NO_CERTIFICATION = Certification("none", None)


@dataclass(frozen=True)
class Account:
    """A cloud account: who is signed in."""

    id: int
    login: str
    display_name: str = ""
    role: str = "customer"  # customer | service_accountant

    @property
    def is_service_accountant(self) -> bool:
        return self.role == SERVICE_ACCOUNTANT

    @classmethod
    def from_json(cls, data: Any, where: str = "account") -> Account:
        return cls.read(JsonReader(data, where))

    @classmethod
    def read(cls, r: JsonReader) -> Account:
        return cls(
            id=r.integer("id"),
            login=r.text("login"),
            display_name=r.text_or_empty("display_name"),
            role=r.optional_text("role", "customer") or "customer",
        )


def read_certification(r: JsonReader | None) -> Certification:
    """企业认证 of an organisation; an answer without one means none was asked for."""
    if r is None:
        return NO_CERTIFICATION
    return Certification(r.text("status"), r.optional_moment("deadline"))


@dataclass(frozen=True)
class Organisation:
    """An organisation (company) of the account; a licence is activated for exactly one."""

    id: int
    name: str
    tax_id: str = ""
    certification: Certification = NO_CERTIFICATION
    market: str = "CN"  # CN, VN or IR: its tax id's rule; a server older than markets sends none (CN)

    @classmethod
    def from_json(cls, data: Any, where: str = "organisation") -> Organisation:
        return cls.read(JsonReader(data, where))

    @classmethod
    def read(cls, r: JsonReader) -> Organisation:
        return cls(
            id=r.integer("id"),
            name=r.text("name"),
            tax_id=r.text_or_empty("tax_id"),
            certification=read_certification(r.optional_child("certification")),
            market=r.text_or_empty("market") or "CN",
        )


@dataclass(frozen=True)
class Profile:
    """``GET /me``: the signed-in account and its organisations."""

    account: Account
    organisations: tuple[Organisation, ...]

    @classmethod
    def from_json(cls, data: Any, where: str = "me") -> Profile:
        r = JsonReader(data, where)
        return cls(
            account=Account.read(r.child("account")),
            organisations=tuple(Organisation.read(o) for o in r.required_items("organisations")),
        )


@dataclass(frozen=True)
class OutboxMessage:
    """A message the demo server "sent" (it has no SMS or mail gateway): a verification code or a notice."""

    id: int
    code: str | None  # the verification code in the body, when the message carries one
    purpose: str | None  # register | password_reset for a code; None for other messages
    recipient: str = ""
    subject: str = ""
    body: str = ""
    created_at: datetime | None = None

    @classmethod
    def from_json(cls, data: Any, where: str = "message") -> OutboxMessage:
        return cls.read(JsonReader(data, where))

    @classmethod
    def read(cls, r: JsonReader) -> OutboxMessage:
        return cls(
            id=r.integer("id"),
            code=r.optional_text("code"),
            purpose=r.optional_text("purpose"),
            recipient=r.text_or_empty("recipient"),
            subject=r.text_or_empty("subject"),
            body=r.text_or_empty("body"),
            created_at=r.optional_moment("created_at"),
        )

    @staticmethod
    def list_from_json(data: Any) -> tuple[OutboxMessage, ...]:
        """``GET /api/v1/demo/outbox``: newest first."""
        return tuple(OutboxMessage.read(m) for m in JsonReader(data, "outbox").required_items("messages"))


def newest_code(messages: tuple[OutboxMessage, ...], purpose: str) -> str | None:
    """The newest verification code of ``purpose`` among ``messages`` (newest first), else None."""
    return next((m.code for m in messages if m.purpose == purpose and m.code), None)


def organisations_to_choose(details: Mapping[str, Any]) -> tuple[Organisation, ...]:
    """ORG_REQUIRED's ``organisations`` (id and name each): the ones a request may be sent for.

    From an error's details, so an entry of another shape is skipped rather than failing the error's display."""
    items = details.get("organisations")
    out: list[Organisation] = []
    for item in items if isinstance(items, list) else []:
        try:
            out.append(Organisation.from_json(item))
        except ResponseFormatError:
            continue
    return tuple(out)
