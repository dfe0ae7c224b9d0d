"""Accounts and sign-in: verification codes, registration, login with lockout, refresh rotation, password reset.

Some failures must be remembered although the request fails (a wrong password, a wrong code, a counted
attempt), while the request's session is rolled back on any error; those paths commit before raising.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn, Protocol

from licence_protocol.errors import ErrorCode
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.config import Settings
from server.db import rows_updated
from server.errors import ApiError, unauthorized
from server.models import Account, AuthToken, RateEvent, VerificationCode
from server.services.admin import create_account
from server.services.passwords import DUMMY_HASH, check_password_rules, hash_password, verify_password
from server.services.senders import CodeSender

log = logging.getLogger(__name__)

CODE_DIGITS = 6
MAX_CODE_ATTEMPTS = 5  # wrong tries before a code is burnt: 5 in 10**6 is no guessing chance
RESEND_INTERVAL = timedelta(seconds=60)  # codes arrive within 5 s–5 min; one resend a minute is plenty
CODE_SENDS_PER_HOUR = 5  # per login and purpose: nobody gets SMS-bombed
CODE_SENDS_PER_IP_PER_HOUR = 20
LOGIN_ATTEMPTS_PER_IP = 30  # an office behind one NAT signs in often; a guessing script does far more
LOGIN_IP_WINDOW = timedelta(minutes=10)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    account: Account


class TokenTimes(Protocol):
    """What decides whether a stored token still holds (an ``AuthToken``, or a row read with one)."""

    @property
    def revoked_at(self) -> datetime | None: ...
    @property
    def expires_at(self) -> datetime: ...


def in_force(token: TokenTimes, now: datetime) -> bool:
    """Neither revoked nor expired at ``now``."""
    return token.revoked_at is None and now < token.expires_at


def hash_token(token: str) -> str:
    """What is stored of a bearer token: its SHA-256 (tokens are random, so no salt or slow hash is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def account_out(account: Account) -> dict[str, Any]:
    return {"id": account.id, "login": account.login, "display_name": account.display_name, "role": account.role}


# --- errors -----------------------------------------------------------------------------------------------------


def _retry_seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def rate_limited(retry_after: timedelta) -> ApiError:
    seconds = _retry_seconds(retry_after)
    return ApiError(
        ErrorCode.RATE_LIMITED,
        "too many requests; try again later",
        {"retry_after": seconds},
        headers={"Retry-After": str(seconds)},
    )


def _invalid_credentials(attempts_left: int) -> ApiError:
    return ApiError(ErrorCode.INVALID_CREDENTIALS, "login or password is wrong", {"attempts_left": attempts_left})


def _locked(unlock_at: datetime, now: datetime) -> ApiError:
    seconds = _retry_seconds(unlock_at - now)
    return ApiError(
        ErrorCode.ACCOUNT_LOCKED,
        "too many wrong passwords; this login is locked for a while",
        {"unlock_at": unlock_at.isoformat(), "retry_after": seconds},
        headers={"Retry-After": str(seconds)},
    )


def _code_invalid(**details: Any) -> ApiError:
    return ApiError(ErrorCode.CODE_INVALID, "the verification code is wrong or no longer valid", details)


# --- counted events (RateEvent) ---------------------------------------------------------------------------------


def _prune(session: Session, key: str, before: datetime) -> None:
    session.execute(delete(RateEvent).where(RateEvent.key == key, RateEvent.at <= before))


def _events_since(session: Session, key: str, since: datetime) -> Sequence[datetime]:
    return session.scalars(
        select(RateEvent.at).where(RateEvent.key == key, RateEvent.at > since).order_by(RateEvent.at)
    ).all()


def _check_rate(session: Session, *, key: str, limit: int, window: timedelta, now: datetime) -> None:
    """RATE_LIMITED when ``limit`` events already happened within ``window``; Retry-After says when one expires."""
    times = _events_since(session, key, now - window)
    if len(times) >= limit:
        raise rate_limited(times[len(times) - limit] + window - now)


# --- verification codes -----------------------------------------------------------------------------------------


def _code_digest(salt: str, login: str, purpose: str, code: str) -> str:
    return hashlib.sha256(f"code/v1:{salt}:{purpose}:{login}:{code}".encode()).hexdigest()


def _hash_code(login: str, purpose: str, code: str) -> str:
    salt = secrets.token_hex(8)
    return f"{salt}${_code_digest(salt, login, purpose, code)}"


def _code_matches(stored: str, login: str, purpose: str, code: str) -> bool:
    salt, _, digest = stored.partition("$")
    return hmac.compare_digest(digest, _code_digest(salt, login, purpose, code))


def _login_exists(session: Session, login: str) -> bool:
    return session.scalar(select(Account.id).where(Account.login == login)) is not None


def request_code(
    session: Session,
    *,
    login: str,
    purpose: str,
    client_ip: str,
    now: datetime,
    ttl_s: int,
    sender: CodeSender,
) -> None:
    """Send a fresh code; for a password reset of an unknown login, answer alike but send nothing."""
    exists = _login_exists(session, login)
    if purpose == "register" and exists:
        raise ApiError(ErrorCode.DUPLICATE_LOGIN, "this login is already registered")
    # Throttled per login whether or not it exists, so the throttle does not reveal registered logins either.
    login_key, ip_key = f"code:{purpose}:{login}", f"code:ip:{client_ip}"
    for key in (login_key, ip_key):
        _prune(session, key, now - HOUR)
    _check_rate(session, key=login_key, limit=1, window=RESEND_INTERVAL, now=now)
    _check_rate(session, key=login_key, limit=CODE_SENDS_PER_HOUR, window=HOUR, now=now)
    _check_rate(session, key=ip_key, limit=CODE_SENDS_PER_IP_PER_HOUR, window=HOUR, now=now)
    session.add_all([RateEvent(key=login_key, at=now), RateEvent(key=ip_key, at=now)])
    if not exists and purpose == "password_reset":
        return
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    expires_at = now + timedelta(seconds=ttl_s)
    session.add(
        VerificationCode(
            target=login,
            purpose=purpose,
            code_hash=_hash_code(login, purpose, code),
            attempts=0,
            expires_at=expires_at,
            created_at=now,
        )
    )
    sender.send_code(session, login=login, purpose=purpose, code=code, now=now, expires_at=expires_at)


def _consume_code(session: Session, *, login: str, purpose: str, code: str, now: datetime) -> None:
    """Use up the newest unused code for login+purpose, or fail with CODE_INVALID / CODE_EXPIRED."""
    row = session.scalar(
        select(VerificationCode)
        .where(
            VerificationCode.target == login,
            VerificationCode.purpose == purpose,
            VerificationCode.used_at.is_(None),
        )
        .order_by(VerificationCode.created_at.desc(), VerificationCode.id.desc())
        .limit(1)
        .with_for_update()  # concurrent wrong tries must each count
    )
    if row is None:
        raise _code_invalid()
    if row.expires_at <= now:
        expired_at = row.expires_at.isoformat()
        raise ApiError(
            ErrorCode.CODE_EXPIRED, "the verification code has expired; request a new one", {"expired_at": expired_at}
        )
    if not _code_matches(row.code_hash, login, purpose, code):
        row.attempts += 1
        attempts_left = max(0, MAX_CODE_ATTEMPTS - row.attempts)
        if attempts_left == 0:
            row.used_at = now  # burnt: guessing further is pointless, a new code must be requested
        session.commit()
        raise _code_invalid(attempts_left=attempts_left)
    # A conditional update, so two requests racing with one code cannot both use it.
    if not _claim_once(session, VerificationCode, row.id, now):
        raise _code_invalid()


def _claim_once(session: Session, model: type[VerificationCode] | type[AuthToken], row_id: int, now: datetime) -> bool:
    """Mark a one-use row used with a conditional UPDATE: of requests racing with one row, exactly one gets True."""
    statement = update(model).where(model.id == row_id, model.used_at.is_(None)).values(used_at=now)
    return rows_updated(session, statement) == 1


# --- accounts ---------------------------------------------------------------------------------------------------


def register(session: Session, *, login: str, password: str, code: str, display_name: str, now: datetime) -> Account:
    check_password_rules(password)  # before the code, so a weak password does not burn it
    _consume_code(session, login=login, purpose="register", code=code, now=now)
    try:
        return create_account(session, login=login, password=password, display_name=display_name, now=now)
    except IntegrityError:  # the same login registered concurrently
        raise ApiError(ErrorCode.DUPLICATE_LOGIN, "this login is already registered") from None


def reset_password(session: Session, *, login: str, code: str, new_password: str, now: datetime) -> None:
    """Set a new password, lift any lockout and sign the account out everywhere."""
    check_password_rules(new_password)
    _consume_code(session, login=login, purpose="password_reset", code=code, now=now)
    account = session.scalar(select(Account).where(Account.login == login))
    if account is None:  # codes are never sent to unknown logins; defensive only
        raise _code_invalid()
    account.password_hash = hash_password(new_password)
    account.failed_attempts = 0
    account.locked_until = None
    session.execute(
        update(AuthToken)
        .where(AuthToken.account_id == account.id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


# --- login and tokens -------------------------------------------------------------------------------------------


def login(
    session: Session, *, login: str, password: str, client_ip: str, now: datetime, settings: Settings
) -> IssuedTokens:
    ip_key = f"login:ip:{client_ip}"
    _prune(session, ip_key, now - LOGIN_IP_WINDOW)
    _check_rate(session, key=ip_key, limit=LOGIN_ATTEMPTS_PER_IP, window=LOGIN_IP_WINDOW, now=now)
    session.add(RateEvent(key=ip_key, at=now))
    found = session.scalar(select(Account).where(Account.login == login))
    # The attempt counts whatever its outcome; and argon2 takes up to a few hundred ms: check it holding
    # no lock (SQLite's write lock is database-wide). One transaction for both: two round trips fewer.
    session.commit()

    if found is None:
        verify_password(DUMMY_HASH, password)  # spend the same time as for a real login
        _fail_unknown_login(session, login=login, now=now, settings=settings)
    if found.locked_until is not None and found.locked_until > now:
        raise _locked(found.locked_until, now)  # even the right password waits for the unlock
    account_id, password_hash = found.id, found.password_hash
    password_ok = verify_password(password_hash, password)

    account = session.scalar(
        select(Account).where(Account.id == account_id).with_for_update().execution_options(populate_existing=True)
    )
    if account is None:  # deleted meanwhile
        raise _invalid_credentials(settings.lockout_threshold)
    if account.locked_until is not None:
        if account.locked_until > now:
            raise _locked(account.locked_until, now)
        account.locked_until = None
        account.failed_attempts = 0
    if not password_ok:
        account.failed_attempts += 1
        if account.failed_attempts >= settings.lockout_threshold:
            account.failed_attempts = 0
            account.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            session.commit()
            log.info("account %s locked after %d wrong passwords", account.id, settings.lockout_threshold)
            raise _locked(account.locked_until, now)
        session.commit()
        raise _invalid_credentials(settings.lockout_threshold - account.failed_attempts)
    account.failed_attempts = 0
    return issue_tokens(session, account=account, now=now, settings=settings)


def _fail_unknown_login(session: Session, *, login: str, now: datetime, settings: Settings) -> NoReturn:
    """Answer an unknown login as a real one (attempts count down, then a lock), so logins cannot be probed."""
    key, window = f"login:fail:{login}", timedelta(minutes=settings.lockout_minutes)
    _prune(session, key, now - window)
    failures = list(_events_since(session, key, now - window))
    if len(failures) >= settings.lockout_threshold:
        raise _locked(failures[-1] + window, now)
    session.add(RateEvent(key=key, at=now))
    session.commit()
    if len(failures) + 1 >= settings.lockout_threshold:
        raise _locked(now + window, now)
    raise _invalid_credentials(settings.lockout_threshold - len(failures) - 1)


def _token_row(*, account_id: int, token: str, kind: str, family: str, ttl_s: int, now: datetime) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "kind": kind,
        "token_hash": hash_token(token),
        "family": family,
        "expires_at": now + timedelta(seconds=ttl_s),
        "created_at": now,
    }


def issue_tokens(
    session: Session, *, account: Account, now: datetime, settings: Settings, family: str | None = None
) -> IssuedTokens:
    """A new access + refresh pair; ``family`` ties every refresh rotation of one sign-in together."""
    family = family or secrets.token_hex(16)
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    # One INSERT of both rows (as ORM objects, SQLite needed one INSERT each to learn their ids; nothing reads them).
    session.execute(
        insert(AuthToken),
        [
            _token_row(
                account_id=account.id,
                token=access,
                kind="access",
                family=family,
                ttl_s=settings.access_token_ttl_s,
                now=now,
            ),
            _token_row(
                account_id=account.id,
                token=refresh,
                kind="refresh",
                family=family,
                ttl_s=settings.refresh_token_ttl_s,
                now=now,
            ),
        ],
    )
    return IssuedTokens(access, refresh, settings.access_token_ttl_s, account)


def _revoke_family(session: Session, family: str, now: datetime) -> None:
    session.execute(
        update(AuthToken)
        .where(AuthToken.family == family, AuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


def rotate_refresh_token(session: Session, *, refresh_token: str, now: datetime, settings: Settings) -> IssuedTokens:
    """Trade a refresh token for a new pair. A token used twice means it was stolen: the whole family is revoked."""
    row = session.scalar(
        select(AuthToken).where(AuthToken.token_hash == hash_token(refresh_token), AuthToken.kind == "refresh")
    )
    if row is None or not in_force(row, now):
        raise unauthorized("refresh token invalid or expired")
    if not _claim_once(session, AuthToken, row.id, now):
        _revoke_family(session, row.family, now)
        session.commit()
        log.warning("a rotated refresh token was reused; signed account %s out of that session", row.account_id)
        raise unauthorized("refresh token was already used; sign in again", reason="refresh_token_reused")
    account = session.get(Account, row.account_id)
    if account is None:
        raise unauthorized("refresh token invalid or expired")
    return issue_tokens(session, account=account, now=now, settings=settings, family=row.family)


def logout(session: Session, *, account: Account, access_token: str, refresh_token: str | None, now: datetime) -> None:
    """Revoke the caller's access token and its refresh family (and the family of a refresh token given)."""
    hashes = [hash_token(access_token)] + ([hash_token(refresh_token)] if refresh_token else [])
    families = session.scalars(
        select(AuthToken.family).where(AuthToken.token_hash.in_(hashes), AuthToken.account_id == account.id)
    ).all()
    for family in set(families):
        _revoke_family(session, family, now)
