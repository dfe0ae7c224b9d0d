"""Endpoints about the caller: the signed-in account, its organisations and the licences bound to them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from server.deps import AccountDep, ClockDep, SessionDep
from server.schemas.me import CertificationRequest, LicencesOut, MeOut, OrganisationCreate, OrganisationOut
from server.services import orgs
from server.services.auth import account_out

router = APIRouter(tags=["me"])

# Bounded so an absurd id is a 422, not a database integer overflow.
OrgId = Annotated[int, Path(ge=1, le=2_147_483_647)]


@router.get("/me", response_model=MeOut)
def me(account: AccountDep, session: SessionDep, clock: ClockDep) -> Any:
    now = clock.now()
    organisations = orgs.list_organisations(session, account=account)
    return {"account": account_out(account), "organisations": [orgs.organisation_out(o, now) for o in organisations]}


@router.post("/orgs", status_code=201, response_model=OrganisationOut)
def create_org(body: OrganisationCreate, account: AccountDep, session: SessionDep, clock: ClockDep) -> Any:
    now = clock.now()
    org = orgs.add_organisation(
        session, account=account, name=body.name, tax_id=body.tax_id, now=now, market=body.market
    )
    return orgs.organisation_out(org, now)


@router.get("/orgs/{org_id}/licences", response_model=LicencesOut)
def org_licences(org_id: OrgId, account: AccountDep, session: SessionDep, clock: ClockDep) -> Any:
    return {"licences": orgs.licence_summaries(session, account=account, org_id=org_id, now=clock.now())}


@router.post("/orgs/{org_id}/certification", response_model=OrganisationOut)
def certify_org(
    org_id: OrgId, body: CertificationRequest, account: AccountDep, session: SessionDep, clock: ClockDep
) -> Any:
    # body.contact is validated for the reviewer; the sandbox certifies at once and keeps no contact column.
    now = clock.now()
    org = orgs.submit_certification(
        session, account=account, org_id=org_id, name=body.name, tax_id=body.tax_id, now=now
    )
    return orgs.organisation_out(org, now)
