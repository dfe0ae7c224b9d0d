"""licence-wide order lines: an order line of the whole licence (a seat pack) names no ledger and no fiscal year

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Until 0006 every order line had to name a ledger-year, so a seat line was filed under its organisation's first
# ledger with fiscal year 0 (a year that exists nowhere). Those lines become what they are: of the licence.
_SEAT_LINES_OF_NO_LEDGER = "UPDATE order_items SET ledger_id = NULL, fiscal_year = NULL WHERE kind = 'seats'"

# Back in 0006 a seat line needs that filing again; a line whose organisation has no ledger cannot be stored there.
_SEAT_LINES_UNDER_FIRST_LEDGER = """
UPDATE order_items SET fiscal_year = 0, ledger_id = (
    SELECT MIN(ledgers.id) FROM ledgers
    JOIN licences ON licences.organisation_id = ledgers.organisation_id
    JOIN orders ON orders.licence_id = licences.id
    WHERE orders.id = order_items.order_id
) WHERE ledger_id IS NULL OR fiscal_year IS NULL
"""


def upgrade() -> None:
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.alter_column("ledger_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("fiscal_year", existing_type=sa.Integer(), nullable=True)
    op.execute(_SEAT_LINES_OF_NO_LEDGER)


def downgrade() -> None:
    op.execute(_SEAT_LINES_UNDER_FIRST_LEDGER)
    orphans = op.get_bind().scalar(sa.text("SELECT COUNT(*) FROM order_items WHERE ledger_id IS NULL"))
    if orphans:
        # Deleting paid order lines would lose what customers bought: stop, and let an operator decide.
        raise RuntimeError(
            f"{orphans} seat order line(s) belong to licences whose organisation has no ledger; "
            "revision 0006 cannot store them"
        )
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.alter_column("fiscal_year", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("ledger_id", existing_type=sa.Integer(), nullable=False)
