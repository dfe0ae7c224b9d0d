"""The Alembic migrations build exactly the schema of server/models.py, and upgrade data already stored.

On SQLite and PostgreSQL: a model change without its migration (or a migration that differs) fails here.
"""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from server.db import alembic_config, make_engine, upgrade_to_head
from server.models import Base


def test_the_migrations_build_the_models_schema(database_url: str) -> None:
    upgrade_to_head(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_server_default": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_policies_stored_before_the_offline_allowance_get_its_default(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "0003")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO products (code, name, version) VALUES ('KJH-STD', 'e会计 标准版', '5.0')"))
            conn.execute(
                text(
                    "INSERT INTO policies (product_id, code, name, edition, max_machines, one_account_per_ip,"
                    " ledgers_included, voucher_quota_default, lease_days, reregister_limit_per_year)"
                    " SELECT id, 'STD3', '标准版 3 台', 'standard', 3, false, 1, 100, 14, 3 FROM products"
                )
            )

        upgrade_to_head(database_url)

        with engine.connect() as conn:
            assert conn.execute(text("SELECT offline_voucher_allowance FROM policies")).scalar_one() == 30
    finally:
        engine.dispose()
