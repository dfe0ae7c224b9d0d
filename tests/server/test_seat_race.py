"""Seat limits are atomic: simultaneous activations never hand out more seats than the policy has."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tests.support.licensing import customer, error_code, issue_licence, machine
from tests.support.live import LiveServer

MACHINES = 20
SEATS = 3
BUSY_RETRIES = 5


def test_twenty_simultaneous_activations_of_a_three_seat_licence(live_server: LiveServer) -> None:
    key = issue_licence(live_server, max_machines=SEATS)
    alice = customer(live_server, "13800000001")
    start = threading.Barrier(MACHINES)

    def activate(n: int) -> tuple[int, str]:
        http = live_server.http()  # one connection per simulated machine
        start.wait(timeout=30)  # release all requests at once
        body = {"serial": key.serial, "cdkey": key.cdkey, "org_id": alice.org_id, **machine(n)}
        for _ in range(BUSY_RETRIES):
            r = http.post(f"{live_server.url}/api/v1/activations", json=body, headers=alice.headers, timeout=60)
            if r.status_code != 503:
                break
            # More requests at once than the server admits: it says when to come back, and a client does.
            time.sleep(float(r.headers.get("Retry-After", "1")))
        return r.status_code, (error_code(r) if r.status_code != 200 else "OK")

    with ThreadPoolExecutor(max_workers=MACHINES) as pool:
        results = list(pool.map(activate, range(MACHINES)))

    codes = sorted(code for _, code in results)
    assert codes.count("OK") == SEATS, results
    assert codes.count("TOO_MANY_MACHINES") == MACHINES - SEATS, results
    listing = alice.get(f"/licences/{key.licence_id}/machines").json()
    assert listing["seats"] == {"used": SEATS, "max": SEATS}
    assert len(listing["machines"]) == SEATS
