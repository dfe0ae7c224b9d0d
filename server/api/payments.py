"""The payment provider's signed callback (the pay page it comes from: ``sandbox_pay``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from licence_protocol.errors import ErrorCode
from starlette.concurrency import run_in_threadpool

from server.deps import ContextDep
from server.errors import ApiError
from server.schemas.purchase import CallbackOut
from server.services import payments

router = APIRouter(tags=["payments"])  # under /api/v1

PaymentId = Annotated[str, Path(min_length=8, max_length=40)]
MAX_CALLBACK_BYTES = 8 * 1024


@router.post("/payments/{payment_id}/callback", response_model=CallbackOut)
async def payment_callback(payment_id: PaymentId, request: Request, ctx: ContextDep) -> Any:
    # The signature covers the raw bytes, so the body is read as sent, not re-serialised.
    raw = await request.body()
    if len(raw) > MAX_CALLBACK_BYTES:
        raise ApiError(ErrorCode.PAYLOAD_TOO_LARGE, "callback body too large")
    signature = request.headers.get(payments.SIGNATURE_HEADER, "")
    return await run_in_threadpool(payments.receive_callback, ctx, payment_id, raw, signature)
