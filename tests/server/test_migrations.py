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


def test_seat_lines_filed_under_a_ledger_before_0007_become_lines_of_the_whole_licence(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "0006")
    engine = make_engine(database_url)
    stored = "'2026-12-01 10:00:00'"
    try:
        with engine.begin() as conn:
            for statement in (
                "INSERT INTO products (code, name, version) VALUES ('KJH-STD', 'e会计 标准版', '5.0')",
                "INSERT INTO policies (product_id, code, name, edition, max_machines, one_account_per_ip,"
                " ledgers_included, voucher_quota_default, lease_days, reregister_limit_per_year)"
                " SELECT id, 'STD3', '标准版 3 台', 'standard', 3, false, 1, 100, 14, 3 FROM products",
                "INSERT INTO accounts (login, display_name, password_hash, role, failed_attempts, created_at)"
                f" VALUES ('13900000001', '', 'x', 'customer', 0, {stored})",
                "INSERT INTO organisations (account_id, name, tax_id, certification_status, created_at)"
                f" SELECT id, '座位迁移有限公司', '', 'none', {stored} FROM accounts",
                "INSERT INTO ledgers (organisation_id, code, name, created_at)"
                f" SELECT id, 'A', '账套A', {stored} FROM organisations",
                "INSERT INTO licences (policy_id, serial, cdkey_hash, status, account_id, organisation_id,"
                " ledgers_purchased, activation_count, created_at)"
                f" SELECT policies.id, 'S-1', 'h', 'active', accounts.id, organisations.id, 1, 0, {stored}"
                " FROM policies, accounts, organisations",
                "INSERT INTO orders (account_id, licence_id, status, amount_minor, currency, created_at)"
                f" SELECT account_id, id, 'paid', 39800, 'CNY', {stored} FROM licences",
                # The seat line as 0006 had to store it (first ledger, year 0), and a module line of that ledger.
                "INSERT INTO order_items (order_id, sku, kind, ledger_id, fiscal_year, quantity, unit_amount_minor,"
                " amount_minor) SELECT orders.id, 'seats_1', 'seats', ledgers.id, 0, 1, 19900, 19900"
                " FROM orders, ledgers",
                "INSERT INTO order_items (order_id, sku, kind, ledger_id, fiscal_year, quantity, unit_amount_minor,"
                " amount_minor) SELECT orders.id, 'accounting', 'module', ledgers.id, 2025, 1, 19900, 19900"
                " FROM orders, ledgers",
            ):
                conn.execute(text(statement))

        upgrade_to_head(database_url)

        with engine.connect() as conn:
            rows = conn.execute(text("SELECT kind, ledger_id, fiscal_year FROM order_items ORDER BY id")).all()
            ledger_id = conn.execute(text("SELECT id FROM ledgers")).scalar_one()
        assert [tuple(row) for row in rows] == [("seats", None, None), ("module", ledger_id, 2025)]
    finally:
        engine.dispose()
