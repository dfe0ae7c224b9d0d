"""Service endpoints: health, public keys, announcements."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import or_, select

from server.deps import ClockDep, ContextDep, SessionDep
from server.models import Announcement

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


@router.get("/healthz", response_model=Health, tags=["service"])
def healthz(clock: ClockDep) -> Any:
    return {"status": "ok", "time": clock.now().isoformat()}


@router.get("/api/v1/keys", response_model=KeysOut, tags=["service"])
def keys(ctx: ContextDep) -> Any:
    return {"keys": ctx.keys.public_keys()}


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
