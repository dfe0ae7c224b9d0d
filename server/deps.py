"""Typed FastAPI dependencies: the context, a DB session per request, the clock, the caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from server.clock import Clock
from server.context import ServerContext
from server.db import session_scope
from server.errors import unauthorized
from server.languages import negotiate
from server.models import Account, AuthToken
from server.schemas.common import Id
from server.services.activation import Caller
from server.services.auth import hash_token, in_force


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
    return client_ip_of(request)


def client_ip_of(request: Request) -> str:
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


async def request_language(request: Request) -> str:
    """The language of the request's ``Accept-Language`` (zh_CN, en, vi, fa); Chinese when it names none."""
    return negotiate(request.headers.get("accept-language"))


# Declares the bearer scheme in the OpenAPI document for every operation behind AccountDep. It never
# refuses a request itself (auto_error=False): current_account answers 401 UNAUTHORIZED in our error shape.
bearer_scheme = HTTPBearer(scheme_name="bearer", auto_error=False, description="access token from /auth/login")


def _access_token(request: Request) -> str:
    """The bearer token the request carries, else 401 (no database needed to tell)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise unauthorized()
    return token.strip()


def _check_token(token: AuthToken, clock: Clock) -> None:
    if not in_force(token, clock.now()):
        raise unauthorized("access token invalid or expired")


def current_account(
    request: Request,
    session: Annotated[Session, Depends(get_session, scope="function")],
    clock: Annotated[Clock, Depends(get_clock)],
    _documented: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Account:
    return current_account_of(session, _access_token(request), clock)


def current_account_of(session: Session, token: str, clock: Clock) -> Account:
    token_hash = hash_token(token)
    # The token and its account in one round trip.
    found = session.execute(
        select(AuthToken, Account)
        .join(Account, Account.id == AuthToken.account_id)
        .where(AuthToken.token_hash == token_hash, AuthToken.kind == "access")
    ).first()
    if found is None:
        raise unauthorized("access token invalid or expired")
    _check_token(found[0], clock)
    return found[1]


_LICENCE_ID_IN_PATH: TypeAdapter[int] = TypeAdapter(Id)


async def bearer_token(
    request: Request,
    _documented: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> str:
    """The request's access token, for a handler that checks it in the same query as the licence in its path
    (validate). Answers stay as elsewhere: 401 before a malformed ``licence_id`` is reported (422), and that
    before a foreign licence (404) — so for a malformed id the token is checked here."""
    token = _access_token(request)
    try:
        _LICENCE_ID_IN_PATH.validate_python(request.path_params.get("licence_id"))
    except ValidationError:
        ctx: ServerContext = request.app.state.ctx
        await run_in_threadpool(_account_of, ctx, token)
    return token


def _account_of(ctx: ServerContext, token: str) -> None:
    with session_scope(ctx.read_sessions) as session:
        current_account_of(session, token, ctx.clock)


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
LanguageDep = Annotated[str, Depends(request_language)]
CallerDep = Annotated[Caller, Depends(current_caller)]
BearerTokenDep = Annotated[str, Depends(bearer_token)]
