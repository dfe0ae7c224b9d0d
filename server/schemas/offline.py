"""The air-gapped request and response files (docs/OFFLINE.md), as the API reads and writes them."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from licence_protocol.offline import REQUEST_TYPE, RESPONSE_TYPE
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from server.schemas.activation import Components, Envelope, Fingerprint, MachineName, Nonce, ProductCode, Serial
from server.schemas.common import Id

Proof = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[0-9a-fA-F]{64}$")]
Action = Literal["activate", "refresh", "deactivate"]


class OfflineRequestIn(BaseModel):
    """The request file, written on the offline machine. Unknown fields (from newer clients) are ignored."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["licence-panel/offline-request"] = Field(description=f'always "{REQUEST_TYPE}"')
    version: int = Field(description="file format version; this server reads 1")
    action: Action
    nonce: Nonce
    created_at: Annotated[str, StringConstraints(max_length=40)] | None = None
    fingerprint: Fingerprint
    components: Components
    machine_name: MachineName = ""
    serial: Serial | None = None
    cdkey_proof: Proof | None = None
    org_id: Id | None = Field(default=None, description="activate: receiving organisation (the uploader may set it)")
    product_code: ProductCode | None = None
    licence_id: Id | None = None
    machine_id: Id | None = None

    @model_validator(mode="after")
    def _fields_of_action(self) -> Self:
        needed = {
            "activate": ("serial", "cdkey_proof"),
            "refresh": ("licence_id",),
            "deactivate": ("licence_id", "machine_id"),
        }[self.action]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.action} request needs {', '.join(missing)}")
        return self


class OfflineResponseOut(BaseModel):
    """The response file, carried back to the offline machine and imported there."""

    type: Literal["licence-panel/offline-response"] = Field(description=f'always "{RESPONSE_TYPE}"')
    version: int
    action: Action
    request_nonce: str
    fingerprint: str
    document: Envelope | None = Field(default=None, description="activate and refresh: the signed document")
    released: bool | None = Field(default=None, description="deactivate: the seat is free")
    licence_id: int
    machine_id: int
