"""Service endpoints and the error shape, over real HTTP."""

from __future__ import annotations

from licence_protocol.envelope import public_key_from_b64

from tests.support.live import LiveServer


def test_healthz_and_keys(live_server: LiveServer) -> None:
    http = live_server.http()
    assert http.get(f"{live_server.url}/healthz", timeout=5).json()["status"] == "ok"
    keys = http.get(f"{live_server.url}/api/v1/keys", timeout=5).json()["keys"]
    assert len(keys) == 1 and keys[0]["alg"] == "Ed25519" and keys[0]["active"]
    public_key_from_b64(keys[0]["public_key"])  # decodes as a raw Ed25519 key


def test_unknown_path_answers_error_shape(live_server: LiveServer) -> None:
    r = live_server.http().get(f"{live_server.url}/api/v1/nope", timeout=5)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "NOT_FOUND"


def test_support_contacts_per_market_without_signing_in(live_server: LiveServer) -> None:
    from server.services.support import seed_demo_contacts

    with live_server.session() as session:
        seed_demo_contacts(session)
        session.commit()
    http = live_server.http()
    cn = http.get(f"{live_server.url}/api/v1/support", timeout=5).json()  # CN by default
    assert cn["market"] == "CN" and cn["qq_group"] == "636016246" and cn["phone"] and "@" in cn["email"]
    assert cn["hours"] == {"days": "mon-fri", "opens": "09:00", "closes": "18:00", "timezone": "Asia/Shanghai"}
    vn = http.get(f"{live_server.url}/api/v1/support", params={"market": "vn"}, timeout=5).json()
    assert vn["market"] == "VN" and vn["qq_group"] is None and vn["chat"].startswith("Zalo")
    ir = http.get(f"{live_server.url}/api/v1/support", params={"market": "IR"}, timeout=5).json()
    assert ir["hours"]["days"] == "sat-wed" and ir["hours"]["timezone"] == "Asia/Tehran" and ir["download_url"]

    unknown = http.get(f"{live_server.url}/api/v1/support", params={"market": "DE"}, timeout=5)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "NOT_FOUND"
    bad = http.get(f"{live_server.url}/api/v1/support", params={"market": "CHN"}, timeout=5)
    assert bad.status_code == 422
