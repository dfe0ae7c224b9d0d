"""Guess limits stop the guesser, not the people near them: a colleague behind the same NAT, or the
owner of the serial being guessed, still activates with the right CDkey."""

from __future__ import annotations

from tests.support.licensing import customer, error_code, issue_licence, machine
from tests.support.live import LiveServer

WRONG_CDKEY = "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE"


def test_one_persons_wrong_guesses_never_stop_a_colleague_on_the_same_ip(live_server: LiveServer) -> None:
    free = live_server.ctx.settings.guess_free_attempts
    theirs, mine = issue_licence(live_server), issue_licence(live_server)
    bob = customer(live_server, "13800000002")  # every test client comes from 127.0.0.1: one office, one NAT
    answers = [
        error_code(bob.post("/activations/preview", {"serial": theirs.serial, "cdkey": WRONG_CDKEY}))
        for _ in range(free + 3)
    ]
    assert answers[:free] == ["INVALID_SERIAL_OR_CDKEY"] * free
    assert answers[free:] == ["RATE_LIMITED"] * 3  # bob waits

    alice = customer(live_server, "13800000001")
    assert alice.activate(mine, 1).status_code == 200  # alice, same address, does not


def test_guessing_at_a_serial_never_locks_its_owner_out(live_server: LiveServer) -> None:
    free = live_server.ctx.settings.guess_free_attempts
    key = issue_licence(live_server)
    owner = customer(live_server, "13800000001")
    assert owner.activate(key, 1).status_code == 200
    attackers = [customer(live_server, f"1380000090{n}") for n in range(3)]
    for attacker in attackers:  # each until their own back-off
        for _ in range(free + 1):
            attacker.post(
                "/activations", {**machine(9), "serial": key.serial, "cdkey": WRONG_CDKEY, "org_id": attacker.org_id}
            )
        blocked = attacker.post("/activations/preview", {"serial": key.serial, "cdkey": key.cdkey})
        assert error_code(blocked) == "RATE_LIMITED"

    assert owner.activate(key, 2).status_code == 200  # a second machine, with the right CDkey
    assert owner.post(f"/licences/{key.licence_id}/validate", machine(1)).status_code == 200
