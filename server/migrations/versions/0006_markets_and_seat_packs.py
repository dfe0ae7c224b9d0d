"""markets and seat packs: an organisation's market (CN, VN, IR) and the seats a licence bought on top of its edition

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-09 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("market", sa.String(length=2), server_default="CN", nullable=False))
    with op.batch_alter_table("licences") as batch:
        batch.add_column(sa.Column("extra_seats", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("licences") as batch:
        batch.drop_column("extra_seats")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("market")
