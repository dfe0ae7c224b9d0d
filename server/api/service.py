"""Service endpoints: health, public keys, announcements, support contacts, and the demo's outbox."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import or_, select

from server.deps import ClockDep, ContextDep, SessionDep
from server.errors import not_found
from server.models import Announcement, OutboxMessage
from server.services import support
from server.services.senders import code_in, code_purpose

OUTBOX_LIMIT = 10

router = APIRouter()


class Health(BaseModel):
    status: str
    time: str


class PublicKey(BaseModel):
    kid: str
    alg: str
    public_key: str
    active: bool


class KeysOut(BaseModel):
    keys: list[PublicKey]


class AnnouncementOut(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    starts_at: str
    ends_at: str | None


class AnnouncementsOut(BaseModel):
    announcements: list[AnnouncementOut]


class SupportHours(BaseModel):
    days: str  # mon-fri | mon-sat | sat-wed | every-day
    opens: str  # HH:MM in ``timezone``
    closes: str
    timezone: str


class SupportOut(BaseModel):
    market: str
    team: str
    phone: str
    email: str
    qq_group: str | None
    chat: str | None
    hours: SupportHours
    help_url: str | None
    download_url: str | None
    purchase_url: str | None  # the vendor's page selling the paid editions (upgrading a free licence)


@router.get("/healthz", response_model=Health, tags=["service"])
async def healthz(clock: ClockDep) -> Any:  # async: answers without waiting for a worker thread
    return {"status": "ok", "time": clock.now().isoformat()}


@router.get("/api/v1/keys", response_model=KeysOut, tags=["service"])
def keys(ctx: ContextDep) -> Any:
    return {"keys": ctx.keys.public_keys()}


@router.get("/api/v1/support", response_model=SupportOut, tags=["service"])
def support_contacts(
    session: SessionDep,
    market: Annotated[str, Query(pattern="^[A-Za-z]{2}$", description="CN, VN or IR")] = "CN",
) -> Any:
    """联系客服: the customer service of one market. Public: a person who cannot sign in needs it most."""
    return support.contacts_for(session, market)


@router.get("/api/v1/announcements", response_model=AnnouncementsOut, tags=["service"])
def announcements(session: SessionDep, clock: ClockDep) -> Any:
    now = clock.now()
    rows = session.scalars(
        select(Announcement)
        .where(or_(Announcement.ends_at.is_(None), Announcement.ends_at > now))
        .order_by(Announcement.starts_at)
    ).all()
    return {
        "announcements": [
            {
                "id": a.id,
                "kind": a.kind,
                "title": a.title,
                "body": a.body,
                "starts_at": a.starts_at.isoformat(),
                "ends_at": a.ends_at.isoformat() if a.ends_at else None,
            }
            for a in rows
        ]
    }


class OutboxMessageOut(BaseModel):
    id: int
    channel: str
    recipient: str
    subject: str
    body: str
    code: str | None  # the verification code in the body, when the message carries one
    purpose: str | None  # register | password_reset for a code, None for other messages (order notices)
    created_at: str


class OutboxOut(BaseModel):
    messages: list[OutboxMessageOut]


@router.get("/api/v1/demo/outbox", response_model=OutboxOut, tags=["service"])
def demo_outbox(
    session: SessionDep,
    ctx: ContextDep,
    recipient: Annotated[str, Query(min_length=1, max_length=200)],
) -> Any:
    """The newest messages to one recipient, newest first: the demo has no SMS or mail gateway to deliver them.

    Only on a demo server (``LP_DEMO``); any other server answers 404 NOT_FOUND, as for an unknown route."""
    if not ctx.settings.demo:
        raise not_found()  # a real server answers as if the route did not exist
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == recipient.strip())
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(OUTBOX_LIMIT)
    ).all()
    return {
        "messages": [
            {
                "id": m.id,
                "channel": m.channel,
                "recipient": m.recipient,
                "subject": m.subject,
                "body": m.body,
                "code": code_in(m.body),
                "purpose": code_purpose(m.subject),
                "created_at": m.created_at.isoformat(),
            }
            for m in rows
        ]
    }
