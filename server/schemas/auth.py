"""Request and response models of the auth endpoints (docs/ARCHITECTURE.md "HTTP shapes")."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints


def _normalise_login(login: str) -> str:
    # E-mail addresses are compared case-insensitively in practice; mobile numbers have no case.
    return login.lower() if "@" in login else login


# Logins are mobile numbers or e-mail addresses; surrounding blanks are a typing slip, not part of the login.
Login = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=120), AfterValidator(_normalise_login)
]
# Long enough for any acceptable password, short enough that argon2 never hashes megabytes.
Password = Annotated[str, Field(min_length=1, max_length=128)]
NewPassword = Annotated[str, Field(max_length=128)]  # too short → WEAK_PASSWORD naming the "length" rule
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)]
TokenText = Annotated[str, Field(min_length=1, max_length=200)]
Purpose = Literal["register", "password_reset"]


class VerificationCodeRequest(BaseModel):
    login: Login
    purpose: Purpose


class CodeSent(BaseModel):
    sent: bool
    expires_in: int


class RegisterRequest(BaseModel):
    login: Login
    password: NewPassword
    code: Code
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = ""


class AccountOut(BaseModel):
    id: int
    login: str
    display_name: str
    role: Literal["customer", "service_accountant"]


class RegisterOut(BaseModel):
    account: AccountOut


class LoginRequest(BaseModel):
    login: Login
    password: Password


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: Literal["bearer"] = "bearer"
    account: AccountOut


class RefreshRequest(BaseModel):
    refresh_token: TokenText


class LogoutRequest(BaseModel):
    refresh_token: TokenText | None = None


class PasswordResetRequest(BaseModel):
    login: Login
    code: Code
    new_password: NewPassword
