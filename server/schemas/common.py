"""Field types shared by several API areas."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# Our id columns are 32-bit integers on PostgreSQL: a larger id is refused with 422 before it can reach
# the database (where it would raise "integer out of range"), and an id below 1 names nothing.
MAX_ID = 2_147_483_647

# An id in a path, a query or a body: ``licence_id: Id`` works in routers and models alike.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# The fiscal years a ledger may have; purchases, catalogues and voucher counts take the same range.
FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 1990, 2200
FiscalYear = Annotated[int, Field(ge=FIRST_FISCAL_YEAR, le=LAST_FISCAL_YEAR)]
