"""support contacts per market: what the panel's 联系客服 shows (issue 14)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_contacts",
        sa.Column("market", sa.String(length=2), nullable=False),
        sa.Column("team", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=120), nullable=False),
        sa.Column("qq_group", sa.String(length=20), nullable=True),
        sa.Column("chat", sa.String(length=200), nullable=True),
        sa.Column("days", sa.String(length=16), nullable=False),
        sa.Column("opens", sa.String(length=5), nullable=False),
        sa.Column("closes", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.String(length=40), nullable=False),
        sa.Column("help_url", sa.String(length=300), nullable=True),
        sa.Column("download_url", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("market", name=op.f("pk_support_contacts")),
    )


def downgrade() -> None:
    op.drop_table("support_contacts")
