"""Account endpoints: verification codes, register, login, refresh, logout, password reset."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from server.deps import AccountDep, ClientIpDep, ClockDep, ContextDep, SessionDep
from server.schemas.auth import (
    CodeSent,
    LoginRequest,
    LogoutRequest,
    PasswordResetRequest,
    RefreshRequest,
    RegisterOut,
    RegisterRequest,
    TokensOut,
    VerificationCodeRequest,
)
from server.services import auth
from server.services.senders import CodeSender, OutboxSender

router = APIRouter(prefix="/auth", tags=["auth"])


def get_code_sender(request: Request) -> CodeSender:
    """The sender set as ``app.state.code_sender`` (an SMS or mail gateway), else log + outbox."""
    sender: CodeSender | None = getattr(request.app.state, "code_sender", None)
    return sender if sender is not None else OutboxSender()


def bearer_token(request: Request) -> str:
    # Only used behind AccountDep, which has already checked the header.
    return request.headers.get("authorization", "").partition(" ")[2].strip()


SenderDep = Annotated[CodeSender, Depends(get_code_sender)]
BearerDep = Annotated[str, Depends(bearer_token)]


def _tokens_out(issued: auth.IssuedTokens) -> dict[str, Any]:
    return {
        "access_token": issued.access_token,
        "refresh_token": issued.refresh_token,
        "expires_in": issued.expires_in,
        "token_type": "bearer",
        "account": auth.account_out(issued.account),
    }


@router.post("/verification-codes", status_code=202, response_model=CodeSent)
def request_verification_code(
    body: VerificationCodeRequest,
    session: SessionDep,
    clock: ClockDep,
    ctx: ContextDep,
    ip: ClientIpDep,
    sender: SenderDep,
) -> Any:
    ttl_s = ctx.settings.verification_code_ttl_s
    auth.request_code(
        session, login=body.login, purpose=body.purpose, client_ip=ip, now=clock.now(), ttl_s=ttl_s, sender=sender
    )
    return {"sent": True, "expires_in": ttl_s}


@router.post("/register", status_code=201, response_model=RegisterOut)
def register(body: RegisterRequest, session: SessionDep, clock: ClockDep) -> Any:
    account = auth.register(
        session,
        login=body.login,
        password=body.password,
        code=body.code,
        display_name=body.display_name,
        now=clock.now(),
    )
    return {"account": auth.account_out(account)}


@router.post("/login", response_model=TokensOut)
def login(body: LoginRequest, session: SessionDep, clock: ClockDep, ctx: ContextDep, ip: ClientIpDep) -> Any:
    issued = auth.login(
        session, login=body.login, password=body.password, client_ip=ip, now=clock.now(), settings=ctx.settings
    )
    return _tokens_out(issued)


@router.post("/refresh", response_model=TokensOut)
def refresh(body: RefreshRequest, session: SessionDep, clock: ClockDep, ctx: ContextDep) -> Any:
    issued = auth.rotate_refresh_token(
        session, refresh_token=body.refresh_token, now=clock.now(), settings=ctx.settings
    )
    return _tokens_out(issued)


@router.post("/logout", status_code=204, response_class=Response)
def logout(
    account: AccountDep,
    token: BearerDep,
    session: SessionDep,
    clock: ClockDep,
    body: LogoutRequest | None = None,
) -> Response:
    refresh_token = body.refresh_token if body is not None else None
    auth.logout(session, account=account, access_token=token, refresh_token=refresh_token, now=clock.now())
    return Response(status_code=204)


@router.post("/password-reset", status_code=204, response_class=Response)
def password_reset(body: PasswordResetRequest, session: SessionDep, clock: ClockDep) -> Response:
    auth.reset_password(session, login=body.login, code=body.code, new_password=body.new_password, now=clock.now())
    return Response(status_code=204)
