"""The one error shape of the API (docs/PROTOCOL.md, "HTTP API"), as a model so the OpenAPI document can name it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$", description="stable UPPER_SNAKE code; clients map this")
    message: str = Field(description="human-readable, for logs and support; never parsed by clients")
    details: dict[str, Any] = Field(description="code-specific fields, e.g. VALIDATION_ERROR: {errors: [...]}")


class ErrorOut(BaseModel):
    error: ErrorDetail
