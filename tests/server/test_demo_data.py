"""``python -m server demo-data``: every demo scenario is seeded into a real database, and re-runs work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from licence_protocol.envelope import b64url_decode
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from server.cli import main
from server.db import make_engine, make_session_factory
from server.models import Account, AddonKey, IpBinding, Ledger, Licence, Machine, Organisation, RechargeCode
from server.services.demo import seed_demo
from server.services.keys import hash_cdkey
from server.services.passwords import verify_password
from tests.support.licensing import machine
from tests.support.live import LiveServer

DESIGN_SCENARIOS = {
    "fresh",
    "seats_full",
    "ip_bound",
    "expired",
    "cloud_over_ledgers",
    "free_edition",
    "addon",
    "recharge_codes",
    "service_accountant",
}
REPO = Path(__file__).resolve().parents[2]


def run_demo(capsys: pytest.CaptureFixture[str], url: str, data_dir: Path) -> dict[str, Any]:
    assert main(["demo-data", "--database-url", url, "--data-dir", str(data_dir), "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


@pytest.fixture
def db(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    session = make_session_factory(engine)()
    yield session
    session.close()
    engine.dispose()


def licence(db: Session, scenario: dict[str, Any]) -> Licence:
    row = db.scalar(select(Licence).where(Licence.serial == scenario["serial"]))
    assert row is not None
    assert row.cdkey_hash == hash_cdkey(scenario["cdkey"])  # the printed CDkey is the one that activates
    return row


def live_machines(row: Licence) -> list[Machine]:
    return [m for m in row.machines if m.deactivated_at is None]


def test_demo_data_seeds_every_scenario(
    capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path, db: Session
) -> None:
    data = run_demo(capsys, database_url, tmp_path)
    now = datetime.now(UTC)
    s = data["scenarios"]
    assert set(s) >= DESIGN_SCENARIOS

    logins = {x["login"]: x for x in data["logins"]}
    demo = db.scalar(select(Account).where(Account.login == "13800000001"))
    assert demo is not None and verify_password(demo.password_hash, logins["13800000001"]["password"])
    assert "13800000002" in logins
    assert logins[s["service_accountant"]["login"]]["role"] == "service_accountant"

    # Two demo organisations with tax ids; the first has ≥ 2 ledgers, each with two fiscal years in use.
    orgs = db.scalars(select(Organisation).where(Organisation.account_id == demo.id)).all()
    assert len(orgs) == 2 and all(o.tax_id for o in orgs)
    org_a = db.get(Organisation, s["fresh"]["org_id"])
    assert org_a is not None and len(org_a.ledgers) >= 2
    for ledger in org_a.ledgers:
        assert [y.fiscal_year for y in ledger.years] == [now.year - 1, now.year]
        assert any(y.vouchers_used > 0 for y in ledger.years)

    fresh = licence(db, s["fresh"])
    assert fresh.status == "unused" and fresh.policy.max_machines == 3

    full = licence(db, s["seats_full"])
    assert full.account_id == demo.id and full.organisation_id == org_a.id
    assert len(live_machines(full)) == full.policy.max_machines == 3

    ip_bound = licence(db, s["ip_bound"])
    assert ip_bound.status == "unused" and ip_bound.policy.edition == "free" and ip_bound.policy.one_account_per_ip
    binding = db.scalar(
        select(IpBinding).where(IpBinding.product_id == ip_bound.policy.product_id, IpBinding.public_ip == "127.0.0.1")
    )
    assert binding is not None and binding.account_id != demo.id

    expired = licence(db, s["expired"])
    assert expired.account_id == demo.id and expired.expires_at is not None and expired.expires_at < now

    cloud = licence(db, s["cloud_over_ledgers"])
    in_use = db.scalar(
        select(func.count())
        .select_from(Ledger)
        .where(Ledger.organisation_id == cloud.organisation_id, Ledger.archived_at.is_(None))
    )
    assert cloud.policy.edition == "cloud" and cloud.ledgers_purchased == 4 and in_use == 5
    assert cloud.organisation_id != org_a.id and cloud.account_id == demo.id

    free = licence(db, s["free_edition"])
    assert free.policy.edition == "free" and free.activation_count == free.policy.activation_limit
    # No IP binding of another account on this product, so the limit is what the demo account meets.
    assert db.scalar(select(IpBinding).where(IpBinding.product_id == free.policy.product_id)) is None

    addon = db.scalar(select(AddonKey).where(AddonKey.cdkey_hash == hash_cdkey(s["addon"]["addon_cdkey"])))
    assert addon is not None and (addon.code, addon.name, addon.licence_id) == ("yunzhijia", "云之家", None)
    assert licence(db, s["addon"]).status == "unused"

    codes = s["recharge_codes"]["codes"]
    assert len(codes) >= 1 and s["recharge_codes"]["note"]
    for c in codes:  # unused, from no order, for the product of the expired scenario they can revive
        row = db.scalar(select(RechargeCode).where(RechargeCode.code == c["code"]))
        assert row is not None and row.redeemed_at is None and row.voided_at is None and row.order_id is None
        assert row.product_id == licence(db, s["expired"]).policy.product_id and row.months == c["months"]

    customers = s["service_accountant"]["customers"]
    assert len(customers) >= 4
    assert len({c["expires_at"] for c in customers}) == len(customers)
    for c in customers:
        row = licence(db, c)
        assert row.organisation_id == c["org_id"] and row.expires_at is not None


def test_rerun_gives_a_fresh_working_set(
    capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path, db: Session
) -> None:
    first = run_demo(capsys, database_url, tmp_path)
    # Whatever a newcomer did in between (a lock-out, an archived ledger) is undone by the next run.
    cloud_org = first["scenarios"]["cloud_over_ledgers"]["org_id"]
    with db.begin():
        db.execute(update(Ledger).where(Ledger.organisation_id == cloud_org).values(archived_at=datetime.now(UTC)))
        db.execute(update(Account).values(failed_attempts=5))
    second = run_demo(capsys, database_url, tmp_path)

    assert second["logins"] == first["logins"]
    assert second["scenarios"]["fresh"]["serial"] != first["scenarios"]["fresh"]["serial"]
    db.expire_all()
    licence(db, second["scenarios"]["fresh"])
    licence(db, second["scenarios"]["service_accountant"]["customers"][0])
    assert db.scalar(select(func.max(Account.failed_attempts))) == 0
    archived = db.scalar(select(func.count()).select_from(Ledger).where(Ledger.archived_at.is_not(None)))
    assert archived == 0
    # Customers keep one licence each (re-keyed), so the accountant's list does not grow per run.
    customer_orgs = [c["org_id"] for c in second["scenarios"]["service_accountant"]["customers"]]
    per_org = db.scalar(select(func.count()).select_from(Licence).where(Licence.organisation_id.in_(customer_orgs)))
    assert per_org == len(customer_orgs)


def test_human_summary_names_logins_and_scenarios(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path
) -> None:
    assert main(["demo-data", "--database-url", sqlite_url, "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "13800000001" in out and "Demo#2025pass" in out
    for name in DESIGN_SCENARIOS:
        assert name in out


def test_demo_data_as_a_subprocess(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("LP_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "server", "demo-data", "--data-dir", str(tmp_path / "data"), "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["scenarios"]) >= DESIGN_SCENARIOS
    assert (tmp_path / "data" / "licence-server.sqlite3").exists()


def test_each_scenario_answers_its_state_over_http(live_server: LiveServer) -> None:
    """What a newcomer sees when activating each scenario from the demo machine (loopback) as the demo login."""
    with live_server.session() as session:
        data = seed_demo(session, live_server.clock.now())
    http, url = live_server.http(), f"{live_server.url}/api/v1"
    login = data.demo_login
    tokens = http.post(f"{url}/auth/login", json={"login": login.login, "password": login.password}, timeout=10)
    assert tokens.status_code == 200, tokens.text
    headers = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
    this_machine = machine(901)

    payloads: dict[str, dict[str, Any]] = {}
    for name, sc in data.scenarios.items():
        if "cdkey" not in sc:
            continue
        body = {"serial": sc["serial"], "cdkey": sc["cdkey"], "org_id": sc["org_id"], **this_machine}
        r = http.post(f"{url}/activations", json=body, headers=headers, timeout=10)
        if sc["activation_error"]:
            assert r.json()["error"]["code"] == sc["activation_error"], name
        else:
            assert r.status_code == 200, (name, r.text)
            payloads[name] = json.loads(b64url_decode(r.json()["document"]["payload"]))
    assert set(payloads) == {"fresh", "cloud_over_ledgers", "addon", "expiring_soon"}
    assert payloads["cloud_over_ledgers"]["ledgers"] == {"purchased": 4, "in_use": 5}
    assert payloads["fresh"]["seats"] == {"used": 1, "max": 3}

    addon = data.scenarios["addon"]
    r = http.post(
        f"{url}/licences/{payloads['addon']['licence_id']}/addons",
        json={"cdkey": addon["addon_cdkey"], **this_machine},
        headers=headers,
        timeout=10,
    )
    assert r.status_code == 200, r.text
    addons = json.loads(b64url_decode(r.json()["document"]["payload"]))["addons"]
    assert [(a["code"], a["name"]) for a in addons] == [("yunzhijia", "云之家")]

    # A seeded recharge code brings the expired scenario back: redeemed, then it activates.
    expired = data.scenarios["expired"]
    with live_server.session() as session:
        expired_id = licence(session, expired).id
    code = data.scenarios["recharge_codes"]["codes"][0]["code"]
    r = http.post(
        f"{url}/recharge-codes/redeem", json={"code": code, "licence_id": expired_id}, headers=headers, timeout=10
    )
    assert r.status_code == 200, r.text
    body = {"serial": expired["serial"], "cdkey": expired["cdkey"], "org_id": expired["org_id"], **this_machine}
    assert http.post(f"{url}/activations", json=body, headers=headers, timeout=10).status_code == 200
