"""Activation endpoints: thin handlers over ``server.services.activation``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from server.context import ServerContext
from server.deps import BearerTokenDep, CallerDep, ClockDep, ContextDep, SessionDep, client_ip_of
from server.schemas.activation import (
    ActivateRequest,
    ActivationOut,
    AddonRequest,
    DocumentOut,
    MachinesOut,
    PreviewOut,
    PreviewRequest,
    ReregisterOut,
    ReregisterRequest,
    ValidateRequest,
)
from server.schemas.common import Id
from server.services import activation, online_check
from server.services.activation import Device

router = APIRouter(tags=["activations"])


@router.post("/activations/preview", response_model=PreviewOut)
def preview(body: PreviewRequest, session: SessionDep, ctx: ContextDep, clock: ClockDep, caller: CallerDep) -> Any:
    """What activating this serial would do: product, edition, seats, expiry, and where it is bound already."""
    return activation.preview(
        session,
        ctx.settings,
        caller=caller,
        serial=body.serial,
        cdkey=body.cdkey,
        product_code=body.product_code,
        now=clock.now(),
    )


@router.post("/activations", response_model=ActivationOut)
def activate(body: ActivateRequest, session: SessionDep, ctx: ContextDep, clock: ClockDep, caller: CallerDep) -> Any:
    """Activate the licence on this machine for one of the caller's organisations (idempotent per machine)."""
    document, machine_id = activation.activate(
        session,
        ctx.settings,
        ctx.keys,
        caller=caller,
        serial=body.serial,
        cdkey=body.cdkey,
        org_id=body.org_id,
        device=Device(body.fingerprint, body.components, body.machine_name),
        product_code=body.product_code,
        now=clock.now(),
    )
    return {"document": document, "machine_id": machine_id}


@router.post("/licences/{licence_id}/validate", response_model=DocumentOut)
async def validate(licence_id: Id, body: ValidateRequest, request: Request, token: BearerTokenDep) -> Any:
    """Online re-authentication: a fresh signed document echoing the nonce."""
    # Every client's online check: no dependency that needs a thread, all of it in one worker-thread hop.
    ctx: ServerContext = request.app.state.ctx
    document = await run_in_threadpool(
        online_check.validate,
        ctx,
        token=token,
        licence_id=licence_id,
        device=Device(body.fingerprint, body.components),
        nonce=body.nonce,
        ip=client_ip_of(request),
    )
    return JSONResponse({"document": document})  # the shape DocumentOut documents, built here: no re-validation


@router.get("/licences/{licence_id}/machines", response_model=MachinesOut)
def machines(licence_id: Id, session: SessionDep, caller: CallerDep) -> Any:
    return activation.list_machines(session, caller=caller, licence_id=licence_id)


@router.delete("/licences/{licence_id}/machines/{machine_id}", status_code=204, response_class=Response)
def deactivate(
    licence_id: Id,
    machine_id: Id,
    session: SessionDep,
    ctx: ContextDep,
    clock: ClockDep,
    caller: CallerDep,
) -> Response:
    """Deactivate a machine, freeing its seat."""
    activation.deactivate(
        session, ctx.settings, caller=caller, licence_id=licence_id, machine_id=machine_id, now=clock.now()
    )
    return Response(status_code=204)


@router.post("/licences/{licence_id}/reregister", response_model=ReregisterOut)
def reregister(
    licence_id: Id,
    body: ReregisterRequest,
    session: SessionDep,
    ctx: ContextDep,
    clock: ClockDep,
    caller: CallerDep,
) -> Any:
    """重新注册: move this machine's seat to its changed feature code."""
    return activation.reregister(
        session,
        ctx.keys,
        caller=caller,
        licence_id=licence_id,
        device=Device(body.fingerprint, body.components, body.machine_name),
        now=clock.now(),
    )


@router.post("/licences/{licence_id}/addons", response_model=DocumentOut)
def addons(
    licence_id: Id,
    body: AddonRequest,
    session: SessionDep,
    ctx: ContextDep,
    clock: ClockDep,
    caller: CallerDep,
) -> Any:
    """Activate an add-on service by its own CDkey; the fresh document lists it."""
    document = activation.attach_addon(
        session,
        ctx.settings,
        ctx.keys,
        caller=caller,
        licence_id=licence_id,
        cdkey=body.cdkey,
        device=Device(body.fingerprint, body.components or {}) if body.fingerprint is not None else None,
        now=clock.now(),
    )
    return {"document": document}
