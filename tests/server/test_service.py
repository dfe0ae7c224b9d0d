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
