"""Typed FastAPI dependencies: the context, a DB session per request, the clock, the caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from licence_protocol.errors import ErrorCode
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.clock import Clock
from server.context import ServerContext
from server.db import session_scope
from server.errors import ApiError
from server.models import Account, AuthToken
from server.services.activation import Caller
from server.services.auth import hash_token


# Dependencies that do no I/O are ``async def``: FastAPI runs a sync one on a worker thread, a hop each.
async def get_context(request: Request) -> ServerContext:
    ctx: ServerContext = request.app.state.ctx
    return ctx


def get_session(request: Request, ctx: Annotated[ServerContext, Depends(get_context)]) -> Iterator[Session]:
    # A GET only reads: on SQLite its session never takes the write lock, so reads never queue behind writes.
    factory = ctx.read_sessions if request.method in ("GET", "HEAD") else ctx.sessions
    with session_scope(factory) as session:
        yield session


async def get_clock(ctx: Annotated[ServerContext, Depends(get_context)]) -> Clock:
    return ctx.clock


async def client_ip(request: Request) -> str:
    """The public IP as this server sees it (loopback in the demo)."""
    ctx: ServerContext = request.app.state.ctx
    if ctx.settings.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return (request.client.host if request.client else "unknown")[:64]


async def public_base_url(request: Request) -> str:
    """Where a browser reaches this server (the pay page): the configured public URL, else this request's."""
    ctx: ServerContext = request.app.state.ctx
    return ctx.settings.public_base_url or str(request.base_url)


def _unauthorized(message: str = "sign-in required") -> ApiError:
    return ApiError(ErrorCode.UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"})


# Declares the bearer scheme in the OpenAPI document for every operation behind AccountDep. It never
# refuses a request itself (auto_error=False): current_account answers 401 UNAUTHORIZED in our error shape.
bearer_scheme = HTTPBearer(scheme_name="bearer", auto_error=False, description="access token from /auth/login")


def current_account(
    request: Request,
    session: Annotated[Session, Depends(get_session, scope="function")],
    clock: Annotated[Clock, Depends(get_clock)],
    _documented: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Account:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise _unauthorized()
    # The token and its account in one round trip.
    found = session.execute(
        select(AuthToken, Account)
        .join(Account, Account.id == AuthToken.account_id)
        .where(AuthToken.token_hash == hash_token(token.strip()), AuthToken.kind == "access")
    ).first()
    if found is None:
        raise _unauthorized("access token invalid or expired")
    row, account = found
    if row.revoked_at is not None or row.expires_at <= clock.now():
        raise _unauthorized("access token invalid or expired")
    return account


async def current_caller(
    account: Annotated[Account, Depends(current_account)], ip: Annotated[str, Depends(client_ip)]
) -> Caller:
    return Caller(account, ip)


# scope="function": commit before the response is sent, so a client's next request sees the write.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ClockDep = Annotated[Clock, Depends(get_clock)]
ContextDep = Annotated[ServerContext, Depends(get_context)]
AccountDep = Annotated[Account, Depends(current_account)]
ClientIpDep = Annotated[str, Depends(client_ip)]
PublicUrlDep = Annotated[str, Depends(public_base_url)]
CallerDep = Annotated[Caller, Depends(current_caller)]
