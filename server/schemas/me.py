"""Request and response models of ``/me`` and ``/orgs`` (docs/ARCHITECTURE.md "HTTP shapes")."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

from server.schemas.auth import AccountOut

OrgName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
TaxId = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
# The markets the server sells in; an organisation's tax id follows its market's rule (licence_protocol.tax_ids).
Market = Literal["CN", "VN", "IR"]


class CertificationOut(BaseModel):
    status: Literal["none", "pending", "certified", "overdue"]
    deadline: str | None


class OrganisationOut(BaseModel):
    id: int
    name: str
    tax_id: str
    market: Market = "CN"
    certification: CertificationOut


class MeOut(BaseModel):
    account: AccountOut
    organisations: list[OrganisationOut]


class OrganisationCreate(BaseModel):
    name: OrgName
    tax_id: TaxId = ""
    market: Market = "CN"


class CertificationRequest(BaseModel):
    """The organisation's details as submitted for enterprise certification."""

    name: OrgName
    tax_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    contact: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=120)]


class ProductOut(BaseModel):
    code: str
    name: str
    version: str


class SeatsOut(BaseModel):
    used: int
    max: int


class LedgerCountOut(BaseModel):
    purchased: int
    in_use: int


class LicenceSummary(BaseModel):
    id: int
    serial_masked: str
    product: ProductOut
    edition: str
    status: str
    expires_at: str | None
    seats: SeatsOut
    ledgers: LedgerCountOut


class LicencesOut(BaseModel):
    licences: list[LicenceSummary]
