"""Ledgers (账套) per licence: fiscal years, opened modules, voucher usage; archiving; ownership."""

from __future__ import annotations

from datetime import timedelta

from server.models import Entitlement, Organisation
from server.services.admin import create_ledger
from tests.support.licensing import Customer, customer, error_code, issue_licence
from tests.support.live import LiveServer


def _ledgers(live: LiveServer, who: Customer) -> list[int]:
    """Two ledgers with two fiscal years each; modules opened in one ledger-year, one of them refunded."""
    now = live.clock.now()
    with live.session() as s:
        org = s.get(Organisation, who.org_id)
        assert org is not None
        a = create_ledger(s, organisation=org, code="001", name="总账", now=now, years={2024: 50, 2025: 12})
        b = create_ledger(
            s, organisation=org, code="002", name="分公司", now=now, years={2024: 3, 2025: 0}, voucher_quota=200
        )
        return [a.id, b.id]


def _open(live: LiveServer, licence_id: int, ledger_id: int, year: int, module: str, *, revoked: bool = False) -> None:
    now = live.clock.now()
    with live.session() as s:
        s.add(
            Entitlement(
                licence_id=licence_id,
                ledger_id=ledger_id,
                fiscal_year=year,
                module=module,
                created_at=now,
                revoked_at=now if revoked else None,
            )
        )


def test_licence_ledgers_show_years_modules_and_vouchers(live_server: LiveServer) -> None:
    alice = customer(live_server, "13800000001")
    key = issue_licence(live_server, ledgers_included=4)
    a, b = _ledgers(live_server, alice)
    alice.activate(key, 1)
    _open(live_server, key.licence_id, a, 2025, "period_close")
    _open(live_server, key.licence_id, a, 2025, "cash_journal")
    _open(live_server, key.licence_id, a, 2024, "fixed_assets", revoked=True)  # refunded: closed again

    r = alice.get(f"/licences/{key.licence_id}/ledgers")

    assert r.status_code == 200, r.text
    body = r.json()
    assert body["purchased"] == 4 and body["in_use"] == 2
    first, second = body["ledgers"]
    assert (first["id"], first["code"], first["name"], first["archived"]) == (a, "001", "总账", False)
    assert first["years"] == [
        {"fiscal_year": 2024, "modules": [], "vouchers": {"used": 50, "quota": 50}},
        {"fiscal_year": 2025, "modules": ["cash_journal", "period_close"], "vouchers": {"used": 12, "quota": 50}},
    ]
    assert second["id"] == b and [y["vouchers"]["quota"] for y in second["years"]] == [200, 200]


def test_archiving_a_ledger_takes_it_out_of_use(live_server: LiveServer) -> None:
    alice = customer(live_server, "13800000001")
    key = issue_licence(live_server)
    a, _ = _ledgers(live_server, alice)
    alice.activate(key, 1)
    live_server.clock.advance(timedelta(minutes=1))

    r = alice.post(f"/ledgers/{a}/archive")

    assert r.status_code == 200, r.text
    assert r.json()["id"] == a and r.json()["archived"] is True
    listing = alice.get(f"/licences/{key.licence_id}/ledgers").json()
    assert listing["in_use"] == 1 and listing["ledgers"][0]["archived"] is True
    assert alice.post(f"/ledgers/{a}/archive").status_code == 200  # archiving twice is harmless


def test_foreign_or_unknown_ledger_is_ledger_not_found(live_server: LiveServer) -> None:
    alice = customer(live_server, "13800000001")
    bob = customer(live_server, "13900000002")
    a, _ = _ledgers(live_server, alice)
    for r in (bob.post(f"/ledgers/{a}/archive"), alice.post("/ledgers/999999/archive")):
        assert r.status_code == 404 and error_code(r) == "LEDGER_NOT_FOUND"
    assert alice.get(f"/licences/{issue_licence(live_server).licence_id}/ledgers").status_code == 404  # not bound
