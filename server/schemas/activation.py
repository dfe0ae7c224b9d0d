"""Request and response models of the activation endpoints (docs/ARCHITECTURE.md, HTTP shapes)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from server.schemas.common import Id
from server.schemas.me import OrganisationOut, ProductOut, SeatsOut

Serial = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
CdKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
ProductCode = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Fingerprint = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
MachineName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]
ComponentName = Annotated[str, StringConstraints(min_length=1, max_length=40)]
ComponentValue = Annotated[str, StringConstraints(max_length=128)]
# Hashed hardware components; bounded so a request cannot grow a machine row without limit.
Components = Annotated[dict[ComponentName, ComponentValue], Field(max_length=16)]
Nonce = Annotated[str, StringConstraints(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]


class PreviewRequest(BaseModel):
    serial: Serial
    cdkey: CdKey
    product_code: ProductCode | None = Field(default=None, description="the product the client software is")


class ActivateRequest(BaseModel):
    serial: Serial
    cdkey: CdKey
    org_id: Id
    fingerprint: Fingerprint
    components: Components
    machine_name: MachineName = ""
    product_code: ProductCode | None = Field(default=None, description="the product the client software is")


class ValidateRequest(BaseModel):
    fingerprint: Fingerprint
    components: Components
    nonce: Nonce | None = Field(default=None, description="echoed in the fresh document (replay protection)")


class ReregisterRequest(BaseModel):
    fingerprint: Fingerprint
    components: Components
    machine_name: MachineName = ""


class AddonRequest(BaseModel):
    cdkey: CdKey
    # The machine the fresh document is for; without it the document names no machine.
    fingerprint: Fingerprint | None = None
    components: Components | None = None


class Envelope(BaseModel):
    v: int
    alg: str
    kid: str
    payload: str
    signature: str


class PreviewOut(BaseModel):
    serial_masked: str
    product: ProductOut
    edition: str
    policy_name: str
    seats: SeatsOut
    expires_at: str | None
    duration_days: int | None
    already_activated: bool
    organisation: OrganisationOut | None
    account_display: str | None


class DocumentOut(BaseModel):
    document: Envelope


class ActivationOut(BaseModel):
    document: Envelope
    machine_id: int


class MachineOut(BaseModel):
    id: int
    name: str
    fingerprint: str
    activated_at: str
    last_seen_at: str
    public_ip: str


class MachinesOut(BaseModel):
    seats: SeatsOut
    machines: list[MachineOut]


class UsageOut(BaseModel):
    used: int
    limit: int


class ReregisterOut(BaseModel):
    document: Envelope
    machine_id: int
    reregistrations: UsageOut
